// Shared helpers for the golden-file generators (make_golden_*.mjs and the
// TFLite oracle in tflite/). Everything an oracle needs besides the runtime
// itself: the manifest, the sample photos, a deterministic crop + resize to
// uint8, the card's normalisation, and the golden writer.
//
// GOLDEN FORMAT (read by tests/golden_models_test.cc; do not change lightly)
//   tests/golden/<model-id>.json
//     { "model": id,
//       "oracle": "<runtime + version + backend + what exactly was run>",
//       "cases": [ { "image": "sample3.jpg", "box": [x, y, w, h],
//                    "input":   { "shape": [N,H,W,C], "offset": bytes },
//                    "outputs": [ { "name": value name in the model,
//                                   "shape": [...], "offset": bytes } ] } ] }
//   tests/golden/<model-id>.bin   little-endian raw arrays at those offsets:
//     the input as uint8 NHWC (C = 1 for GRAY models; N > 1 stacks crops),
//     each output as float32.
// The network input fed to every runtime is (uint8 - card.input.mean) /
// card.input.std, per channel when mean/std are lists (normalise() below).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GOLDEN_DIR = path.join(REPO_ROOT, 'tests', 'golden');

// $FACEKIT_MODELS, else ~/.cache/facekit (the same rule as the C++ side).
export function modelsDir() {
  return process.env.FACEKIT_MODELS || path.join(os.homedir(), '.cache', 'facekit');
}

export function readManifest() {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', 'manifest.json'), 'utf8'));
}

// The manifest entry of zoo model `id`; throws for an unknown id.
export function manifestModel(id) {
  const m = readManifest().models.find((x) => x.id === id);
  if (!m) throw new Error(`unknown model id ${id}`);
  return m;
}

// Installed path of a model's file: <modelsDir>/<id>/<basename of the manifest path>.
// `index` picks among the model's files (0 = the entry file).
export function modelFile(id, index = 0) {
  const m = manifestModel(id);
  return path.join(modelsDir(), id, path.basename(m.files[index].path));
}

// face-api's demo photos, installed as their own pseudo-model.
export function samplePath(name) {
  return path.join(modelsDir(), 'faceapi-samples', name);
}

// Decodes a JPEG to { width, height, data: Uint8Array RGB } (alpha dropped).
export function decodeJpeg(file) {
  const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: true });
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = img.data[j];
    rgb[i + 1] = img.data[j + 1];
    rgb[i + 2] = img.data[j + 2];
  }
  return { width: img.width, height: img.height, data: rgb };
}

// Crops box [x, y, w, h] (image pixels, may be fractional) out of an RGB image
// and resizes it to outW x outH with bilinear interpolation, returning uint8.
// Sampling is half-pixel centred: output pixel (i, j) reads the source at
//   sx = x + (j + 0.5) * w / outW - 0.5,  sy = y + (i + 0.5) * h / outH - 0.5
// with coordinates clamped to the image (edge pixels repeat). Values are
// rounded half-up and clamped to [0, 255]. The exact resampler does not
// matter to the golden tests (they read the stored uint8 crop), only that it
// is deterministic and gives a natural-looking face.
export function cropResize(img, box, outW, outH) {
  const [bx, by, bw, bh] = box;
  const { width, height, data } = img;
  const out = new Uint8Array(outW * outH * 3);
  const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
  for (let i = 0; i < outH; i++) {
    const sy = clamp(by + ((i + 0.5) * bh) / outH - 0.5, height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = sy - y0;
    for (let j = 0; j < outW; j++) {
      const sx = clamp(bx + ((j + 0.5) * bw) / outW - 0.5, width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, width - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy, xx) => data[(yy * width + xx) * 3 + c];
        const top = p(y0, x0) * (1 - fx) + p(y0, x1) * fx;
        const bottom = p(y1, x0) * (1 - fx) + p(y1, x1) * fx;
        const v = top * (1 - fy) + bottom * fy;
        out[(i * outW + j) * 3 + c] = clamp(Math.floor(v + 0.5), 255);
      }
    }
  }
  return out;
}

