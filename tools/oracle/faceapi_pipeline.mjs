// face-api's whole recognition pipeline in Node, per photo: every face with
// its box, its 68 landmarks, the square face-api cut out for the descriptor
// and the 128-D descriptor —
//   detectAllFaces(image, new SsdMobilenetv1Options())
//     .withFaceLandmarks().withFaceDescriptors()
// on @vladmandic/face-api 1.7.15 over tfjs' pure-JS cpu backend, all options
// at their defaults. The crop is recomputed here, from the landmarks, as
// face-api's ComputeAllFaceDescriptorsTask does (landmarks.align(null,
// { useDlibAlignment: true }), FaceLandmarks.alignDlib), so that a test can
// compare crops as well as descriptors.
//
//   node tools/oracle/faceapi_pipeline.mjs [--backend=wasm] OUT.json IMAGE...
//   node tools/oracle/faceapi_pipeline.mjs [--backend=wasm] OUT.json --list FILE
//
// --backend=wasm: tfjs-backend-wasm (SIMD, one thread), several times faster
// than the cpu backend for evaluations over thousands of images; its float
// arithmetic differs slightly (not for goldens). --list: the images, one path
// a line.
//
// IMAGE: .png (8-bit RGB or RGBA, not interlaced) or binary .ppm (P6, 255):
// lossless, so that face-api sees exactly the pixels facekit decodes (JPEG
// decoders disagree, see README.md). OUT.json: { oracle, images: [{ image,
// width, height, faces: [{ box, score, landmarks68, crop, descriptor }] }] },
// boxes [x, y, w, h] in image pixels.
import { readImage } from './lossless_image.mjs';
import { oracleArguments, writeOracleJson } from './oracle_cli.mjs';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { startBackend } from './peer_timing.mjs';

const r6 = (v) => Math.round(v * 1e6) / 1e6;
const box = (b) => [b.x, b.y, b.width, b.height].map(r6);

const args = oracleArguments('faceapi_pipeline.mjs', { backends: 'wasm', defaultBackend: 'cpu' });
const { out, files } = args;
const backend = await startBackend(args.backend);
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.faceLandmark68Net, 'faceapi-landmark68');
await loadNet(faceapi.nets.faceRecognitionNet, 'faceapi-recognition');

const images = [];
for (const file of files) {
  const img = readImage(file);
  const x = tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
  const faces = await faceapi.detectAllFaces(x, new faceapi.SsdMobilenetv1Options())
    .withFaceLandmarks().withFaceDescriptors();
  x.dispose();
  images.push({
    image: file,
    width: img.width,
    height: img.height,
    faces: faces.map((f) => ({
      box: box(f.detection.box),
      score: r6(f.detection.score),
      landmarks68: f.landmarks.positions.map((p) => [r6(p.x), r6(p.y)]),
      // The square the descriptor net was given, before clipping to the image.
      crop: box(f.landmarks.align(null, { useDlibAlignment: true })),
      descriptor: Array.from(f.descriptor, (v) => Number(v.toPrecision(8))),
    })),
  });
  if (images.length % 50 === 0) {
    write(images);  // what is done so far, for long runs
    console.error(`${images.length} / ${files.length} images`);
  }
}
write(images);

function write(done) {
  const result = {
    oracle: `${versions().replace('(cpu backend)', `(${backend} backend)`)}: detectAllFaces(tensor, SsdMobilenetv1Options()).withFaceLandmarks()`
      + '.withFaceDescriptors(), defaults; crop = landmarks.align(null, { useDlibAlignment: true })',
    images: done,
  };
  writeOracleJson(out, result);
}
