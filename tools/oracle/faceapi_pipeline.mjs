// face-api's whole recognition pipeline in Node, per photo: every face with
// its box, its 68 landmarks, the square face-api cut out for the descriptor
// and the 128-D descriptor —
//   detectAllFaces(image, new SsdMobilenetv1Options())
//     .withFaceLandmarks().withFaceDescriptors()
// on @vladmandic/face-api 1.7.15 over tfjs' pure-JS cpu backend, all options
// at their defaults. The crop is recomputed here, from the landmarks, as
// face-api's ComputeAllFaceDescriptorsTask does (landmarks.align(null,
// { useDlibAlignment: true }), FaceLandmarks.alignDlib), so that a test can
// compare crops as well as descriptors.
//
//   node tools/oracle/faceapi_pipeline.mjs [--backend=wasm] OUT.json IMAGE...
//   node tools/oracle/faceapi_pipeline.mjs [--backend=wasm] OUT.json --list FILE
//
// --backend=wasm: tfjs-backend-wasm (SIMD, one thread), several times faster
// than the cpu backend for evaluations over thousands of images; its float
// arithmetic differs slightly (not for goldens). --list: the images, one path
// a line.
//
// IMAGE: .png (8-bit RGB or RGBA, not interlaced) or binary .ppm (P6, 255):
// lossless, so that face-api sees exactly the pixels facekit decodes (JPEG
// decoders disagree, see README.md). OUT.json: { oracle, images: [{ image,
// width, height, faces: [{ box, score, landmarks68, crop, descriptor }] }] },
// boxes [x, y, w, h] in image pixels.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { startBackend } from './peer_timing.mjs';

// Binary PPM: "P6", width, height, maxval 255, whitespace-separated, one
// whitespace byte, then RGB bytes.
function readPpm(buf) {
  const fields = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[i]))) i++;
    if (buf[i] === 0x23) { while (buf[i] !== 0x0a) i++; continue; }  // comment line
    let s = '';
    while (!/\s/.test(String.fromCharCode(buf[i]))) s += String.fromCharCode(buf[i++]);
    fields.push(s);
  }
  const [magic, w, h, max] = fields;
  if (magic !== 'P6' || max !== '255') throw new Error(`not an 8-bit binary PPM (${magic}, max ${max})`);
  const width = Number(w), height = Number(h);
  return { width, height, data: Uint8Array.from(buf.subarray(i + 1, i + 1 + width * height * 3)) };
}

// PNG, 8-bit RGB(A), non-interlaced: the five row filters of the PNG spec.
function readPng(buf) {
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0)
        throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
      channels = colour === 2 ? 3 : 4;
    } else if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = (v + pred) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += channels) data.set(px.subarray(j, j + 3), i);
  return { width, height, data };
}

function readImage(file) {
  const buf = fs.readFileSync(file);
  if (file.endsWith('.ppm')) return readPpm(buf);
  if (file.endsWith('.png')) return readPng(buf);
  throw new Error(`${file}: expected .png or .ppm`);
}

const r6 = (v) => Math.round(v * 1e6) / 1e6;
const box = (b) => [b.x, b.y, b.width, b.height].map(r6);

const args = process.argv.slice(2);
const backendArg = args.find((a) => a.startsWith('--backend='));
const positional = args.filter((a) => !a.startsWith('--backend='));
const [out, ...rest] = positional;
const files = rest[0] === '--list'
  ? fs.readFileSync(rest[1], 'utf8').split('\n').filter((l) => l.length > 0)
  : rest;
if (!out || files.length === 0) {
  console.error('usage: node tools/oracle/faceapi_pipeline.mjs [--backend=wasm] OUT.json (IMAGE.png|IMAGE.ppm... | --list FILE)');
  process.exit(2);
}

const backend = await startBackend(backendArg ? backendArg.slice('--backend='.length) : 'cpu');
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.faceLandmark68Net, 'faceapi-landmark68');
await loadNet(faceapi.nets.faceRecognitionNet, 'faceapi-recognition');

const images = [];
for (const file of files) {
  const img = readImage(file);
  const x = tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
  const faces = await faceapi.detectAllFaces(x, new faceapi.SsdMobilenetv1Options())
    .withFaceLandmarks().withFaceDescriptors();
  x.dispose();
  images.push({
    image: file,
    width: img.width,
    height: img.height,
    faces: faces.map((f) => ({
      box: box(f.detection.box),
      score: r6(f.detection.score),
      landmarks68: f.landmarks.positions.map((p) => [r6(p.x), r6(p.y)]),
      // The square the descriptor net was given, before clipping to the image.
      crop: box(f.landmarks.align(null, { useDlibAlignment: true })),
      descriptor: Array.from(f.descriptor, (v) => Number(v.toPrecision(8))),
    })),
  });
  if (images.length % 50 === 0) {
    write(images);  // what is done so far, for long runs
    console.error(`${images.length} / ${files.length} images`);
  }
}
write(images);

function write(done) {
  const result = {
    oracle: `${versions().replace('(cpu backend)', `(${backend} backend)`)}: detectAllFaces(tensor, SsdMobilenetv1Options()).withFaceLandmarks()`
      + '.withFaceDescriptors(), defaults; crop = landmarks.align(null, { useDlibAlignment: true })',
    images: done,
  };
  // One key per line, arrays of numbers on one line.
  const text = JSON.stringify(result, null, 1).replace(/\[[-\d.e,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
  fs.writeFileSync(`${out}.tmp`, `${text}\n`);
  fs.renameSync(`${out}.tmp`, out);
}
