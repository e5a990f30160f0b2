// Reads a .tflite flatbuffer into plain JS objects: the first subgraph's
// tensors (with constant data decoded to typed arrays), operators (with their
// builtin options still as flatbuffer tables, read per op in ops.mjs), and
// the graph inputs/outputs.
import fs from 'node:fs';
import { Table } from './flatbuffer.mjs';
import { F, TensorType, DimensionType, SparseIndexVector } from './schema.mjs';
import { halvesToFloat32 } from './fp16.mjs';

// Constant bytes -> a typed array of the tensor's element type. fp16 is
// widened to float32 here (exactly), so DEQUANTIZE is a no-op later.
function decodeConstant(type, bytes) {
  const copy = bytes.slice();               // aligned, detached from the file
  switch (type) {
    case TensorType.FLOAT32: return new Float32Array(copy.buffer);
    case TensorType.FLOAT16: return halvesToFloat32(copy);
    case TensorType.INT32: return new Int32Array(copy.buffer);
    case TensorType.INT64: return Int32Array.from(new BigInt64Array(copy.buffer), Number);
    case TensorType.UINT8: case TensorType.BOOL: return copy;
    case TensorType.INT8: return new Int8Array(copy.buffer);
    default: throw new Error(`constant of unsupported tensor type ${type}`);
  }
}

function readIndexVector(table, tag) {
  if (!table || tag === SparseIndexVector.NONE) return [];
  const v = F.IndexVector.values;
  if (tag === SparseIndexVector.Int32Vector) return table.int32s(v);
  if (tag === SparseIndexVector.Uint16Vector) return table.uint16s(v);
  if (tag === SparseIndexVector.Uint8Vector) return table.uint8s(v);
  throw new Error(`unknown SparseIndexVector tag ${tag}`);
}

function readSparsity(t) {
  if (!t) return null;
  const S = F.SparsityParameters;
  const D = F.DimensionMetadata;
  return {
    traversalOrder: t.int32s(S.traversal_order),
    blockMap: t.int32s(S.block_map),
    dims: t.tables(S.dim_metadata).map((d) => ({
      format: d.int8(D.format, DimensionType.DENSE),
      denseSize: d.int32(D.dense_size),
      segments: readIndexVector(d.table(D.array_segments), d.uint8(D.array_segments_type)),
      indices: readIndexVector(d.table(D.array_indices), d.uint8(D.array_indices_type)),
    })),
  };
}

function opcodeOf(code) {
  const C = F.OperatorCode;
  // Files written before code 127 existed only set the deprecated int8 field;
  // newer writers set both (the deprecated one saturated at 127).
  const builtin = code.int32(C.builtin_code);
  const deprecated = code.int8(C.deprecated_builtin_code);
  return { builtin: Math.max(builtin, deprecated), custom: code.string(C.custom_code) };
}

export function readTfliteModel(file) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const model = Table.root(bytes);
  const buffers = model.tables(F.Model.buffers);
  const opcodes = model.tables(F.Model.operator_codes).map(opcodeOf);
  const subgraphs = model.tables(F.Model.subgraphs);
  if (subgraphs.length !== 1) throw new Error(`${file}: expected 1 subgraph, found ${subgraphs.length}`);
  const sg = subgraphs[0];

  const T = F.Tensor;
  const tensors = sg.tables(F.SubGraph.tensors).map((t, index) => {
    const type = t.int8(T.type, TensorType.FLOAT32);
    const bufferIndex = t.uint32(T.buffer);
    const buf = bufferIndex ? buffers[bufferIndex] : null;
    if (buf && buf.uint32(F.Buffer.offset) > 1) throw new Error('external (offset) buffers are not supported');
    const raw = buf ? buf.bytes(F.Buffer.data) : null;
    return {
      index,
      name: t.string(T.name),
      shape: t.int32s(T.shape),
      type,
      data: raw && raw.length ? decodeConstant(type, raw) : null,
      sparsity: readSparsity(t.table(T.sparsity)),
    };
  });

  const O = F.Operator;
  const operators = sg.tables(F.SubGraph.operators).map((op) => {
    const code = opcodes[op.uint32(O.opcode_index)];
    if (code.custom) throw new Error(`custom op ${code.custom} is not supported`);
    return {
      opcode: code.builtin,
      inputs: op.int32s(O.inputs),
      outputs: op.int32s(O.outputs),
      options: op.table(O.builtin_options),   // null when the op has none
    };
  });

  return {
    tensors,
    operators,
    inputs: sg.int32s(F.SubGraph.inputs),
    outputs: sg.int32s(F.SubGraph.outputs),
  };
}
