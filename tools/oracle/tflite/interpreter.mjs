// Runs a model read by model.mjs on @tensorflow/tfjs, operator by operator in
// file order (TFLite files are stored topologically sorted).
//   const net = new TfliteInterpreter(tf, readTfliteModel(file));
//   const outs = net.run([inputTensor]);   // [{ name, tensor }], graph order
// Input shapes may differ from the ones declared in the file (P-Net is fully
// convolutional); shapes are taken from the actual tensors as they flow.
import { makeKernels } from './ops.mjs';
import { OpName, TensorType } from './schema.mjs';

const TF_DTYPE = { [TensorType.FLOAT32]: 'float32', [TensorType.FLOAT16]: 'float32', [TensorType.INT32]: 'int32',
  [TensorType.INT64]: 'int32', [TensorType.BOOL]: 'bool', [TensorType.UINT8]: 'int32', [TensorType.INT8]: 'int32' };

export class TfliteInterpreter {
  constructor(tf, model) {
    this.tf = tf;
    this.model = model;
    this.kernels = makeKernels(tf);
    for (const op of model.operators) {
      if (!this.kernels[op.opcode]) throw new Error(`op ${OpName[op.opcode] ?? op.opcode} is not implemented`);
    }
    // Index of the last operator reading each tensor, to free activations early.
    this.lastUse = new Map();
    model.operators.forEach((op, k) => op.inputs.forEach((i) => this.lastUse.set(i, k)));
  }

  // `onOutput(name, tensor)`, when given, sees every computed tensor (debugging).
  run(inputs, onOutput = null) {
    const { tf, model } = this;
    if (inputs.length !== model.inputs.length) throw new Error(`expected ${model.inputs.length} input(s)`);
    const values = new Map();                   // tensor index -> tf.Tensor
    model.inputs.forEach((i, k) => values.set(i, inputs[k]));
    const keep = new Set([...model.inputs, ...model.outputs]);

    const constant = (i) => {
      const t = model.tensors[i];
      if (!values.has(i)) values.set(i, tf.tensor(t.data, t.shape, TF_DTYPE[t.type]));
      return values.get(i);
    };
    model.operators.forEach((op, k) => {
      const ctx = {
        opt: op.options,
        inputs: () => op.inputs,
        hasInput: (n) => n < op.inputs.length && op.inputs[n] >= 0,
        inTensor: (n) => model.tensors[op.inputs[n]],
        outTensor: (n) => model.tensors[op.outputs[n]],
        x: (n) => {
          const i = op.inputs[n];
          if (i === undefined || i < 0) return null;
          if (values.has(i)) return values.get(i);
          if (model.tensors[i].data && !model.tensors[i].sparsity) return constant(i);
          throw new Error(`tensor ${model.tensors[i].name} is read before it is computed`);
        },
        ints: (n) => {
          const t = model.tensors[op.inputs[n]];
          return Array.from(t.data && !t.sparsity ? t.data : ctx.x(n).dataSync());
        },
      };
      let outs;
      try {
        outs = this.kernels[op.opcode](ctx);
      } catch (e) {
        e.message = `op #${k} ${OpName[op.opcode]} -> ${model.tensors[op.outputs[0]].name}: ${e.message}`;
        throw e;
      }
      op.outputs.forEach((i, n) => values.set(i, outs[n]));
      if (onOutput) op.outputs.forEach((i, n) => onOutput(model.tensors[i].name, outs[n]));
      // Free inputs whose last reader was this op (constants are re-made on demand).
      for (const i of op.inputs) {
        if (i >= 0 && this.lastUse.get(i) === k && !keep.has(i) && values.has(i)) {
          values.get(i).dispose();
          values.delete(i);
        }
      }
    });
    const result = model.outputs.map((i) => ({ name: model.tensors[i].name, tensor: values.get(i) }));
    for (const [i, t] of values) if (!model.outputs.includes(i) && !model.inputs.includes(i)) t.dispose();
    return result;
  }
}
