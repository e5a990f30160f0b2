// The parts of the TFLite schema (tensorflow/lite/schema/schema.fbs) this
// oracle needs: enum values and field indices, transcribed by hand from the
// public schema. Field indices are positions in the table declaration.

export const F = {
  Model: { operator_codes: 1, subgraphs: 2, buffers: 4 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, sparsity: 6 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 },
  SparsityParameters: { traversal_order: 0, block_map: 1, dim_metadata: 2 },
  DimensionMetadata: {
    format: 0, dense_size: 1,
    array_segments_type: 2, array_segments: 3, array_indices_type: 4, array_indices: 5,
  },
  // Int32Vector / Uint16Vector / Uint8Vector all have one field, values.
  IndexVector: { values: 0 },
};

// TensorType
export const TensorType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7, INT8: 9,
};

// DimensionType and the SparseIndexVector union tags.
export const DimensionType = { DENSE: 0, SPARSE_CSR: 1 };
export const SparseIndexVector = { NONE: 0, Int32Vector: 1, Uint16Vector: 2, Uint8Vector: 3 };

// BuiltinOperator values of the ops the zoo models use (plus a few cheap
// neighbours). Codes >= 127 only live in builtin_code; older files put the
// code in deprecated_builtin_code (an int8) and leave builtin_code at 0.
export const Op = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4,
  DEPTH_TO_SPACE: 5, DEQUANTIZE: 6, FULLY_CONNECTED: 9, LOGISTIC: 14, MAX_POOL_2D: 17,
  MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25, TANH: 28,
  PAD: 34, SUB: 41, DIV: 42, STRIDED_SLICE: 45, EXP: 47, CAST: 53, MAXIMUM: 55, MINIMUM: 57,
  LESS: 58, NEG: 59, GREATER: 61, GREATER_EQUAL: 62, SUM: 74, REDUCE_MAX: 82,
  LEAKY_RELU: 98, ABS: 101, DENSIFY: 124,
};
export const OpName = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k]));

// ActivationFunctionType and Padding.
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 };
export const Padding = { SAME: 0, VALID: 1 };

// Field indices inside the builtin_options tables.
export const Options = {
  Conv2D: { padding: 0, stride_w: 1, stride_h: 2, fused_activation_function: 3, dilation_w_factor: 4, dilation_h_factor: 5 },
  DepthwiseConv2D: {
    padding: 0, stride_w: 1, stride_h: 2, depth_multiplier: 3, fused_activation_function: 4,
    dilation_w_factor: 5, dilation_h_factor: 6,
  },
  Pool2D: { padding: 0, stride_w: 1, stride_h: 2, filter_width: 3, filter_height: 4, fused_activation_function: 5 },
  FullyConnected: { fused_activation_function: 0, weights_format: 1, keep_num_dims: 2 },
  // AddOptions, SubOptions, MulOptions, DivOptions: activation is field 0.
  Binary: { fused_activation_function: 0 },
  Concatenation: { axis: 0, fused_activation_function: 1 },
  Reshape: { new_shape: 0 },
  Reducer: { keep_dims: 0 },
  ResizeBilinear: { align_corners: 2, half_pixel_centers: 3 },
  DepthToSpace: { block_size: 0 },
  StridedSlice: { begin_mask: 0, end_mask: 1, ellipsis_mask: 2, new_axis_mask: 3, shrink_axis_mask: 4, offset: 5 },
  LeakyRelu: { alpha: 0 },
  Softmax: { beta: 0 },
};
