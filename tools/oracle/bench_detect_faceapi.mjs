// Times face-api's detectors in Node, the peer of facekit's bench/detect_bench:
// detectAllFaces with SsdMobilenetv1Options() and TinyFaceDetectorOptions() on
// face-api's sample1.jpg resized to 640 × 480, one thread, on the tfjs wasm
// backend (setThreadsCount(1)), or the pure-JS cpu backend when wasm does not
// start (or with --backend=cpu). Prints JSON: the median ms per image of
// `--runs` timed calls after `--warmup` untimed ones, wall-clock and CPU.
//   node tools/oracle/bench_detect_faceapi.mjs [--backend=wasm|cpu] [--runs=15] [--warmup=3]
import { decodeJpeg, samplePath, cropResize } from './golden.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { cliArg, startBackend, timeMedian } from './peer_timing.mjs';

const runs = Number(cliArg('runs', 15));
const warmup = Number(cliArg('warmup', 3));

const backend = await startBackend(cliArg('backend', 'wasm'));
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.tinyFaceDetector, 'faceapi-tiny-face-detector');

const photo = decodeJpeg(samplePath('sample1.jpg'));
const image = tf.tensor3d(Int32Array.from(cropResize(photo, [0, 0, photo.width, photo.height], 640, 480)),
  [480, 640, 3], 'int32');

const round2 = (v) => Math.round(v * 100) / 100;

async function time(options) {
  const t = await timeMedian(async () => (await faceapi.detectAllFaces(image, options)).length, runs, warmup);
  return { median_ms: round2(t.ms), median_cpu_ms: round2(t.cpuMs), runs, faces: t.last };
}

const result = {
  runtime: versions().replace('(cpu backend)', `(${backend} backend)`),
  image: 'sample1.jpg resized to 640x480',
  ssd: await time(new faceapi.SsdMobilenetv1Options()),
  tiny: await time(new faceapi.TinyFaceDetectorOptions()),
};
console.log(JSON.stringify(result, null, 1));
