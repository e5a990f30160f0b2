// Loads @vladmandic/face-api in Node on @tensorflow/tfjs's pure-JS 'cpu'
// backend (exact float32 arithmetic, no native binaries), with weights read
// from the installed zoo files rather than fetched.
import { createRequire } from 'node:module';
import path from 'node:path';
import { modelsDir, manifestModel } from './golden.mjs';

const require = createRequire(import.meta.url);
// The node-wasm bundle only requires @tensorflow/tfjs (+ the wasm backend,
// which we do not select): it shares the tfjs instance we configure here.
export const tf = require('@tensorflow/tfjs');
export const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

export async function initCpu() {
  await tf.setBackend('cpu');
  await tf.ready();
  if (tf.getBackend() !== 'cpu') throw new Error(`expected the cpu backend, got ${tf.getBackend()}`);
}

// Loads face-api net `net` (e.g. faceapi.nets.ssdMobilenetv1) from zoo model `id`.
export async function loadNet(net, id) {
  const m = manifestModel(id);
  const dir = path.join(modelsDir(), id);
  await net.loadFromDisk(dir);
  if (!net.isLoaded) throw new Error(`${id}: face-api did not load ${m.files[0].path}`);
  return net;
}

export function versions() {
  return `@vladmandic/face-api ${faceapi.version} on @tensorflow/tfjs ${tf.version.tfjs} (cpu backend)`;
}
