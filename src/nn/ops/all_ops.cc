// The list of operator families; OpRegistry::instance() calls this once.
#include "nn/ops/common.h"

namespace facekit::nn {

void register_all_ops(OpRegistry& r) {
  register_conv_ops(r);
  register_dense_ops(r);
  register_matmul_ops(r);
  register_binary_ops(r);
  register_compare_ops(r);
  register_unary_ops(r);
  register_cast_ops(r);
  register_softmax_ops(r);
  register_reduce_ops(r);
  register_pool_ops(r);
  register_reshape_ops(r);
  register_transpose_ops(r);
  register_concat_ops(r);
  register_slice_ops(r);
  register_pad_ops(r);
  register_depth_to_space_ops(r);
  register_resize_ops(r);
}

}  // namespace facekit::nn
