// Writes tests/golden/<id>.{json,bin} for the TFLite zoo models (format
// "tflite" in models/manifest.json), running each with the independent
// JavaScript TFLite interpreter in tflite/ on @tensorflow/tfjs's pure-JS cpu
// backend (see tflite/README.md for why that is independent of facekit).
//   node tools/oracle/make_golden_tflite.mjs [model-id ...]
import fs from 'node:fs';
import path from 'node:path';
import { readManifest, modelFile, makeInput, decodeJpeg, samplePath, cropResize, normalise, GoldenWriter } from './golden.mjs';
import { FACES, SCENES } from './sample_faces.mjs';
import { tf, initCpu, loadTflite, runOnce } from './tflite/run_model.mjs';

// MTCNN (converted from Caffe) sees images transposed (W <-> H), as the
// Android code feeds it; upright crops give it poor face probabilities. So all
// three nets get transposed crops. P-Net is fully convolutional: its input is
// a small downscale of a real photo region, 120 wide x 160 high, stored
// transposed as [1, 120, 160, 3]; faces there are ~20 px, near P-Net's 12 px
// window, so the probability map has real responses.
const MTCNN = new Set(['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet']);
const PNET_REGION = { image: 'sample4.jpg', box: [381, 0, 1086, 1448] };
const PNET_SIZE = { w: 120, h: 160 };

// Which photo regions each model sees. Detectors get a multi-face scene
// (the short-range one, made for close faces, also a face crop); MobileFaceNet
// takes pairs (batch 2 in the file); the rest single face crops.
const CASES = {
  'mtcnn-pnet': [[PNET_REGION]],
  'mtcnn-rnet': FACES.map((f) => [f]),
  'mtcnn-onet': FACES.map((f) => [f]),
  'mobilefacenet-tflite': [[FACES[0], FACES[1]], [FACES[2], FACES[0]]],
  'antispoof-dtn': FACES.slice(0, 2).map((f) => [f]),
  'blazeface-short': [[SCENES[0]], [FACES[0]]],
  'blazeface-full': [[SCENES[0]]],
  'blazeface-full-sparse': [[SCENES[0]]],
};

// [1, W, H, 3]: the region resized to W x H, then rows and columns swapped.
function transposedInput(region, { w, h }) {
  const rgb = cropResize(decodeJpeg(samplePath(region.image)), region.box, w, h);
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) out[(x * h + y) * 3 + c] = rgb[(y * w + x) * 3 + c];
    }
  }
  return { shape: [1, w, h, 3], data: out };
}

// Stacks the crops of `regions` (possibly from different photos) along N.
function stackedInput(card, regions) {
  const parts = regions.map((r) => makeInput(card, r.image, [r.box]));
  const data = new Uint8Array(parts.reduce((s, p) => s + p.data.length, 0));
  parts.forEach((p, k) => data.set(p.data, k * p.data.length));
  return { shape: [regions.length, ...parts[0].shape.slice(1)], data };
}

function oracleText(file, card, extra) {
  return `facekit tools/oracle/tflite (own flatbuffer reader + per-op interpreter in JavaScript) `
    + `on @tensorflow/tfjs ${tf.version.tfjs}, backend cpu (pure JS, float32); fp16 weights widened exactly, `
    + `sparse weights densified; ran ${path.basename(file)} as stored; `
    + `input = (uint8 - mean) / std with card mean ${JSON.stringify(card.input.mean)}, std ${JSON.stringify(card.input.std)}${extra}`;
}

function makeGolden(entry) {
  const file = modelFile(entry.id);
  if (!fs.existsSync(file)) { console.warn(`skip ${entry.id}: ${file} not installed`); return; }
  const { card } = entry;
  const net = loadTflite(file);
  const transposed = MTCNN.has(entry.id);
  const [, h, w] = card.input.shape;
  const size = entry.id === 'mtcnn-pnet' ? PNET_SIZE : { w, h };
  const extra = transposed ? `; input is the box resized to ${size.w}x${size.h} (WxH) and `
    + `transposed to [1,${size.w},${size.h},3], as MTCNN is fed` : '';
  const golden = new GoldenWriter(entry.id, oracleText(file, card, extra));
  const caseRegions = CASES[entry.id];
  if (!caseRegions) throw new Error(`no cases defined for ${entry.id}`);
  for (const regions of caseRegions) {
    const input = transposed ? transposedInput(regions[0], size) : stackedInput(card, regions);
    const outputs = runOnce(net, normalise(card, input.data, input.shape[3]), input.shape);
    golden.addCase(regions[0].image, regions[0].box, input, outputs);
    // Batched cases come from several photos: list every crop, in batch order.
    if (regions.length > 1) golden.cases.at(-1).crops = regions.map((r) => ({ image: r.image, box: r.box }));
  }
  golden.write();
}

await initCpu();
const wanted = process.argv.slice(2);
for (const entry of readManifest().models) {
  if (entry.format !== 'tflite') continue;
  if (wanted.length && !wanted.includes(entry.id)) continue;
  makeGolden(entry);
}
