// Writes a degraded copy of a JPEG for the demo (scripts/demo.sh): half the
// size (2 × 2 averages), a 3 × 3 box blur, then re-encoded at JPEG quality
// 25 — a low-resolution, blurred, blocky copy of the same faces.
//   node tools/oracle/perturb_photo.mjs IN.jpg OUT.jpg
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jpeg = require('jpeg-js');
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node perturb_photo.mjs IN.jpg OUT.jpg');
  process.exit(2);
}
const src = jpeg.decode(fs.readFileSync(input), { useTArray: true, formatAsRGBA: true });
const w = Math.floor(src.width / 2);
const h = Math.floor(src.height / 2);
const at = (img, width, x, y, c) => img[(y * width + x) * 4 + c];
const half = new Uint8Array(w * h * 4);
for (let y = 0; y < h; y++)
  for (let x = 0; x < w; x++)
    for (let c = 0; c < 4; c++) {
      const sum = at(src.data, src.width, 2 * x, 2 * y, c) + at(src.data, src.width, 2 * x + 1, 2 * y, c) +
        at(src.data, src.width, 2 * x, 2 * y + 1, c) + at(src.data, src.width, 2 * x + 1, 2 * y + 1, c);
      half[(y * w + x) * 4 + c] = Math.round(sum / 4);
    }
const blurred = new Uint8Array(half.length);
for (let y = 0; y < h; y++)
  for (let x = 0; x < w; x++)
    for (let c = 0; c < 4; c++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++)
          sum += at(half, w, Math.min(w - 1, Math.max(0, x + dx)), Math.min(h - 1, Math.max(0, y + dy)), c);
      blurred[(y * w + x) * 4 + c] = Math.round(sum / 9);
    }
fs.writeFileSync(output, jpeg.encode({ data: blurred, width: w, height: h }, 25).data);
