// Times face-api's detectors in Node, the peer of facekit's bench/detect_bench:
// detectAllFaces with SsdMobilenetv1Options() and TinyFaceDetectorOptions() on
// face-api's sample1.jpg resized to 640 × 480, one thread, on the tfjs wasm
// backend (setThreadsCount(1)), or the pure-JS cpu backend when wasm does not
// start (or with --backend=cpu). Prints JSON: the median ms per image of
// `--runs` timed calls after `--warmup` untimed ones, wall-clock and CPU.
//   node tools/oracle/bench_detect_faceapi.mjs [--backend=wasm|cpu] [--runs=15] [--warmup=3]
import { createRequire } from 'node:module';
import { decodeJpeg, samplePath, cropResize } from './golden.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const runs = Number(arg('runs', 15));
const warmup = Number(arg('warmup', 3));

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
await loadNet(faceapi.nets.tinyFaceDetector, 'faceapi-tiny-face-detector');

const photo = decodeJpeg(samplePath('sample1.jpg'));
const image = tf.tensor3d(Int32Array.from(cropResize(photo, [0, 0, photo.width, photo.height], 640, 480)),
  [480, 640, 3], 'int32');

async function time(options) {
  let faces = 0;
  for (let i = 0; i < warmup; i++) await faceapi.detectAllFaces(image, options);
  const ms = [];
  const cpuMs = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    faces = (await faceapi.detectAllFaces(image, options)).length;
    const c = process.cpuUsage(c0);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpuMs.push((c.user + c.system) / 1e3);
  }
  const median = (v) => Math.round(v.sort((a, b) => a - b)[Math.floor(v.length / 2)] * 100) / 100;
  // CPU time (the whole process) is the steadier figure on a shared machine.
  return { median_ms: median(ms), median_cpu_ms: median(cpuMs), runs, faces };
}

const result = {
  runtime: versions().replace('(cpu backend)', `(${backend} backend)`),
  image: 'sample1.jpg resized to 640x480',
  ssd: await time(new faceapi.SsdMobilenetv1Options()),
  tiny: await time(new faceapi.TinyFaceDetectorOptions()),
};
console.log(JSON.stringify(result, null, 1));
