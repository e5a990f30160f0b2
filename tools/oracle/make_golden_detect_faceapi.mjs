// Writes tests/golden/detect-faceapi.json (+ the PNG inputs it refers to,
// tests/golden/detect-faceapi/sampleN.png): face-api's own end-to-end results
// on its six sample photos — detectAllFaces with SsdMobilenetv1Options and
// TinyFaceDetectorOptions (defaults), and for the SSD faces withFaceLandmarks()
// with the full and the tiny 68-point net.
//   node tools/oracle/make_golden_detect_faceapi.mjs    (3-10 min: tfjs cpu backend)
//
// Why PNG inputs: JPEG decoders disagree (jpeg-js and libjpeg-turbo differ by
// up to 34 levels on these photos, which moves SSD scores by up to 0.012), so
// each photo is decoded here once, scaled to 640 px wide (golden.mjs
// cropResize) and stored losslessly; face-api and facekit then see the same
// pixels. 640 px keeps the goldens small and still makes face-api pad (the
// photos are landscape) and resize (to 512 and 416) as it does for any photo.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { GOLDEN_DIR, decodeJpeg, samplePath, cropResize } from './golden.mjs';
import { tf, faceapi, initCpu, loadNet, versions } from './faceapi_node.mjs';

const WIDTH = 640;
const IMAGES = [1, 2, 3, 4, 5, 6].map((i) => `sample${i}`);
const PNG_DIR = path.join(GOLDEN_DIR, 'detect-faceapi');

// CRC-32 (IEEE) as PNG chunks need it.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// An 8-bit RGB PNG, each row with the "Up" filter (photos compress better).
function encodePng({ width, height, data }) {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 2;
    for (let x = 0; x < stride; x++) {
      const up = y > 0 ? data[(y - 1) * stride + x] : 0;
      raw[y * (stride + 1) + 1 + x] = (data[y * stride + x] - up) & 0xff;
    }
  }
  const chunk = (type, body) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);  // 8-bit, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const r6 = (v) => Math.round(v * 1e6) / 1e6;
const box = (b) => [b.x, b.y, b.width, b.height].map(r6);
const points = (lm) => lm.positions.map((p) => [r6(p.x), r6(p.y)]);

await initCpu();
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.tinyFaceDetector, 'faceapi-tiny-face-detector');
await loadNet(faceapi.nets.faceLandmark68Net, 'faceapi-landmark68');
await loadNet(faceapi.nets.faceLandmark68TinyNet, 'faceapi-landmark68-tiny');
fs.mkdirSync(PNG_DIR, { recursive: true });

const images = [];
for (const name of IMAGES) {
  const full = decodeJpeg(samplePath(`${name}.jpg`));
  const height = Math.round((full.height * WIDTH) / full.width);
  const img = { width: WIDTH, height, data: cropResize(full, [0, 0, full.width, full.height], WIDTH, height) };
  fs.writeFileSync(path.join(PNG_DIR, `${name}.png`), encodePng(img));

  const x = tf.tensor3d(Int32Array.from(img.data), [height, WIDTH, 3], 'int32');
  const ssd = await faceapi.detectAllFaces(x, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks();
  const ssdTiny = await faceapi.detectAllFaces(x, new faceapi.SsdMobilenetv1Options()).withFaceLandmarks(true);
  const tiny = await faceapi.detectAllFaces(x, new faceapi.TinyFaceDetectorOptions());
  x.dispose();
  images.push({
    image: `detect-faceapi/${name}.png`,
    source: `${name}.jpg`,
    width: WIDTH,
    height,
    ssd: ssd.map((f, i) => ({
      box: box(f.detection.box),
      score: r6(f.detection.score),
      landmarks68: points(f.landmarks),
      landmarks68_tiny: points(ssdTiny[i].landmarks),
    })),
    tiny: tiny.map((d) => ({ box: box(d.box), score: r6(d.score) })),
  });
  console.log(`${name}: ${ssd.length} SSD faces, ${tiny.length} tiny faces`);
}

const golden = {
  oracle: `${versions()}: detectAllFaces(tensor, SsdMobilenetv1Options() | TinyFaceDetectorOptions()), `
    + 'SSD faces withFaceLandmarks() (landmarks68) and withFaceLandmarks(true) (landmarks68_tiny); '
    + 'boxes [x, y, w, h] and landmarks in image pixels',
  images,
};
// One key per line, arrays of numbers on one line.
const text = JSON.stringify(golden, null, 1).replace(/\[[-\d.,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
fs.writeFileSync(path.join(GOLDEN_DIR, 'detect-faceapi.json'), `${text}\n`);
console.log('wrote tests/golden/detect-faceapi.json');
