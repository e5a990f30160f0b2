// Prints a .tflite file as this reader sees it: inputs, outputs and an op
// histogram, to compare by eye with MODELS.md section 1.
//   node tools/oracle/tflite/summary.mjs model.tflite
import { readTfliteModel } from './model.mjs';
import { OpName } from './schema.mjs';

const m = readTfliteModel(process.argv[2]);
const show = (i) => `${m.tensors[i].name} [${m.tensors[i].shape}] type ${m.tensors[i].type}`;
console.log('inputs: ', m.inputs.map(show).join('; '));
console.log('outputs:', m.outputs.map(show).join('; '));
const hist = {};
for (const op of m.operators) { const n = OpName[op.opcode] ?? `op${op.opcode}`; hist[n] = (hist[n] || 0) + 1; }
console.log(`ops (${m.operators.length}):`, Object.entries(hist).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', '));
console.log('sparse tensors:', m.tensors.filter((t) => t.sparsity).length);
