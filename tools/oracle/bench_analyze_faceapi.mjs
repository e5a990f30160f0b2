// Times face-api's attribute analysis in Node, the peer of facekit's
// bench/analyze_bench: for three faces of the sample photos (fixed boxes, the
// same as there), extractFaceTensors, then AgeGenderNet.predictAgeAndGender
// and FaceExpressionNet.predictExpressions — what withAgeAndGender()
// .withFaceExpressions() does per detected face. One thread on the tfjs wasm
// backend, or the pure-JS cpu backend (--backend=cpu or when wasm fails).
// Prints JSON: faces per second from the median wall-clock and CPU time of
// `--runs` timed passes over the three faces after `--warmup` untimed ones.
//   node tools/oracle/bench_analyze_faceapi.mjs [--backend=wasm|cpu] [--runs=15] [--warmup=3]
import { createRequire } from 'node:module';
import { decodeJpeg, samplePath } from './golden.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const runs = Number(arg('runs', 15));
const warmup = Number(arg('warmup', 3));

// face-api SSD detections (x, y, width, height), as in bench/analyze_bench.cc.
const FACES = [
  { image: 'sample1.jpg', box: [414, 355, 178, 238] },
  { image: 'sample3.jpg', box: [585, 329, 199, 271] },
  { image: 'sample5.jpg', box: [787, 109, 156, 212] },
];

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
await loadNet(faceapi.nets.ageGenderNet, 'faceapi-age-gender');
await loadNet(faceapi.nets.faceExpressionNet, 'faceapi-expression');

const images = FACES.map((f) => {
  const img = decodeJpeg(samplePath(f.image));
  return { tensor: tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32'),
    box: new faceapi.Rect(...f.box) };
});

async function pass() {
  for (const { tensor, box } of images) {
    const [face] = await faceapi.extractFaceTensors(tensor, [box]);
    await faceapi.nets.ageGenderNet.predictAgeAndGender(face);
    await faceapi.nets.faceExpressionNet.predictExpressions(face);
    tf.dispose(face);
  }
}

for (let i = 0; i < warmup; i++) await pass();
const ms = [];
const cpuMs = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await pass();
  const c = process.cpuUsage(c0);
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  cpuMs.push((c.user + c.system) / 1e3);
}
const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
const perSecond = (msPerPass) => Math.round((FACES.length * 1000 / msPerPass) * 10) / 10;
console.log(JSON.stringify({
  runtime: versions().replace('(cpu backend)', `(${backend} backend)`),
  faces: FACES.length,
  runs,
  median_ms_per_pass: Math.round(median(ms) * 100) / 100,
  faces_per_s: perSecond(median(ms)),
  faces_per_s_cpu_time: perSecond(median(cpuMs)),
}, null, 1));
