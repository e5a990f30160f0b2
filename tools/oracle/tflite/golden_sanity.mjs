// Behavioural checks on the TFLite goldens, for the models without a TFJS
// twin (MTCNN, the anti-spoofing DTN, full-range BlazeFace): the outputs must
// look like what the model is for. Prints one line per case.
//   node tools/oracle/tflite/golden_sanity.mjs
import fs from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR } from '../golden.mjs';

function readGolden(id) {
  const json = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, `${id}.json`), 'utf8'));
  const bin = fs.readFileSync(path.join(GOLDEN_DIR, `${id}.bin`));
  const floats = (o) => new Float32Array(bin.buffer.slice(bin.byteOffset + o.offset,
    bin.byteOffset + o.offset + 4 * o.shape.reduce((a, b) => a * b, 1)));
  return json.cases.map((c) => ({ c, out: c.outputs.map((o) => ({ name: o.name, data: floats(o) })) }));
}

const sigmoid = (v) => 1 / (1 + Math.exp(-v));
const fmt = (a) => Array.from(a).map((v) => v.toFixed(3)).join(',');
let failures = 0;
const expect = (ok, line) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`); if (!ok) failures++; };

// MTCNN: softmax rows sum to 1 (REDUCE_MAX/SUB/EXP/SUM/DIV), face crops score high.
for (const id of ['mtcnn-rnet', 'mtcnn-onet']) {
  for (const { c, out } of readGolden(id)) {
    const p = out[0].data;
    expect(Math.abs(p[0] + p[1] - 1) < 1e-6 && p[1] > 0.8, `${id} ${c.image}: prob ${fmt(p)}`);
  }
}
for (const { c, out } of readGolden('mtcnn-pnet')) {
  const p = out[0].data;
  let faces = 0;
  let worstSum = 0;
  for (let i = 0; i < p.length; i += 2) { worstSum = Math.max(worstSum, Math.abs(p[i] + p[i + 1] - 1)); if (p[i + 1] > 0.9) faces++; }
  expect(worstSum < 1e-6 && faces > 0, `mtcnn-pnet ${c.image}: ${faces} cells with face prob > 0.9, max |sum - 1| ${worstSum.toExponential(1)}`);
}
// DTN: the leaf mask (LESS / GREATER_EQUAL / CAST / MUL routing) selects exactly one leaf.
for (const { c, out } of readGolden('antispoof-dtn')) {
  const [cls, mask] = [out[0].data, out[1].data];
  const score = cls.reduce((s, v, i) => s + Math.abs(v) * mask[i], 0);
  expect(mask.every((v) => v === 0 || v === 1) && mask.reduce((a, b) => a + b) === 1,
    `antispoof-dtn ${c.image}: leaf mask ${Array.from(mask).join('')}, score ${score.toFixed(4)}`);
}
// BlazeFace: some anchors fire on photos with faces.
for (const id of ['blazeface-short', 'blazeface-full', 'blazeface-full-sparse']) {
  for (const { c, out } of readGolden(id)) {
    const scores = out.find((o) => o.data.length < 3000).data.map(sigmoid);
    const hits = scores.filter((s) => s > 0.5).length;
    expect(hits > 0, `${id} ${c.image}: ${hits} anchors with score > 0.5, max ${Math.max(...scores).toFixed(3)}`);
  }
}
if (failures) { console.error(`${failures} check(s) failed`); process.exit(1); }