// RGB uint8 -> grey uint8 with the weights human 3.3.6 uses for its grey
// models (MATLAB rgb2gray: 0.2989, 0.5870, 0.1140), rounded half-up.
export function toGray(rgb) {
  const n = rgb.length / 3;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = 0.2989 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
    out[i] = Math.min(255, Math.floor(v + 0.5));
  }
  return out;
}

// The uint8 NHWC input of one case for a model card: each box of `image` is
// cropped, resized to the card's H x W, converted to grey for GRAY cards, and
// the crops are stacked along N. Returns { shape, data: Uint8Array }.
export function makeInput(card, imageName, boxes) {
  const [, h, w, c] = card.input.shape;
  const img = decodeJpeg(samplePath(imageName));
  const gray = (card.input.color || 'RGB').toUpperCase() === 'GRAY';
  const parts = boxes.map((b) => {
    const rgb = cropResize(img, b, w, h);
    return gray ? toGray(rgb) : rgb;
  });
  const data = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  const shape = [boxes.length, h, w, gray ? 1 : c];
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`input size mismatch for ${shape}`);
  return { shape, data };
}

// (uint8 - mean) / std as float32, per channel when mean/std are lists
// (channel = index % C, C the last dimension).
export function normalise(card, u8, channels) {
  const asList = (v) => (Array.isArray(v) ? v : [v]);
  const mean = asList(card.input.mean ?? 0);
  const std = asList(card.input.std ?? 1);
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) {
    const c = i % channels;
    out[i] = (u8[i] - mean[c % mean.length]) / std[c % std.length];
  }
  return out;
}

// Builds golden files incrementally: addCase() appends a case, write() saves
// <id>.json and <id>.bin under tests/golden (or `dir`).
export class GoldenWriter {
  constructor(modelId, oracle, dir = GOLDEN_DIR) {
    this.modelId = modelId;
    this.oracle = oracle;
    this.dir = dir;
    this.cases = [];
    this.chunks = [];
    this.size = 0;
  }

  #append(bytes) {
    // Offsets are kept 4-byte aligned so float32 arrays can be read in place.
    const pad = (4 - (this.size % 4)) % 4;
    if (pad) { this.chunks.push(Buffer.alloc(pad)); this.size += pad; }
    const offset = this.size;
    this.chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.size += bytes.byteLength;
    return offset;
  }

  // input: { shape, data: Uint8Array }; outputs: [{ name, shape, data: Float32Array-like }].
  addCase(image, box, input, outputs) {
    const c = { image, box, input: { shape: input.shape, offset: this.#append(input.data) }, outputs: [] };
    for (const o of outputs) {
      const f = o.data instanceof Float32Array ? o.data : Float32Array.from(o.data);
      const n = o.shape.reduce((a, b) => a * b, 1);
      if (f.length !== n) throw new Error(`${this.modelId}: output ${o.name} has ${f.length} values, shape ${o.shape}`);
      c.outputs.push({ name: o.name, shape: o.shape, offset: this.#append(f) });
    }
    this.cases.push(c);
  }

  write() {
    if (os.endianness() !== 'LE') throw new Error('golden files are little-endian; run on a little-endian host');
    fs.mkdirSync(this.dir, { recursive: true });
    const json = { model: this.modelId, oracle: this.oracle, cases: this.cases };
    // One key per line, but arrays of numbers (shapes, boxes) on one line.
    const text = JSON.stringify(json, null, 1)
      .replace(/\[[-\d.,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
    fs.writeFileSync(path.join(this.dir, `${this.modelId}.json`), `${text}\n`);
    fs.writeFileSync(path.join(this.dir, `${this.modelId}.bin`), Buffer.concat(this.chunks));
    console.log(`wrote ${this.modelId}: ${this.cases.length} case(s), ${this.size} bytes`);
  }
}
