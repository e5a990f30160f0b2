// Expands a sparse TFLite constant (TACO-style SparsityParameters) to dense.
// Walks the storage levels in traversal order: a DENSE level of size d turns
// the parent position p into p*d + i; a SPARSE_CSR level enumerates
// indices[segments[p] .. segments[p+1]) and its position is that slot. At the
// last level the position indexes the stored values. Block sparsity
// (block_map) is not used by the zoo models and is rejected.
export function densify(values, shape, sparsity) {
  const { traversalOrder, blockMap, dims } = sparsity;
  if (blockMap.length) throw new Error('block-sparse tensors are not supported');
  if (dims.length !== shape.length) throw new Error('sparsity rank does not match the tensor rank');
  const strides = new Array(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) strides[a] = strides[a + 1] * shape[a + 1];
  const out = new Float32Array(shape.reduce((x, y) => x * y, 1));
  const coord = new Array(shape.length).fill(0);

  const visit = (level, pos) => {
    if (level === dims.length) {
      let flat = 0;
      for (let a = 0; a < shape.length; a++) flat += coord[a] * strides[a];
      out[flat] = values[pos];
      return;
    }
    const d = dims[level];
    const axis = traversalOrder[level];
    if (d.format === 0) {                      // DENSE
      for (let i = 0; i < d.denseSize; i++) { coord[axis] = i; visit(level + 1, pos * d.denseSize + i); }
    } else {                                   // SPARSE_CSR
      for (let j = d.segments[pos]; j < d.segments[pos + 1]; j++) { coord[axis] = d.indices[j]; visit(level + 1, j); }
    }
  };
  visit(0, 0);
  return out;
}
