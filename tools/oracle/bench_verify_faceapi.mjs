// Times face-api's verification in Node, the peer of facekit's
// BM_verify_faceapi (bench/embed_bench.cc): on face-api's sample1.jpg and
// sample2.jpg (full size, decoded to tensors beforehand), detectSingleFace
// (SsdMobilenetv1Options) + withFaceLandmarks() + withFaceDescriptor() on
// each, then the Euclidean distance of the two descriptors. One thread, on
// the tfjs wasm backend (setThreadsCount(1)), or the pure-JS cpu backend when
// wasm does not start (or with --backend=cpu). Prints JSON: the median ms per
// verification of `--runs` timed calls after `--warmup` untimed ones,
// wall-clock and CPU, and the distance.
//   node tools/oracle/bench_verify_faceapi.mjs [--backend=wasm|cpu] [--runs=10] [--warmup=2]
import { createRequire } from 'node:module';
import { decodeJpeg, samplePath } from './golden.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const runs = Number(arg('runs', 10));
const warmup = Number(arg('warmup', 2));

async function startBackend(wanted) {
  if (wanted === 'wasm') {
    try {
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      wasm.setThreadsCount(1);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return `wasm (threads: ${wasm.getThreadsCount()})`;
      }
    } catch (e) {
      console.error(`wasm backend failed (${e.message}); using cpu`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

const backend = await startBackend(arg('backend', 'wasm'));
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.faceLandmark68Net, 'faceapi-landmark68');
await loadNet(faceapi.nets.faceRecognitionNet, 'faceapi-recognition');

const tensorOf = (file) => {
  const img = decodeJpeg(samplePath(file));
  return tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
};
const a = tensorOf('sample1.jpg');
const b = tensorOf('sample2.jpg');

async function verify() {
  const options = new faceapi.SsdMobilenetv1Options();
  const fa = await faceapi.detectSingleFace(a, options).withFaceLandmarks().withFaceDescriptor();
  const fb = await faceapi.detectSingleFace(b, options).withFaceLandmarks().withFaceDescriptor();
  return faceapi.euclideanDistance(fa.descriptor, fb.descriptor);
}

let distance = 0;
for (let i = 0; i < warmup; i++) await verify();
const ms = [];
const cpuMs = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  distance = await verify();
  const c = process.cpuUsage(c0);
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  cpuMs.push((c.user + c.system) / 1e3);
}
const median = (v) => Math.round(v.sort((x, y) => x - y)[Math.floor(v.length / 2)] * 100) / 100;
// CPU time (the whole process) is the steadier figure on a shared machine.
console.log(JSON.stringify({
  runtime: versions().replace('(cpu backend)', `(${backend} backend)`),
  images: 'sample1.jpg, sample2.jpg (full size)',
  verify: { median_ms: median(ms), median_cpu_ms: median(cpuMs), runs, distance: Math.round(distance * 1e4) / 1e4 },
}, null, 1));
