// Validates the interpreter against TFJS graph models that hold the same
// weights as a TFLite file (see MODELS.md): both run on the same float input
// and their outputs are compared element-wise. The TFJS side goes through
// tfjs-converter's graph executor, which shares no code with this reader.
//   node tools/oracle/tflite/twin_check.mjs
import path from 'node:path';
import { manifestModel, modelFile, modelsDir, makeInput, normalise } from '../golden.mjs';
import { FACES, SCENES } from '../sample_faces.mjs';
import { loadGraphModelFromDisk } from '../tfjs_graph_loader.mjs';
import { tf, initCpu, loadTflite, runOnce } from './run_model.mjs';
import { readTfliteModel } from './model.mjs';
import { TfliteInterpreter } from './interpreter.mjs';
import { Op } from './schema.mjs';
import { densify } from './densify.mjs';

function maxAbsDiff(a, b) {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return { diff: d, scale: m };
}

function l2normaliseRows(data, dim) {
  const out = new Float32Array(data.length);
  for (let r = 0; r < data.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[r * dim + j] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[r * dim + j] = data[r * dim + j] * inv;
  }
  return out;
}

// Splits TFJS [N, A, 17] rows into their regressor (16) and score (1) parts,
// with the score at column `scoreCol` (0 or 16).
function splitDetections(data, scoreCol) {
  const rows = data.length / 17;
  const reg = new Float32Array(rows * 16);
  const score = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    score[r] = data[r * 17 + scoreCol];
    for (let j = 0, k = 0; j < 17; j++) if (j !== scoreCol) reg[r * 16 + k++] = data[r * 17 + j];
  }
  return { reg, score };
}

async function runTwin(twinId, x, outputName) {
  const model = await loadGraphModelFromDisk(tf, path.join(modelsDir(), twinId, `${twinId.replace(/^human-/, '')}.json`));
  const t = tf.tensor(x.data, x.shape, 'float32');
  const y = model.execute(t, outputName);
  const data = y.dataSync().slice();
  tf.dispose([t, y]);
  model.dispose();
  return data;
}

function floatInput(id, region, batchRegions = [region]) {
  const card = manifestModel(id).card;
  const u8 = makeInput(card, region.image, batchRegions.map((r) => r.box));
  return { shape: u8.shape, data: normalise(card, u8.data, u8.shape[3]) };
}

// human-models' mobilefacenet is not an exact twin: its conversion changed
// the function in two ways, both visible in its model.json.
//  1. Every PReLU slope constant (the `.../mul` operand of
//     relu(x) + mul * (x - |x|)) has the opposite sign.
//  2. The 16 depthwise convolutions followed by a PReLU were fused with its
//     Relu (FusedDepthwiseConv2dNative [BiasAdd, Relu]) while Abs/Sub still
//     read the fused output, so those PReLUs act as plain ReLUs.
// To check the interpreter anyway, the TFLite copy is edited in memory to
// compute the twin's function: slopes negated, and zeroed after depthwise.
function emulateTwinConversion(model) {
  const producer = new Map();
  for (const op of model.operators) for (const o of op.outputs) producer.set(o, op);
  let negated = 0;
  let zeroed = 0;
  for (const op of model.operators) {
    if (op.opcode !== Op.MUL) continue;
    const slope = model.tensors[op.inputs[0]];
    if (!slope.data || slope.shape.length !== 1 || !/\/mul$/.test(slope.name)) continue;
    const sub = producer.get(op.inputs[1]);                 // x - |x|
    const pre = producer.get(sub.inputs[0]);                // the op producing x
    if (pre.opcode === Op.DEPTHWISE_CONV_2D) { slope.data = slope.data.map(() => 0); zeroed++; }
    else { slope.data = slope.data.map((v) => -v); negated++; }
  }
  return { negated, zeroed };
}

async function checkMobileFaceNet() {
  const x = floatInput('mobilefacenet-tflite', FACES[0], FACES.slice(0, 2));
  const twin = await runTwin('human-mobilefacenet', x, 'embeddings');
  const [asIs] = runOnce(loadTflite(modelFile('mobilefacenet-tflite')), x.data, x.shape);
  const raw = maxAbsDiff(l2normaliseRows(asIs.data, 192), twin);
  console.log(`mobilefacenet-tflite vs human-mobilefacenet (L2-normalised embeddings, 2x192), file as is: `
    + `max |diff| ${raw.diff.toExponential(2)} (max |value| ${raw.scale.toFixed(3)})`);
  const model = readTfliteModel(modelFile('mobilefacenet-tflite'));
  const edits = emulateTwinConversion(model);
  const [ours] = runOnce(new TfliteInterpreter(tf, model), x.data, x.shape);
  const r = maxAbsDiff(l2normaliseRows(ours.data, 192), twin);
  console.log(`mobilefacenet-tflite vs human-mobilefacenet, twin conversion emulated (${edits.negated} slopes negated, ${edits.zeroed} zeroed): `
    + `max |diff| ${r.diff.toExponential(2)} (max |value| ${r.scale.toFixed(3)})`);
}

