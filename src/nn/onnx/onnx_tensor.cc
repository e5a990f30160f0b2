#include "nn/onnx/onnx_tensor.h"

#include <cstring>
#include <limits>

#include "facekit/error.h"
#include "nn/half.h"

namespace facekit::nn::onnx_io {

using TP = onnx::TensorProto;

std::optional<DType> dtype_from_onnx(int elem_type) {
  switch (elem_type) {
    case TP::FLOAT: case TP::FLOAT16: return DType::kFloat32;
    case TP::INT32: case TP::INT64: case TP::INT16: case TP::INT8:
    case TP::UINT16: case TP::UINT8: return DType::kInt32;
    case TP::BOOL: return DType::kBool;
    default: return std::nullopt;
  }
}

const char* onnx_type_name(int elem_type) {
  if (!TP::DataType_IsValid(elem_type)) return "an invalid type";
  return TP::DataType_Name(static_cast<TP::DataType>(elem_type)).c_str();
}

namespace {

size_t onnx_elem_size(int t) {
  switch (t) {
    case TP::FLOAT: case TP::INT32: case TP::UINT32: return 4;
    case TP::INT64: case TP::UINT64: case TP::DOUBLE: return 8;
    case TP::INT16: case TP::UINT16: case TP::FLOAT16: case TP::BFLOAT16: return 2;
    case TP::INT8: case TP::UINT8: case TP::BOOL: return 1;
    default: return 0;
  }
}

Shape dims_of(const TP& p, const std::string& context) {
  Shape s;
  for (int64_t d : p.dims()) {
    check(d >= 0, context, "negative dimension in " + shape_str({p.dims().begin(), p.dims().end()}));
    s.push_back(d);
  }
  return s;
}

int64_t numel_of(const Shape& s, const TP& p, const std::string& context) {
  try {
    return shape_numel(s);
  } catch (const Error& e) {
    throw Error(context + ": tensor '" + p.name() + "': " + e.what());
  }
}

// Reads element `i` of `p` as int64 from raw data or the typed field.
struct IntReader {
  const TP& p;
  bool raw;
  int64_t operator()(int64_t i) const {
    const char* b = p.raw_data().data();
    if (raw) {
      switch (p.data_type()) {
        case TP::INT64: { int64_t v; std::memcpy(&v, b + 8 * i, 8); return v; }
        case TP::INT32: { int32_t v; std::memcpy(&v, b + 4 * i, 4); return v; }
        case TP::INT16: { int16_t v; std::memcpy(&v, b + 2 * i, 2); return v; }
        case TP::UINT16: { uint16_t v; std::memcpy(&v, b + 2 * i, 2); return v; }
        case TP::INT8: return static_cast<int8_t>(b[i]);
        case TP::UINT8: return static_cast<uint8_t>(b[i]);
        case TP::BOOL: return b[i] != 0;
        default: return 0;
      }
    }
    if (p.data_type() == TP::INT64) return p.int64_data(static_cast<int>(i));
    return p.int32_data(static_cast<int>(i));
  }
};

// Checks that `p` holds exactly `numel` elements and says where they are.
bool check_count(const TP& p, int64_t numel, const std::string& context) {
  check(!(p.has_data_location() && p.data_location() == TP::EXTERNAL), context,
        "tensor '" + p.name() + "' stores its data in an external file (unsupported)");
  const size_t esize = onnx_elem_size(p.data_type());
  check(esize != 0, context, "tensor '" + p.name() + "' has unsupported type " + onnx_type_name(p.data_type()));
  if (p.has_raw_data()) {
    check(p.raw_data().size() == static_cast<size_t>(numel) * esize, context,
          "tensor '" + p.name() + "' claims " + std::to_string(numel) + " elements but holds " +
              std::to_string(p.raw_data().size()) + " bytes");
    return true;
  }
  int64_t have = 0;
  switch (p.data_type()) {
    case TP::FLOAT: have = p.float_data_size(); break;
    case TP::DOUBLE: have = p.double_data_size(); break;
    case TP::INT64: have = p.int64_data_size(); break;
    case TP::UINT32: case TP::UINT64: have = p.uint64_data_size(); break;
    default: have = p.int32_data_size(); break;
  }
  check(have == numel, context,
        "tensor '" + p.name() + "' claims " + std::to_string(numel) + " elements but holds " + std::to_string(have));
  return false;
}

}  // namespace

std::vector<int64_t> ints_from_proto(const TP& p, const std::string& context) {
  const Shape shape = dims_of(p, context);
  const int64_t numel = numel_of(shape, p, context);
  const auto dt = dtype_from_onnx(p.data_type());
  check(dt == DType::kInt32 || p.data_type() == TP::BOOL, context,
        "tensor '" + p.name() + "' must hold integers, not " + onnx_type_name(p.data_type()));
  const bool raw = check_count(p, numel, context);
  IntReader read{p, raw};
  std::vector<int64_t> out(static_cast<size_t>(numel));
  for (int64_t i = 0; i < numel; ++i) out[i] = read(i);
  return out;
}

Tensor tensor_from_proto(const TP& p, const std::string& context) {
  const Shape shape = dims_of(p, context);
  const int64_t numel = numel_of(shape, p, context);
  const auto dt = dtype_from_onnx(p.data_type());
  check(dt.has_value(), context,
        "tensor '" + p.name() + "' has type " + onnx_type_name(p.data_type()) + ", which the runtime does not carry");
  // Validate the element count before allocating, so hostile dims cost nothing.
  const bool raw = check_count(p, numel, context);
  Tensor t(*dt, shape);
  const char* b = p.raw_data().data();
  switch (p.data_type()) {
    case TP::FLOAT:
      if (raw) std::memcpy(t.raw(), b, t.nbytes());
      else for (int64_t i = 0; i < numel; ++i) t.data<float>()[i] = p.float_data(static_cast<int>(i));
      break;
    case TP::FLOAT16:
      for (int64_t i = 0; i < numel; ++i) {
        uint16_t h;
        if (raw) std::memcpy(&h, b + 2 * i, 2);
        else h = static_cast<uint16_t>(p.int32_data(static_cast<int>(i)));
        t.data<float>()[i] = half_to_float(h);
      }
      break;
    case TP::BOOL: {
      IntReader read{p, raw};
      for (int64_t i = 0; i < numel; ++i) t.data<uint8_t>()[i] = read(i) != 0;
      break;
    }
    default: {  // integers
      IntReader read{p, raw};
      for (int64_t i = 0; i < numel; ++i) {
        const int64_t v = read(i);
        check(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max(), context,
              "tensor '" + p.name() + "' holds " + std::to_string(v) + ", outside the int32 range the runtime uses");
        t.data<int32_t>()[i] = static_cast<int32_t>(v);
      }
    }
  }
  return t;
}

void tensor_to_proto(const Tensor& t, const std::string& name, TP* p) {
  p->Clear();
  p->set_name(name);
  for (int64_t d : t.shape()) p->add_dims(d);
  switch (t.dtype()) {
    case DType::kFloat32:
      p->set_data_type(TP::FLOAT);
      p->set_raw_data(t.raw(), t.nbytes());
      break;
    case DType::kBool:
      p->set_data_type(TP::BOOL);
      p->set_raw_data(t.raw(), t.nbytes());
      break;
    case DType::kInt32: {
      p->set_data_type(TP::INT64);
      std::string bytes(static_cast<size_t>(t.numel()) * 8, '\0');
      for (int64_t i = 0; i < t.numel(); ++i) {
        const int64_t v = t.data<int32_t>()[i];
        std::memcpy(bytes.data() + 8 * i, &v, 8);
      }
      p->set_raw_data(std::move(bytes));
      break;
    }
  }
}

}  // namespace facekit::nn::onnx_io
