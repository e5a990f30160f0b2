// Writes tests/golden/<id>.{json,bin} for the seven face-api weight sets,
// running face-api's own networks (@vladmandic/face-api on @tensorflow/tfjs,
// 'cpu' backend) and keeping their RAW outputs — the tensors before face-api's
// JS post-processing (softmax, box decoding, landmark rescaling), named as in
// src/nn/faceapi/README.md.
//   node tools/oracle/make_golden_faceapi.mjs [model-id ...]
//
// The golden input is the uint8 crop at the net's input size, fed to face-api
// as is: its forward normalises inside (SSD: x/127.5 - 1; tiny detector:
// (x - [117.001, 114.697, 97.404]) / 255; the others:
// (x - [122.782, 117.001, 104.298]) / 255), and so do facekit's graphs, whose
// cards therefore say mean 0 / std 1. The crop is already square and at the
// input size, so face-api's own pad-to-square and resize are identities.
import fs from 'node:fs';
import { readManifest, modelFile, makeInput, GoldenWriter } from './golden.mjs';
import { FACES, SCENES } from './sample_faces.mjs';
import { tf, faceapi, initCpu, loadNet, versions } from './faceapi_node.mjs';
import { spyOnKernel } from './kernel_spy.mjs';

// SSD: forwardInput decodes boxes and applies the sigmoid internally, so the
// prediction layer's outputs are captured as they enter that decoding: the
// box encodings [N, 5118, 1, 4] reshaped to [-1, 4] (the anchors [N, 5118, 4]
// go through the same reshape: rank tells them apart) and the class logits
// sliced from class 1. The encodings are stored as [N, 5118, 4].
// Then, as facekit's graph also does, outputLayer's own results: the decoded
// boxes and the face scores (batch 1: boxes[0], scores[0] given a batch axis).
function ssdRaw(net, input) {
  const boxSpy = spyOnKernel(tf, 'Reshape', 'cpu', 'x',
    (ins, attrs) => ins.x.shape.length === 4 && ins.x.shape[3] === 4 && `${attrs.shape}` === '-1,4');
  const classSpy = spyOnKernel(tf, 'Slice', 'cpu', 'x',
    (ins, attrs) => ins.x.shape.length === 3 && ins.x.shape[2] === 3 && `${attrs.begin}` === '0,0,1');
  let decoded;
  try {
    const { boxes, scores } = net.forwardInput(input);
    if (boxes.length !== 1) throw new Error('SSD goldens use batch 1');
    decoded = [
      { name: 'boxes', shape: [1, ...boxes[0].shape], data: boxes[0].dataSync().slice() },
      { name: 'scores', shape: [1, ...scores[0].shape], data: scores[0].dataSync().slice() },
    ];
    tf.dispose([...boxes, ...scores]);
  } finally {
    boxSpy.restore();
    classSpy.restore();
  }
  if (boxSpy.captured.length !== 1 || classSpy.captured.length !== 1) {
    throw new Error(`SSD spy caught ${boxSpy.captured.length} box and ${classSpy.captured.length} class tensors, want 1 each`);
  }
  return [
    { name: 'box_predictions', shape: boxSpy.captured[0].shape.filter((_, i) => i !== 2), data: boxSpy.captured[0].data },
    { name: 'class_predictions', ...classSpy.captured[0] },
    ...decoded,
  ];
}

// Reads tensors into golden outputs and disposes them.
function take(named) {
  return named.map(({ name, t, shape }) => {
    const out = { name, shape: shape || t.shape, data: t.dataSync().slice() };
    t.dispose();
    return out;
  });
}

const NETS = {
  'faceapi-ssd-mobilenetv1': {
    net: () => faceapi.nets.ssdMobilenetv1, regions: SCENES, raw: ssdRaw,
    what: 'SsdMobilenetv1.forwardInput: prediction-layer outputs captured at the Reshape/Slice kernels feeding outputLayer, then its boxes[0] and scores[0]',
  },
  'faceapi-tiny-face-detector': {
    net: () => faceapi.nets.tinyFaceDetector, regions: SCENES,
    raw: (net, input) => take([{ name: 'output', t: net.forwardInput(input, 416) }]),
    what: 'TinyFaceDetector.forwardInput(input, 416) (raw YOLO grid, before decoding)',
  },
  'faceapi-landmark68': {
    net: () => faceapi.nets.faceLandmark68Net, regions: FACES,
    raw: (net, input) => take([{ name: 'landmarks', t: net.runNet(input) }]),
    what: 'FaceLandmark68Net.runNet (before postProcess rescaling)',
  },
  'faceapi-landmark68-tiny': {
    net: () => faceapi.nets.faceLandmark68TinyNet, regions: FACES,
    raw: (net, input) => take([{ name: 'landmarks', t: net.runNet(input) }]),
    what: 'FaceLandmark68TinyNet.runNet (before postProcess rescaling)',
  },
  'faceapi-recognition': {
    net: () => faceapi.nets.faceRecognitionNet, regions: FACES,
    raw: (net, input) => take([{ name: 'descriptor', t: net.forwardInput(input) }]),
    what: 'FaceRecognitionNet.forwardInput (the 128-D descriptor)',
  },
  'faceapi-age-gender': {
    net: () => faceapi.nets.ageGenderNet, regions: FACES,
    raw: (net, input) => {
      const { age, gender } = net.runNet(input);
      // runNet flattens age with as1D(); the fully connected layer gives [N, 1].
      return take([{ name: 'age', t: age, shape: [age.shape[0], 1] }, { name: 'gender', t: gender }]);
    },
    what: 'AgeGenderNet.runNet (age regression, gender logits before softmax)',
  },
  'faceapi-expression': {
    net: () => faceapi.nets.faceExpressionNet, regions: FACES,
    raw: (net, input) => take([{ name: 'expressions', t: net.runNet(input) }]),
    what: 'FaceExpressionNet.runNet (logits before softmax)',
  },
};

async function makeGolden(entry, spec) {
  if (!fs.existsSync(modelFile(entry.id))) { console.warn(`skip ${entry.id}: not installed`); return; }
  const net = await loadNet(spec.net(), entry.id);
  const oracle = `${versions()}: ${spec.what}, fed the uint8 crop (face-api normalises it itself)`;
  const golden = new GoldenWriter(entry.id, oracle);
  for (const region of spec.regions) {
    const input = makeInput(entry.card, region.image, [region.box]);
    const x = tf.tensor4d(Int32Array.from(input.data), input.shape, 'int32');
    const netInput = await faceapi.toNetInput(x);
    golden.addCase(region.image, region.box, input, spec.raw(net, netInput));
    x.dispose();
  }
  golden.write();
}

await initCpu();
const wanted = process.argv.slice(2);
for (const entry of readManifest().models) {
  if (entry.format !== 'faceapi') continue;
  if (wanted.length && !wanted.includes(entry.id)) continue;
  await makeGolden(entry, NETS[entry.id]);
}