async function checkBlazeFace(id, twinId, twinOutput) {
  const x = floatInput(id, SCENES[0]);
  const [reg, cls] = runOnce(loadTflite(modelFile(id)), x.data, x.shape);
  const twin = await runTwin(twinId, x, twinOutput);
  for (const scoreCol of [0, 16]) {
    const t = splitDetections(twin, scoreCol);
    const dr = maxAbsDiff(reg.data, t.reg);
    const ds = maxAbsDiff(cls.data, t.score);
    console.log(`${id} vs ${twinId} (score in column ${scoreCol}): regressors max |diff| ${dr.diff.toExponential(2)} `
      + `(max |value| ${dr.scale.toFixed(2)}), scores max |diff| ${ds.diff.toExponential(2)} (max |value| ${ds.scale.toFixed(2)})`);
  }
}

// facemesh-detection-short differs from face_detection_short_range.tflite in
// one weight: a single element of conv2d_16's kernel is one fp16 ulp apart.
// Copying the twin's 1x1 conv kernels into the TFLite model (in memory) makes
// the two the same function, and the outputs must then agree exactly.
async function checkBlazeFaceShortExact() {
  const twinId = 'human-facemesh-detection-short';
  const graph = await loadGraphModelFromDisk(tf, path.join(modelsDir(), twinId, 'facemesh-detection-short.json'));
  const prefix = 'StatefulPartitionedCall/model/';
  const model = readTfliteModel(modelFile('blazeface-short'));
  let changed = 0;
  for (const t of model.tensors) {
    const m = /^(.*)\/Kernel$/.exec(t.name);
    const w = m && graph.weights[`${prefix}${m[1]}/Conv2D_weights`];
    if (!w) continue;
    const ohwi = tf.transpose(w[0], [3, 0, 1, 2]);          // TFJS stores HWIO
    const twinValues = ohwi.dataSync();
    ohwi.dispose();
    for (let i = 0; i < twinValues.length; i++) if (twinValues[i] !== t.data[i]) { t.data[i] = twinValues[i]; changed++; }
  }
  graph.dispose();
  const x = floatInput('blazeface-short', SCENES[0]);
  const [reg, cls] = runOnce(new TfliteInterpreter(tf, model), x.data, x.shape);
  const t = splitDetections(await runTwin(twinId, x, 'Identity'), 0);
  console.log(`blazeface-short vs ${twinId} with the twin's conv kernels (${changed} weight(s) changed): `
    + `regressors max |diff| ${maxAbsDiff(reg.data, t.reg).diff}, scores max |diff| ${maxAbsDiff(cls.data, t.score).diff}`);
}

// DENSIFY on its own: every sparse 1x1 kernel of the sparse full-range model,
// densified here, against the dense kernel of the same name in the TFJS twin.
async function checkDensifiedKernels() {
  const graph = await loadGraphModelFromDisk(tf, path.join(modelsDir(), 'human-facemesh-detection-full', 'facemesh-detection-full.json'));
  const model = readTfliteModel(modelFile('blazeface-full-sparse'));
  let equal = 0;
  const differing = [];
  for (const t of model.tensors.filter((x) => x.sparsity)) {
    const name = t.name.replace(/^model_1\//, 'StatefulPartitionedCall/').replace(/Conv2D_dequantize$/, 'Conv2D_weights');
    if (!graph.weights[name]) throw new Error(`twin has no weight ${name}`);
    const ohwi = tf.transpose(graph.weights[name][0], [3, 0, 1, 2]);
    const twin = ohwi.dataSync();
    ohwi.dispose();
    const ours = densify(t.data, t.shape, t.sparsity);
    const diffs = [];
    for (let i = 0; i < ours.length; i++) if (ours[i] !== twin[i]) diffs.push(`${ours[i]} vs ${twin[i]}`);
    if (diffs.length) differing.push(`${name.split('/').at(-2)}: ${diffs.length}/${ours.length} (${diffs[0]})`);
    else equal++;
  }
  graph.dispose();
  console.log(`blazeface-full-sparse: densified sparse kernels equal to the twin's: ${equal}; differing: ${differing.length}`
    + (differing.length ? ` [${differing.join('; ')}]` : ''));
}

await initCpu();
await checkMobileFaceNet();
await checkBlazeFace('blazeface-short', 'human-facemesh-detection-short', 'Identity');
await checkBlazeFaceShortExact();
await checkDensifiedKernels();
await checkBlazeFace('blazeface-full-sparse', 'human-facemesh-detection-full', 'Identity');
