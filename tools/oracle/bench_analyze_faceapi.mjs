// Times face-api's attribute analysis in Node, the peer of facekit's
// bench/analyze_bench: for three faces of the sample photos (fixed boxes, the
// same as there), extractFaceTensors, then AgeGenderNet.predictAgeAndGender
// and FaceExpressionNet.predictExpressions — what withAgeAndGender()
// .withFaceExpressions() does per detected face. One thread on the tfjs wasm
// backend, or the pure-JS cpu backend (--backend=cpu or when wasm fails).
// Prints JSON: faces per second from the median wall-clock and CPU time of
// `--runs` timed passes over the three faces after `--warmup` untimed ones.
//   node tools/oracle/bench_analyze_faceapi.mjs [--backend=wasm|cpu] [--runs=15] [--warmup=3]
import { decodeJpeg, samplePath } from './golden.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { cliArg, startBackend, timeMedian } from './peer_timing.mjs';

const runs = Number(cliArg('runs', 15));
const warmup = Number(cliArg('warmup', 3));

// face-api SSD detections (x, y, width, height), as in bench/analyze_bench.cc.
const FACES = [
  { image: 'sample1.jpg', box: [414, 355, 178, 238] },
  { image: 'sample3.jpg', box: [585, 329, 199, 271] },
  { image: 'sample5.jpg', box: [787, 109, 156, 212] },
];

const backend = await startBackend(cliArg('backend', 'wasm'));
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

const t = await timeMedian(pass, runs, warmup);
const perSecond = (msPerPass) => Math.round((FACES.length * 1000 / msPerPass) * 10) / 10;
console.log(JSON.stringify({
  runtime: versions().replace('(cpu backend)', `(${backend} backend)`),
  faces: FACES.length,
  runs,
  median_ms_per_pass: Math.round(t.ms * 100) / 100,
  faces_per_s: perSecond(t.ms),
  faces_per_s_cpu_time: perSecond(t.cpuMs),
}, null, 1));
