// Seeds the hand-labelled face boxes of the sample photos
// (tests/data/faces-labelled.json): prints every face face-api's
// SSD-MobileNetV1 finds at a low threshold, on the whole photo and on
// overlapping half-size tiles (SSD sees a 512×512 resize, so small faces
// show up only in tiles), merged by IoU. The output is a starting point:
// every box is then checked, corrected, added or removed by eye.
//   node tools/oracle/seed_face_labels.mjs > /tmp/seed.json
import { decodeJpeg, samplePath } from './golden.mjs';
import { tf, faceapi, initCpu, loadNet } from './faceapi_node.mjs';

const MIN_CONFIDENCE = 0.3;

function iou(a, b) {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / (a[2] * a[3] + b[2] * b[3] - iw * ih);
}

async function detect(img, x0, y0, w, h) {
  const crop = new Int32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) crop[(y * w + x) * 3 + c] = img.data[((y0 + y) * img.width + x0 + x) * 3 + c];
  const t = tf.tensor3d(crop, [h, w, 3], 'int32');
  const dets = await faceapi.detectAllFaces(t, new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_CONFIDENCE }));
  t.dispose();
  return dets.map((d) => ({ score: d.score, box: [d.box.x + x0, d.box.y + y0, d.box.width, d.box.height] }));
}

await initCpu();
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
const result = {};
for (let i = 1; i <= 6; i++) {
  const name = `sample${i}.jpg`;
  const img = decodeJpeg(samplePath(name));
  let found = await detect(img, 0, 0, img.width, img.height);
  const tw = Math.round(img.width * 0.6), th = Math.round(img.height * 0.6);
  for (const fx of [0, 1]) for (const fy of [0, 1])
    found = found.concat(await detect(img, fx * (img.width - tw), fy * (img.height - th), tw, th));
  found.sort((a, b) => b.score - a.score);
  const kept = [];
  for (const f of found) if (!kept.some((k) => iou(k.box, f.box) > 0.3)) kept.push(f);
  result[name] = kept.map((f) => ({ score: +f.score.toFixed(3), box: f.box.map(Math.round) }));
  console.error(name, kept.length);
}
console.log(JSON.stringify(result, null, 1));
