// The golden of facekit's own attribute head (tests/analyze_facekit_head_test.cc):
// each analysis golden crop's raw MobileFaceNet embedding as `facekit represent
// --no-detect` gives it (the head's input), and models/facekit-attributes.onnx
// run on it by ONNX Runtime (CPU, onnxruntime-node) — an implementation
// independent of facekit's ONNX import and executor.
//
//   node tools/oracle/make_golden_facekit_head.mjs [build/facekit]
//
// Writes tests/golden/analyze/facekit_attributes.json: {model, model_sha256,
// cases: [{crop, embedding, gender: [male, female], race: [white, black,
// asian, indian, other]}]}.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const facekit = process.argv[2] || path.join(root, 'build', 'facekit');
const model = path.join(root, 'models', 'facekit-attributes.onnx');
const goldenDir = path.join(root, 'tests', 'golden', 'analyze');
const crops = fs.readdirSync(goldenDir).filter((f) => /^crop-.*\.png$/.test(f)).sort();

const lines = execFileSync(facekit, ['represent', '--no-detect', '--threads', '1', ...crops.map((c) => path.join(goldenDir, c))],
  { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l));
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
const cases = [];
for (let i = 0; i < crops.length; ++i) {
  const embedding = lines[i].faces[0].embedding;
  const input = new ort.Tensor('float32', Float32Array.from(embedding), [1, embedding.length]);
  const out = await session.run({ embedding: input });
  cases.push({ crop: crops[i], embedding, gender: Array.from(out.gender.data), race: Array.from(out.race.data) });
}
const golden = {
  model: 'models/facekit-attributes.onnx',
  model_sha256: crypto.createHash('sha256').update(fs.readFileSync(model)).digest('hex'),
  made_by: `onnxruntime-node ${ort.env.versions?.common ?? ''}`.trim(),
  cases,
};
fs.writeFileSync(path.join(goldenDir, 'facekit_attributes.json'), JSON.stringify(golden, null, 1) + '\n');
console.log(`wrote ${cases.length} cases`);
