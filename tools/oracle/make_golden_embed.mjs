// Writes the recognizer goldens: aligned face crops as PNG files and, per
// recognizer, the embeddings its own runtime computes from them.
//   node tools/oracle/make_golden_embed.mjs [recognizer ...]
//
// tests/golden/embed/<image>-<size>.png   the crops (face-api sample photos,
//     the fixed boxes of sample_faces.mjs, cropResize to 112, 150 and 224 px:
//     each recognizer reads the crops of its own input size, so no runtime
//     resizes and both sides see the very same pixels)
// tests/golden/embed/<recognizer>.json    { recognizer, model, oracle,
//     cases: [ { crop, image, box, embedding: [...] } ] }
//
// tests/embed_recognizers_test.cc runs facekit's recognizers (include/facekit/
// embed.h) on the same PNG files and requires cosine similarity >= 0.9999.
// The embeddings are the raw network outputs (no L2 normalisation added).
import fs from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR, manifestModel, modelFile, decodeJpeg, samplePath, cropResize, normalise } from './golden.mjs';
import { FACES } from './sample_faces.mjs';
import { writePngRgb } from './png.mjs';
import { loadGraphModelFromDisk } from './tfjs_graph_loader.mjs';
import { tf, faceapi, initCpu, loadNet, versions } from './faceapi_node.mjs';
import { loadTflite, runOnce } from './tflite/run_model.mjs';

const OUT_DIR = path.join(GOLDEN_DIR, 'embed');

// One crop per face of FACES at `size` x `size`: { name, image, box, rgb }.
function crops(size) {
  return FACES.map(({ image, box }) => ({
    name: `${path.basename(image, '.jpg')}-${size}.png`,
    image,
    box,
    rgb: cropResize(decodeJpeg(samplePath(image)), box, size, size),
  }));
}

// expo's MobileFaceNet.tflite in the JS TFLite interpreter. The file takes a
// pair (batch 2), fed (x - 127.5) / 128 as the expo app does (the card's
// mean/std); crops go in pairs, the last one paired with the first.
async function tfliteMobileFaceNet(entry, faces) {
  const net = loadTflite(modelFile(entry.id));
  const out = [];
  for (let i = 0; i < faces.length; i += 2) {
    const pair = [faces[i], faces[i + 1] ?? faces[0]];
    const u8 = new Uint8Array(pair[0].rgb.length * 2);
    u8.set(pair[0].rgb, 0);
    u8.set(pair[1].rgb, pair[0].rgb.length);
    const [embeddings] = runOnce(net, normalise(entry.card, u8, 3), [2, 112, 112, 3]);
    out.push(embeddings.data.slice(0, 192));
    if (faces[i + 1]) out.push(embeddings.data.slice(192, 384));
  }
  return {
    embeddings: out,
    oracle: 'tools/oracle/tflite (JS TFLite interpreter on @tensorflow/tfjs 4.22.0 cpu), MobileFaceNet.tflite '
      + 'run on pairs [2,112,112,3], input (x - 127.5) / 128 as the expo app feeds it; output "embeddings" row per crop',
  };
}

// face-api's own public call: FaceRecognitionNet.computeFaceDescriptor on the
// uint8 150x150 crop (its toNetInput pads to square and resizes to 150: an
// identity here; forwardInput normalises inside).
async function faceapiDescriptor(entry, faces) {
  const net = await loadNet(faceapi.nets.faceRecognitionNet, entry.id);
  const out = [];
  for (const f of faces) {
    const x = tf.tensor3d(Int32Array.from(f.rgb), [150, 150, 3], 'int32');
    out.push(await net.computeFaceDescriptor(x));
    x.dispose();
  }
  return { embeddings: out, oracle: `${versions()}: faceRecognitionNet.computeFaceDescriptor(uint8 150x150x3 crop)` };
}

// human-models graphs in tfjs's graph executor, fed (x - mean) / std from the
// card (what human 3.3.6 feeds them; see tools/oracle/README.md), reading
// `node` (faceres' descriptor is the internal node global_pooling/Mean).
function tfjsGraph(node) {
  return async (entry, faces) => {
    const model = await loadGraphModelFromDisk(tf, modelFile(entry.id));
    const size = entry.card.input.shape[1];
    const out = [];
    for (const f of faces) {
      const x = tf.tensor(normalise(entry.card, f.rgb, 3), [1, size, size, 3], 'float32');
      const y = model.execute(x, node);
      out.push(y.dataSync().slice());
      tf.dispose([x, y]);
    }
    model.dispose();
    return {
      embeddings: out,
      oracle: `@tensorflow/tfjs ${tf.version.tfjs} cpu: tf.loadGraphModel(${path.basename(modelFile(entry.id))}), `
        + `model.execute((x - ${entry.card.input.mean}) / ${entry.card.input.std}, "${node}")`,
    };
  };
}

const RECOGNIZERS = [
  { name: 'mobilefacenet', model: 'mobilefacenet-tflite', size: 112, run: tfliteMobileFaceNet },
  { name: 'faceapi', model: 'faceapi-recognition', size: 150, run: faceapiDescriptor },
  { name: 'faceres', model: 'human-faceres', size: 224, run: tfjsGraph('global_pooling/Mean') },
  { name: 'mobileface', model: 'human-mobileface', size: 112, run: tfjsGraph('batchnorm0/add_1') },
  { name: 'human-mobilefacenet', model: 'human-mobilefacenet', size: 112, run: tfjsGraph('embeddings') },
];

await initCpu();
fs.mkdirSync(OUT_DIR, { recursive: true });
const wanted = process.argv.slice(2);
const written = new Set();
for (const r of RECOGNIZERS) {
  if (wanted.length && !wanted.includes(r.name)) continue;
  const entry = manifestModel(r.model);
  if (!fs.existsSync(modelFile(r.model))) { console.warn(`skip ${r.name}: ${r.model} not installed`); continue; }
  const faces = crops(r.size);
  for (const f of faces) {
    if (written.has(f.name)) continue;
    writePngRgb(path.join(OUT_DIR, f.name), f.rgb, r.size, r.size);
    written.add(f.name);
  }
  const { embeddings, oracle } = await r.run(entry, faces);
  const golden = {
    recognizer: r.name,
    model: r.model,
    oracle,
    cases: faces.map((f, i) => ({ crop: f.name, image: f.image, box: f.box, embedding: Array.from(embeddings[i]) })),
  };
  const text = JSON.stringify(golden, null, 1).replace(/\[[-\d.,e\s]*\]/g, (a) => a.replace(/\s+/g, ''));
  fs.writeFileSync(path.join(OUT_DIR, `${r.name}.json`), `${text}\n`);
  console.log(`wrote ${r.name}: ${faces.length} crops, ${embeddings[0].length}-D`);
}
