// One function per TFLite builtin op, each mapped onto @tensorflow/tfjs ops.
// A kernel gets a context `c` (see interpreter.mjs):
//   c.x(k)     input k as a tf.Tensor (null for an omitted optional input)
//   c.ints(k)  input k's values as a JS array (shape/axes/paddings operands)
//   c.opt      the builtin_options table (null when absent)
//   c.outType(k), c.inTensor(k)  model metadata of output/input k
// and returns its outputs as an array of tf.Tensors.
import { Op, Options as O, Activation, Padding, TensorType } from './schema.mjs';
import { densify } from './densify.mjs';

export function makeKernels(tf) {
  const act = (y, code) => {
    switch (code) {
      case Activation.NONE: return y;
      case Activation.RELU: return tf.relu(y);
      case Activation.RELU6: return tf.relu6(y);
      case Activation.RELU_N1_TO_1: return tf.clipByValue(y, -1, 1);
      case Activation.TANH: return tf.tanh(y);
      default: throw new Error(`fused activation ${code} is not supported`);
    }
  };
  const pad = (c, field) => (c.opt.int8(field, Padding.SAME) === Padding.SAME ? 'same' : 'valid');
  const int = (c, field, def = 0) => (c.opt ? c.opt.int32(field, def) : def);
  const activation = (c, field) => (c.opt ? c.opt.int8(field) : Activation.NONE);
  const withBias = (y, b) => (b ? tf.add(y, b) : y);

  const binary = (fn) => (c) => [act(fn(c.x(0), c.x(1)), activation(c, O.Binary.fused_activation_function))];
  const unary = (fn) => (c) => [fn(c.x(0))];
  const tfDtype = (type) => ({
    [TensorType.FLOAT32]: 'float32', [TensorType.INT32]: 'int32', [TensorType.BOOL]: 'bool',
  })[type] ?? (() => { throw new Error(`cast to tensor type ${type} is not supported`); })();

  return {
    [Op.CONV_2D]: (c) => {
      const o = O.Conv2D;
      const hwio = tf.transpose(c.x(1), [1, 2, 3, 0]);       // TFLite stores OHWI
      const y = tf.conv2d(c.x(0), hwio, [int(c, o.stride_h, 1), int(c, o.stride_w, 1)], pad(c, o.padding),
        'NHWC', [int(c, o.dilation_h_factor, 1), int(c, o.dilation_w_factor, 1)]);
      return [act(withBias(y, c.x(2)), activation(c, o.fused_activation_function))];
    },
    [Op.DEPTHWISE_CONV_2D]: (c) => {
      const o = O.DepthwiseConv2D;
      const [, kh, kw, cm] = c.x(1).shape;                  // TFLite stores [1, H, W, C*M]
      const channels = c.x(0).shape[3];
      const filter = tf.reshape(c.x(1), [kh, kw, channels, cm / channels]);
      const y = tf.depthwiseConv2d(c.x(0), filter, [int(c, o.stride_h, 1), int(c, o.stride_w, 1)],
        pad(c, o.padding), 'NHWC', [int(c, o.dilation_h_factor, 1), int(c, o.dilation_w_factor, 1)]);
      return [act(withBias(y, c.x(2)), activation(c, o.fused_activation_function))];
    },
    [Op.FULLY_CONNECTED]: (c) => {
      const o = O.FullyConnected;
      if (c.opt && c.opt.int8(o.weights_format) !== 0) throw new Error('shuffled FC weights are not supported');
      const w = c.x(1);                                     // [units, depth]
      const x = c.x(0);
      const y = withBias(tf.matMul(tf.reshape(x, [-1, w.shape[1]]), w, false, true), c.x(2));
      const keep = c.opt ? c.opt.bool(o.keep_num_dims) : false;
      const out = keep ? tf.reshape(y, [...x.shape.slice(0, -1), w.shape[0]]) : y;
      return [act(out, activation(c, o.fused_activation_function))];
    },
    [Op.MAX_POOL_2D]: (c) => pool(c, tf.maxPool),
    [Op.AVERAGE_POOL_2D]: (c) => pool(c, tf.avgPool),
    [Op.ADD]: binary(tf.add),
    [Op.SUB]: binary(tf.sub),
    [Op.MUL]: binary(tf.mul),
    [Op.DIV]: binary(tf.div),
    [Op.MAXIMUM]: (c) => [tf.maximum(c.x(0), c.x(1))],
    [Op.MINIMUM]: (c) => [tf.minimum(c.x(0), c.x(1))],
    [Op.LESS]: (c) => [tf.less(c.x(0), c.x(1))],
    [Op.GREATER]: (c) => [tf.greater(c.x(0), c.x(1))],
    [Op.GREATER_EQUAL]: (c) => [tf.greaterEqual(c.x(0), c.x(1))],
    [Op.RELU]: unary(tf.relu),
    [Op.RELU6]: unary(tf.relu6),
    [Op.NEG]: unary(tf.neg),
    [Op.EXP]: unary(tf.exp),
    [Op.ABS]: unary(tf.abs),
    [Op.TANH]: unary(tf.tanh),
    [Op.LOGISTIC]: unary(tf.sigmoid),
    [Op.LEAKY_RELU]: (c) => [tf.leakyRelu(c.x(0), c.opt ? c.opt.float32(O.LeakyRelu.alpha) : 0)],
    [Op.SOFTMAX]: (c) => [tf.softmax(tf.mul(c.x(0), c.opt ? c.opt.float32(O.Softmax.beta, 1) : 1))],
    [Op.REDUCE_MAX]: (c) => [tf.max(c.x(0), c.ints(1), c.opt ? c.opt.bool(O.Reducer.keep_dims) : false)],
    [Op.SUM]: (c) => [tf.sum(c.x(0), c.ints(1), c.opt ? c.opt.bool(O.Reducer.keep_dims) : false)],
    [Op.RESHAPE]: (c) => {
      // The shape operand wins; else the options; else the declared output shape.
      let shape = c.hasInput(1) ? c.ints(1) : null;
      if (!shape && c.opt) shape = c.opt.int32s(O.Reshape.new_shape);
      if (!shape || !shape.length) shape = c.outTensor(0).shape;
      return [tf.reshape(c.x(0), shape)];
    },
    [Op.PAD]: (c) => {
      const p = c.ints(1);
      const pairs = [];
      for (let i = 0; i < p.length; i += 2) pairs.push([p[i], p[i + 1]]);
      return [tf.pad(c.x(0), pairs)];
    },
    [Op.CONCATENATION]: (c) => {
      const xs = c.inputs().map((_, k) => c.x(k));
      const rank = xs[0].rank;
      let axis = c.opt.int32(O.Concatenation.axis);
      if (axis < 0) axis += rank;
      return [act(tf.concat(xs, axis), c.opt.int8(O.Concatenation.fused_activation_function))];
    },
    [Op.RESIZE_BILINEAR]: (c) => {
      const o = O.ResizeBilinear;
      const [h, w] = c.ints(1);
      return [tf.image.resizeBilinear(c.x(0), [h, w], c.opt.bool(o.align_corners), c.opt.bool(o.half_pixel_centers))];
    },
    [Op.DEPTH_TO_SPACE]: (c) => [tf.depthToSpace(c.x(0), c.opt.int32(O.DepthToSpace.block_size), 'NHWC')],
    [Op.DEQUANTIZE]: (c) => {
      // fp16 tensors already hold their (exact) float32 values; see model.mjs.
      if (c.inTensor(0).type !== TensorType.FLOAT16) throw new Error('only fp16 DEQUANTIZE is supported');
      return [tf.clone(c.x(0))];
    },
    [Op.DENSIFY]: (c) => {
      const t = c.inTensor(0);
      if (!t.sparsity || !t.data) throw new Error(`DENSIFY input ${t.name} is not a sparse constant`);
      return [tf.tensor(densify(t.data, t.shape, t.sparsity), t.shape, 'float32')];
    },
    [Op.CAST]: (c) => [tf.cast(c.x(0), tfDtype(c.outTensor(0).type))],
    [Op.STRIDED_SLICE]: (c) => {
      const o = O.StridedSlice;
      if (c.opt.bool(o.offset)) throw new Error('STRIDED_SLICE with offset=true is not supported');
      return [tf.stridedSlice(c.x(0), c.ints(1), c.ints(2), c.ints(3),
        c.opt.int32(o.begin_mask), c.opt.int32(o.end_mask), c.opt.int32(o.ellipsis_mask),
        c.opt.int32(o.new_axis_mask), c.opt.int32(o.shrink_axis_mask))];
    },
  };

  function pool(c, fn) {
    const o = O.Pool2D;
    const y = fn(c.x(0), [int(c, o.filter_height), int(c, o.filter_width)],
      [int(c, o.stride_h, 1), int(c, o.stride_w, 1)], pad(c, o.padding));
    return [act(y, c.opt.int8(o.fused_activation_function))];
  }
}
