// Runs an exported .onnx model in ONNX Runtime (CPU, onnxruntime-node) on a
// golden case's input and prints the max relative error of each output
// against the case's expected outputs — an independent check of both
// facekit's ONNX export and, through the golden outputs, its runtime.
//
//   node tools/oracle/ort_compare.mjs MODEL.onnx GOLDEN.json [--tol 1e-4]
//
// (`facekit export ID model.onnx` writes MODEL.onnx for a zoo model.)
//
// GOLDEN.json describes GOLDEN.bin (the same path with .bin), which holds the
// raw little-endian arrays:
//   { "model": "<zoo id>",
//     "inputs":  [{"shape": [1,112,112,3], "dtype": "uint8" | "float32",
//                  "offset": 0, "mean": 127.5, "std": 128.0}],
//     "outputs": [{"shape": [1,192], "offset": 37632}] }   // float32
// The committed goldens wrap input/outputs in "cases" (tests/golden, see
// README.md): then the first case is compared.
// "input" (one object) is accepted for "inputs". A uint8 input is normalised
// as (q - mean) / std, the mean/std coming from the entry, else from the
// top-level "mean"/"std", else from the model card in models/manifest.json.
// Offsets are in bytes; when absent, arrays follow each other in order
// (inputs, then outputs). Inputs and outputs are matched by position, and
// keep the model's own layout (the export keeps the IR's graph interface).
//
// Error per output: max |got - want| / max |want| (floored at 1e-6), the same
// measure as tests/testing.h. Exit status 0 when every output is within
// --tol, 1 otherwise, 2 on a usage or file error.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

function usage(msg) {
  if (msg) console.error(`ort_compare: ${msg}`);
  console.error('usage: node ort_compare.mjs MODEL.onnx GOLDEN.json [--tol 1e-4]');
  process.exit(2);
}

function cardNormalisation(modelId) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const manifest = path.join(here, '..', '..', 'models', 'manifest.json');
  if (!modelId || !fs.existsSync(manifest)) return {};
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8')).models.find((x) => x.id === modelId);
  const input = m && m.card && m.card.input;
  return input ? { mean: input.mean, std: input.std } : {};
}

const numel = (shape) => shape.reduce((a, b) => a * b, 1);

function main() {
  const args = process.argv.slice(2);
  let tol = 1e-4;
  const files = [];
  for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--tol') tol = Number(args[++i]);
    else files.push(args[i]);
  }
  if (files.length !== 2 || !(tol >= 0)) usage();
  const [modelPath, goldenPath] = files;
  const binPath = goldenPath.replace(/\.json$/, '') + '.bin';
  for (const f of [modelPath, goldenPath, binPath]) if (!fs.existsSync(f)) usage(`${f}: no such file`);
  const golden = JSON.parse(fs.readFileSync(goldenPath, 'utf8'));
  const bin = fs.readFileSync(binPath);
  // The committed goldens (tests/golden, see README.md) hold "cases"; the first is used.
  const first = golden.cases ? golden.cases[0] : golden;
  const inputs = first.inputs || (first.input ? [first.input] : []);
  const outputs = first.outputs || [];
  if (!inputs.length || !outputs.length) usage(`${goldenPath}: needs "inputs" and "outputs"`);
  const card = cardNormalisation(golden.model);

  let cursor = 0;
  const slice = (entry, bytesPerElement) => {
    const offset = entry.offset ?? cursor;
    const bytes = numel(entry.shape) * bytesPerElement;
    if (offset + bytes > bin.length) usage(`${binPath}: too short for ${JSON.stringify(entry)}`);
    cursor = offset + bytes;
    return bin.subarray(offset, offset + bytes);
  };
  const floats = (buf) => {
    const out = new Float32Array(buf.length / 4);
    for (let i = 0; i < out.length; ++i) out[i] = buf.readFloatLE(4 * i);
    return out;
  };

  const feedData = inputs.map((e) => {
    if ((e.dtype || 'uint8') === 'float32') return floats(slice(e, 4));
    const q = slice(e, 1);
    // mean/std may be per channel (a list indexed by the last dimension).
    const list = (v) => (Array.isArray(v) ? v : [v]);
    const mean = list(e.mean ?? golden.mean ?? card.mean ?? 0);
    const std = list(e.std ?? golden.std ?? card.std ?? 1);
    const channels = e.shape[e.shape.length - 1];
    return Float32Array.from(q, (v, i) => (v - mean[(i % channels) % mean.length]) / std[(i % channels) % std.length]);
  });
  const want = outputs.map((e) => floats(slice(e, 4)));

  return ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] }).then(async (session) => {
    if (session.inputNames.length !== inputs.length) usage(`model has ${session.inputNames.length} inputs, golden ${inputs.length}`);
    const feeds = {};
    session.inputNames.forEach((name, i) => { feeds[name] = new ort.Tensor('float32', feedData[i], inputs[i].shape); });
    const result = await session.run(feeds);
    let ok = true;
    outputs.forEach((e, k) => {
      const name = session.outputNames[k];
      const got = result[name];
      if (!got) { console.log(`output ${k}: missing in the model`); ok = false; return; }
      const g = got.data, w = want[k];
      if (g.length !== w.length) {
        console.log(`output ${k} (${name}): shape [${got.dims}] vs expected [${e.shape}]`);
        ok = false;
        return;
      }
      let scale = 1e-6, err = 0;
      for (let i = 0; i < w.length; ++i) {
        scale = Math.max(scale, Math.abs(w[i]));
        const d = Math.abs(Number(g[i]) - w[i]);
        err = Number.isNaN(d) ? Infinity : Math.max(err, d);
      }
      const rel = err / scale;
      ok &&= rel <= tol;
      console.log(`output ${k} (${name}) [${got.dims}]: max relative error ${rel.toExponential(3)}${rel <= tol ? '' : '  > tol'}`);
    });
    process.exit(ok ? 0 : 1);
  });
}

main().catch((e) => { console.error(`ort_compare: ${e.message || e}`); process.exit(2); });
