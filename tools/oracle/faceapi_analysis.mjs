// face-api's whole analysis pipeline in Node, per photo, in its two forms:
//   landmarks: detectAllFaces(image, new SsdMobilenetv1Options())
//                .withFaceLandmarks().withAgeAndGender().withFaceExpressions()
//   boxes:     detectAllFaces(image, new SsdMobilenetv1Options())
//                .withAgeAndGender().withFaceExpressions()
// on @vladmandic/face-api 1.7.15, all options at their defaults. With
// landmarks face-api cuts the faces for the age/gender and expression nets at
// `alignedRect` (the 68 landmarks' bounding box grown by 20 % of its width and
// height, FaceLandmarks.alignMinBbox); without, at the detection box.
//
//   node tools/oracle/faceapi_analysis.mjs [--backend=wasm] OUT.json (IMAGE... | --list FILE)
//
// IMAGE: .png or .ppm (lossless_image.mjs). OUT.json: { oracle, images: [{ image,
// width, height, landmarks: [face], boxes: [face] }] }, face = { box, score,
// crop_box, age, gender, gender_probability, expressions: {neutral, happy,
// sad, angry, fearful, disgusted, surprised} }, boxes [x, y, w, h] in pixels.
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { readImage } from './lossless_image.mjs';
import { oracleArguments, writeOracleJson } from './oracle_cli.mjs';
import { startBackend } from './peer_timing.mjs';

const r6 = (v) => Math.round(v * 1e6) / 1e6;
const box = (b) => [b.x, b.y, b.width, b.height].map(r6);

const args = oracleArguments('faceapi_analysis.mjs', { backends: 'wasm', defaultBackend: 'cpu' });
const { out, files } = args;
const backend = await startBackend(args.backend);
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.faceLandmark68Net, 'faceapi-landmark68');
await loadNet(faceapi.nets.ageGenderNet, 'faceapi-age-gender');
await loadNet(faceapi.nets.faceExpressionNet, 'faceapi-expression');

const face = (f, cropBox) => ({
  box: box(f.detection.box),
  score: r6(f.detection.score),
  crop_box: box(cropBox),
  age: r6(f.age),
  gender: f.gender,
  gender_probability: r6(f.genderProbability),
  expressions: Object.fromEntries(Object.entries(f.expressions).map(([k, v]) => [k, r6(v)])),
});

const images = [];
for (const file of files) {
  const img = readImage(file);
  const x = tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
  const options = new faceapi.SsdMobilenetv1Options();
  const withLandmarks = await faceapi.detectAllFaces(x, options).withFaceLandmarks().withAgeAndGender().withFaceExpressions();
  const withBoxes = await faceapi.detectAllFaces(x, options).withAgeAndGender().withFaceExpressions();
  x.dispose();
  images.push({
    image: file,
    width: img.width,
    height: img.height,
    landmarks: withLandmarks.map((f) => face(f, f.alignedRect.box)),
    boxes: withBoxes.map((f) => face(f, f.detection.box)),
  });
}
writeOracleJson(out, {
  oracle: `${versions().replace('(cpu backend)', `(${backend} backend)`)}: detectAllFaces(tensor, SsdMobilenetv1Options())`
    + '[.withFaceLandmarks()].withAgeAndGender().withFaceExpressions(), defaults',
  images,
});
