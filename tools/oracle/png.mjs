// A minimal PNG writer for 8-bit RGB pixels (colour type 2, no interlace,
// per row the filter with the smallest sum of absolute residuals, as libpng's
// heuristic; zlib from Node). Lossless, so a C++ test that decodes
// the file reads exactly the pixels the oracle was fed.
import fs from 'node:fs';
import zlib from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// One chunk: length, type, data, CRC of type + data.
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// PNG filter `type` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) of one row,
// given the unfiltered row above (zeros for the first row); 3 bytes a pixel.
function filterRow(type, row, above) {
  const out = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const a = i >= 3 ? row[i - 3] : 0;
    const b = above[i];
    const c = i >= 3 ? above[i - 3] : 0;
    let predictor = 0;
    if (type === 1) predictor = a;
    else if (type === 2) predictor = b;
    else if (type === 3) predictor = (a + b) >> 1;
    else if (type === 4) {
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out[i] = (row[i] - predictor) & 0xff;
  }
  return out;
}

// Writes `rgb` (Uint8Array, width * height * 3, row-major) to `file`.
export function writePngRgb(file, rgb, width, height) {
  if (rgb.length !== width * height * 3) throw new Error(`${file}: ${rgb.length} bytes for ${width}x${height} RGB`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);  // bit depth 8, RGB, deflate, filter method 0, no interlace
  const stride = width * 3;
  const raw = Buffer.alloc(height * (1 + stride));
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    const above = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    let best = null;
    for (let type = 0; type < 5; type++) {
      const filtered = filterRow(type, row, above);
      const cost = filtered.reduce((sum, v) => sum + (v < 128 ? v : 256 - v), 0);
      if (!best || cost < best.cost) best = { type, filtered, cost };
    }
    raw[y * (1 + stride)] = best.type;
    raw.set(best.filtered, y * (1 + stride) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  fs.writeFileSync(file, Buffer.concat([
    signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]));
}
