// Writes tests/golden/analyze/: face crops as PNG (crop-*.png) and, per crop
// and attribute head, the outputs of the head's own runtime
// (heads.json), read by tests/analyze_heads_test.cc.
//   node tools/oracle/make_golden_analyze.mjs
// Each head's preprocessing is what its runtime applies to a face crop, run
// with tfjs ops here; facekit reimplements it in src/analyze/<head>.cc:
//   face-api nets   AgeGenderNet.forward / FaceExpressionNet.forward on the
//                   crop tensor (face-api pads to square, resizes to 112, and
//                   applies softmax itself)
//   human models    human 3.3.6's code: gear cropAndResize [0, .1, .9, .9] to
//                   198; emotion resizeBilinear 64, grey, (g − .5)·2; faceres
//                   resizeBilinear 224, ×255; antispoof 128 and liveness 32,
//                   resizeBilinear; all on the 0..1 crop; tfjs graph executor
//   antispoof-dtn   resizeBilinear 256 of the 0..1 crop, in the JS TFLite
//                   interpreter (tools/oracle/tflite/)
import fs from 'node:fs';
import path from 'node:path';
import { decodeJpeg, samplePath, cropResize, modelFile, GOLDEN_DIR } from './golden.mjs';
import { FACES } from './sample_faces.mjs';
import { writePngRgb } from './png.mjs';
import { tf, faceapi, initCpu, loadNet, versions } from './faceapi_node.mjs';
import { loadGraphModelFromDisk } from './tfjs_graph_loader.mjs';
import { loadTflite, runOnce } from './tflite/run_model.mjs';

const OUT = path.join(GOLDEN_DIR, 'analyze');

// The crops: each sample face at 160×160, and the first one also cut
// narrower (128×160) so that face-api's padding to a square is exercised.
function makeCrops() {
  const crops = [];
  FACES.forEach((face, i) => {
    const img = decodeJpeg(samplePath(face.image));
    crops.push({ file: `crop-${i + 1}.png`, source: face, width: 160, height: 160,
      rgb: cropResize(img, face.box, 160, 160) });
    if (i === 0) {
      const [x, y, w, h] = face.box;
      const box = [x + 0.1 * w, y, 0.8 * w, h];
      crops.push({ file: 'crop-1-narrow.png', source: { image: face.image, box }, width: 128, height: 160,
        rgb: cropResize(img, box, 128, 160) });
    }
  });
  return crops;
}

const read = (t) => Array.from(t.dataSync());

async function faceapiHeads() {
  await loadNet(faceapi.nets.ageGenderNet, 'faceapi-age-gender');
  await loadNet(faceapi.nets.faceExpressionNet, 'faceapi-expression');
  return {
    'faceapi-age-gender': async (crop) => {
      const x = tf.tensor3d(crop.rgb, [crop.height, crop.width, 3], 'int32');
      const { age, gender } = await faceapi.nets.ageGenderNet.forward(x);
      const out = { age: read(age), gender: read(gender) };
      tf.dispose([x, age, gender]);
      return out;
    },
    'faceapi-expression': async (crop) => {
      const x = tf.tensor3d(crop.rgb, [crop.height, crop.width, 3], 'int32');
      const y = await faceapi.nets.faceExpressionNet.forward(x);
      const out = { expressions: read(y) };
      tf.dispose([x, y]);
      return out;
    },
  };
}

// human's preprocessing of its 0..1 face tensor, per model.
const HUMAN = {
  'human-gear': { outputs: ['Identity', 'Identity_1', 'Identity_2'],
    prepare: (x) => tf.image.cropAndResize(x, [[0, 0.1, 0.9, 0.9]], [0], [198, 198]) },
  'human-emotion': { outputs: ['Identity'],
    prepare: (x) => {
      const grey = tf.sum(tf.mul(tf.image.resizeBilinear(x, [64, 64], false), tf.tensor1d([0.2989, 0.5870, 0.1140])), 3, true);
      return tf.mul(tf.sub(grey, 0.5), 2);
    } },
  'human-faceres': { outputs: ['age_pred/Softmax', 'gender_pred/Sigmoid'],
    prepare: (x) => tf.mul(tf.image.resizeBilinear(x, [224, 224], false), 255) },
  'human-antispoof': { outputs: ['Identity'], prepare: (x) => tf.image.resizeBilinear(x, [128, 128], false) },
  'human-liveness': { outputs: ['Identity'], prepare: (x) => tf.image.resizeBilinear(x, [32, 32], false) },
};

async function humanHeads() {
  const heads = {};
  for (const [id, spec] of Object.entries(HUMAN)) {
    const model = await loadGraphModelFromDisk(tf, modelFile(id));
    heads[id] = async (crop) => tf.tidy(() => {
      const x = tf.div(tf.tensor4d(crop.rgb, [1, crop.height, crop.width, 3], 'float32'), 255);
      let ys = model.execute(spec.prepare(x), spec.outputs);
      if (!Array.isArray(ys)) ys = [ys];
      return Object.fromEntries(spec.outputs.map((name, k) => [name, read(ys[k])]));
    });
  }
  return heads;
}

function dtnHead() {
  const net = loadTflite(modelFile('antispoof-dtn'));
  return {
    'antispoof-dtn': async (crop) => {
      const input = tf.tidy(() => tf.image.resizeBilinear(
        tf.div(tf.tensor4d(crop.rgb, [1, crop.height, crop.width, 3], 'float32'), 255), [256, 256], false));
      const outs = runOnce(net, input.dataSync(), [1, 256, 256, 3]);
      tf.dispose(input);
      return Object.fromEntries(outs.map((o) => [o.name, Array.from(o.data)]));
    },
  };
}

await initCpu();
fs.mkdirSync(OUT, { recursive: true });
const heads = { ...(await faceapiHeads()), ...(await humanHeads()), ...dtnHead() };
const golden = {
  oracle: `${versions()}; human-models graphs in @tensorflow/tfjs ${tf.version.tfjs} graph executor (cpu) with human 3.3.6's `
    + 'preprocessing written here; antispoof-dtn in tools/oracle/tflite (tfjs cpu kernels)',
  crops: [],
};
for (const crop of makeCrops()) {
  writePngRgb(path.join(OUT, crop.file), crop.rgb, crop.width, crop.height);
  const entry = { file: crop.file, source: crop.source, heads: {} };
  for (const [id, run] of Object.entries(heads)) entry.heads[id] = await run(crop);
  golden.crops.push(entry);
  console.log(`${crop.file}: ${Object.keys(entry.heads).length} heads`);
}
const text = JSON.stringify(golden, null, 1).replace(/\[[-\deE.,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
fs.writeFileSync(path.join(OUT, 'heads.json'), `${text}\n`);
console.log(`wrote ${path.join(OUT, 'heads.json')}`);
