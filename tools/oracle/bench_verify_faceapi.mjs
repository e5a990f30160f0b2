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
import { decodeJpeg, samplePath } from './golden.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { cliArg, startBackend, timeMedian } from './peer_timing.mjs';

const runs = Number(cliArg('runs', 10));
const warmup = Number(cliArg('warmup', 2));

const backend = await startBackend(cliArg('backend', 'wasm'));
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

const t = await timeMedian(verify, runs, warmup);
const round2 = (v) => Math.round(v * 100) / 100;
console.log(JSON.stringify({
  runtime: versions().replace('(cpu backend)', `(${backend} backend)`),
  images: 'sample1.jpg, sample2.jpg (full size)',
  verify: { median_ms: round2(t.ms), median_cpu_ms: round2(t.cpuMs), runs, distance: Math.round(t.last * 1e4) / 1e4 },
}, null, 1));
