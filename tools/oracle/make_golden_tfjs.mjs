// Writes tests/golden/<id>.{json,bin} for every TensorFlow.js graph model in
// models/manifest.json (format "tfjs-graph", the human-models zoo), running
// each with @tensorflow/tfjs on its pure-JS 'cpu' backend.
//   node tools/oracle/make_golden_tfjs.mjs [model-id ...]
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { readManifest, modelFile, makeInput, normalise, GoldenWriter } from './golden.mjs';
import { FACES, SCENES } from './sample_faces.mjs';
import { loadGraphModelFromDisk } from './tfjs_graph_loader.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');

// Detectors see a scene with several faces; every other model a face crop.
const DETECTORS = new Set([
  'human-blazeface', 'human-blazeface-front',
  'human-facemesh-detection-short', 'human-facemesh-detection-full',
]);

// Outputs beyond the graph's declared ones: faceres' descriptor is an
// internal node that the signature does not list.
const EXTRA_OUTPUTS = { 'human-faceres': ['global_pooling/Mean'] };

// Output node names in a stable order: the declared outputs (node names, not
// signature keys: those are what the C++ loader names its values), sorted,
// then the extra ones.
function outputNames(id, model) {
  const declared = model.outputs.map((o) => o.name.replace(/:0$/, ''));
  const extra = EXTRA_OUTPUTS[id] || [];
  return [...declared.filter((n) => !extra.includes(n)).sort(), ...extra];
}

async function makeGolden(entry) {
  const file = modelFile(entry.id);
  if (!fs.existsSync(file)) { console.warn(`skip ${entry.id}: ${file} not installed`); return; }
  const model = await loadGraphModelFromDisk(tf, file);
  const names = outputNames(entry.id, model);
  const card = entry.card;
  const oracle = `@tensorflow/tfjs ${tf.version.tfjs}, backend cpu (pure JS, float32): `
    + `tf.loadGraphModel(tf.io.fromMemory(${path.basename(file)} + shards)), `
    + `model.execute(input, ${JSON.stringify(names)}); `
    + `input = (uint8 - mean) / std with card mean ${JSON.stringify(card.input.mean)}, std ${JSON.stringify(card.input.std)}`;
  const golden = new GoldenWriter(entry.id, oracle);
  for (const region of DETECTORS.has(entry.id) ? SCENES : FACES) {
    const input = makeInput(card, region.image, [region.box]);
    const x = tf.tensor(normalise(card, input.data, input.shape[3]), input.shape, 'float32');
    let ys = model.execute(x, names);
    if (!Array.isArray(ys)) ys = [ys];
    const outputs = names.map((name, k) => ({ name, shape: ys[k].shape, data: ys[k].dataSync() }));
    golden.addCase(region.image, region.box, input, outputs);
    tf.dispose([x, ...ys]);
  }
  golden.write();
  model.dispose();
}

await tf.setBackend('cpu');
await tf.ready();
const wanted = process.argv.slice(2);
for (const entry of readManifest().models) {
  if (entry.format !== 'tfjs-graph') continue;
  if (wanted.length && !wanted.includes(entry.id)) continue;
  await makeGolden(entry);
}
