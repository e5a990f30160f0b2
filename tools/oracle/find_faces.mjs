// Prints the faces face-api's SSD-MobileNetV1 finds in the sample photos, as
// [x, y, w, h] boxes. Run once; the boxes are then hard-coded in
// sample_faces.mjs so the goldens never depend on a detector's output.
//   node tools/oracle/find_faces.mjs
import { decodeJpeg, samplePath } from './golden.mjs';
import { tf, faceapi, initCpu, loadNet } from './faceapi_node.mjs';

await initCpu();
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
for (let i = 1; i <= 6; i++) {
  const name = `sample${i}.jpg`;
  const img = decodeJpeg(samplePath(name));
  const t = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  const dets = await faceapi.detectAllFaces(t, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }));
  t.dispose();
  for (const d of dets) {
    const b = d.box;
    console.log(name, d.score.toFixed(3), JSON.stringify([b.x, b.y, b.width, b.height].map(Math.round)));
  }
}
