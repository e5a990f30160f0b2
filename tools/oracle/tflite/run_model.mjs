// Loads tfjs on its pure-JS cpu backend and runs one TFLite file once.
// Shared by the twin checks and make_golden_tflite.mjs.
import { createRequire } from 'node:module';
import { readTfliteModel } from './model.mjs';
import { TfliteInterpreter } from './interpreter.mjs';

const require = createRequire(import.meta.url);
export const tf = require('@tensorflow/tfjs');

export async function initCpu() {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function loadTflite(file) {
  return new TfliteInterpreter(tf, readTfliteModel(file));
}

// Runs `net` on one float32 NHWC input; returns [{ name, shape, data: Float32Array }].
export function runOnce(net, data, shape) {
  const x = tf.tensor(data, shape, 'float32');
  const outs = net.run([x]);
  const result = outs.map(({ name, tensor }) => ({ name, shape: tensor.shape, data: tensor.dataSync().slice() }));
  tf.dispose([x, ...outs.map((o) => o.tensor)]);
  return result;
}
