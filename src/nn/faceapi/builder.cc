#include "nn/faceapi/builder.h"

#include <algorithm>

#include "facekit/error.h"

namespace facekit::nn::faceapi {

// ---- WeightBank -------------------------------------------------------------

WeightBank::WeightBank(std::vector<tfjs::NamedWeight> weights, std::string file) : file_(std::move(file)) {
  for (auto& w : weights) {
    check(!weights_.count(w.name), file_, "weight '" + w.name + "' appears twice in the manifest");
    order_.push_back(w.name);
    weights_.emplace(w.name, std::move(w.tensor));
  }
}

const Shape& WeightBank::shape_of(const std::string& name) const {
  auto it = weights_.find(name);
  check(it != weights_.end(), file_, "weight '" + name + "' is missing");
  return it->second.shape();
}

Tensor WeightBank::take(const std::string& name, const Shape& expected) {
  auto it = weights_.find(name);
  check(it != weights_.end(), file_, "weight '" + name + "' is missing");
  check(!used_.count(name), file_, "weight '" + name + "' is used twice");
  const Tensor& t = it->second;
  check(t.dtype() == DType::kFloat32, file_, "weight '" + name + "' is " + dtype_name(t.dtype()) + ", expected float32");
  bool same = t.rank() == static_cast<int>(expected.size());
  for (size_t i = 0; same && i < expected.size(); ++i) same = expected[i] < 0 || expected[i] == t.shape()[i];
  check(same, file_, "weight '" + name + "' has shape " + shape_str(t.shape()) + ", expected " + shape_str(expected));
  used_.insert(name);
  return t;
}

void WeightBank::ignore(const std::string& name) {
  check(weights_.count(name) != 0, file_, "weight '" + name + "' is missing");
  used_.insert(name);
}

void WeightBank::check_all_used() const {
  for (const auto& name : order_)
    check(used_.count(name) != 0, file_, "weight '" + name + "' is not used by the network");
}

int64_t WeightBank::element_count() const {
  int64_t n = 0;
  for (const auto& [name, t] : weights_) n += t.numel();
  return n;
}

// ---- shapes -----------------------------------------------------------------

namespace {

// Output size of a window of `k` with stride `s` over `in` (TF rules).
int64_t window_out(int64_t in, int64_t k, int64_t s, Padding pad, const std::string& file) {
  if (in < 0) return -1;
  if (pad == Padding::kSame) return (in + s - 1) / s;
  check(in >= k, file, "input of size " + std::to_string(in) + " is smaller than a " + std::to_string(k) + "-wide window");
  return (in - k) / s + 1;
}

Shape broadcast(const Shape& a, const Shape& b, const std::string& file) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i + a.size() >= out.size() ? a[i + a.size() - out.size()] : 1;
    const int64_t db = i + b.size() >= out.size() ? b[i + b.size() - out.size()] : 1;
    check(da == db || da == 1 || db == 1, file, "cannot broadcast " + shape_str(a) + " with " + shape_str(b));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Attributes conv_attrs(int stride, Padding pad, int64_t group, const Activation& act) {
  Attributes a;
  a.set("layout", std::string("NHWC"));
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("auto_pad", std::string(pad == Padding::kSame ? "SAME_UPPER" : "VALID"));
  a.set("group", group);
  if (!act.op.empty()) a.set("activation", act.op);
  if (act.op == "LeakyRelu") a.set("alpha", act.alpha);
  return a;
}

}  // namespace

// ---- Builder ----------------------------------------------------------------

std::string Builder::unique(const std::string& label) {
  std::string name = label;
  while (!names_.insert(name).second) name = label + "#" + std::to_string(++counter_);
  return name;
}

int Builder::new_value(const std::string& label, Shape shape) {
  return g_.add_value(unique(label), DType::kFloat32, std::move(shape));
}

int Builder::constant(const std::string& label, Tensor t) { return g_.add_constant(unique(label), std::move(t)); }

int Builder::input(const std::string& name, Shape nhwc) {
  const int v = new_value(name, std::move(nhwc));
  g_.inputs.push_back(v);
  return v;
}

void Builder::output(int v, const std::string& name) {
  check(names_.insert(name).second, w_.file(), "output name '" + name + "' is taken");
  g_.values[v].name = name;
  g_.outputs.push_back(v);
}

int Builder::conv(int x, const Tensor& hwio, const Tensor* bias, int stride, Padding pad, Activation act,
                  const std::string& label) {
  const Shape& f = hwio.shape();
  const int64_t kh = f[0], kw = f[1], ci = f[2], co = f[3];
  check(ci == channels(x), w_.file(), "'" + label + "' expects " + std::to_string(ci) + " input channels, gets " +
                                          std::to_string(channels(x)));
  // TF stores HWIO; the IR wants [O, KH, KW, I].
  Tensor w(DType::kFloat32, {co, kh, kw, ci});
  const float* src = hwio.data<float>();
  float* dst = w.data<float>();
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t x_ = 0; x_ < kw; ++x_)
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o) dst[((o * kh + h) * kw + x_) * ci + i] = src[((h * kw + x_) * ci + i) * co + o];
  const Shape& s = shape(x);
  const int y = new_value(label, {s[0], window_out(s[1], kh, stride, pad, w_.file()),
                                  window_out(s[2], kw, stride, pad, w_.file()), co});
  std::vector<int> in{x, constant(label + "/W", w)};
  if (bias) in.push_back(constant(label + "/B", *bias));
  g_.add_node("Conv", in, {y}, conv_attrs(stride, pad, 1, act));
  return y;
}

int Builder::conv(int x, const std::string& filters, const std::string& bias, int stride, Padding pad,
                  Activation act) {
  const Tensor f = w_.take(filters, {-1, -1, channels(x), -1});
  check(f.dim(0) == f.dim(1), w_.file(), "weight '" + filters + "' is not a square kernel");
  Tensor b;
  if (!bias.empty()) b = w_.take(bias, {f.dim(3)});
  const std::string label = filters.substr(0, filters.rfind('/'));
  return conv(x, f, bias.empty() ? nullptr : &b, stride, pad, act, label);
}

int Builder::depthwise(int x, const Tensor& khkwc1, const Tensor* bias, int stride, Padding pad, Activation act,
                       const std::string& label) {
  const Shape& f = khkwc1.shape();
  const int64_t kh = f[0], kw = f[1], c = f[2];
  check(c == channels(x) && f[3] == 1, w_.file(), "'" + label + "' does not match " + std::to_string(channels(x)) +
                                                      " input channels");
  // TF stores [KH, KW, C, 1]; the IR wants [C, KH, KW, 1] with group = C.
  Tensor w(DType::kFloat32, {c, kh, kw, 1});
  const float* src = khkwc1.data<float>();
  float* dst = w.data<float>();
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t x_ = 0; x_ < kw; ++x_)
      for (int64_t ch = 0; ch < c; ++ch) dst[(ch * kh + h) * kw + x_] = src[(h * kw + x_) * c + ch];
  const Shape& s = shape(x);
  const int y = new_value(label, {s[0], window_out(s[1], kh, stride, pad, w_.file()),
                                  window_out(s[2], kw, stride, pad, w_.file()), c});
  std::vector<int> in{x, constant(label + "/W", w)};
  if (bias) in.push_back(constant(label + "/B", *bias));
  g_.add_node("Conv", in, {y}, conv_attrs(stride, pad, c, act));
  return y;
}

int Builder::separable(int x, const std::string& prefix, int stride, Activation act) {
  const int64_t c = channels(x);
  const Tensor dw = w_.take(prefix + "/depthwise_filter", {3, 3, c, 1});
  const Tensor pw = w_.take(prefix + "/pointwise_filter", {1, 1, c, -1});
  const Tensor b = w_.take(prefix + "/bias", {pw.dim(3)});
  const int d = depthwise(x, dw, nullptr, stride, Padding::kSame, kNoActivation, prefix + "/depthwise");
  return conv(d, pw, &b, 1, Padding::kSame, act, prefix);
}

int Builder::dense(int x, const std::string& weights, const std::string& bias) {
  const Tensor kn = w_.take(weights, {channels(x), -1});
  const int64_t k = kn.dim(0), n = kn.dim(1);
  // face-api multiplies x [.., K] by W [K, N]; Dense wants [N, K].
  Tensor w(DType::kFloat32, {n, k});
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) w.data<float>()[j * k + i] = kn.data<float>()[i * n + j];
  const std::string label = bias.empty() ? weights : bias.substr(0, bias.rfind('/'));
  std::vector<int> in{x, constant(label + "/W", w)};
  if (!bias.empty()) in.push_back(constant(label + "/B", w_.take(bias, {n})));
  Shape out = shape(x);
  out.back() = n;
  const int y = new_value(label, out);
  g_.add_node("Dense", in, {y});
  return y;
}

int Builder::binary(const std::string& op, int a, int b) {
  const int y = new_value(op, broadcast(shape(a), shape(b), w_.file()));
  g_.add_node(op, {a, b}, {y});
  return y;
}

int Builder::with_constant(const std::string& op, int x, Tensor c, const std::string& label) {
  const int k = constant(label, std::move(c));
  const int y = new_value(label + "/" + op, broadcast(shape(x), shape(k), w_.file()));
  g_.add_node(op, {x, k}, {y});
  return y;
}

int Builder::unary(const std::string& op, int x, Attributes attrs) {
  const int y = new_value(op, shape(x));
  g_.add_node(op, {x}, {y}, std::move(attrs));
  return y;
}

int Builder::pool(const std::string& op, int x, int kernel, int stride, Padding pad) {
  Attributes a;
  a.set("layout", std::string("NHWC"));
  a.set("kernel", std::vector<int64_t>{kernel, kernel});
  a.set("strides", std::vector<int64_t>{stride, stride});
  a.set("auto_pad", std::string(pad == Padding::kSame ? "SAME_UPPER" : "VALID"));
  const Shape& s = shape(x);
  const int y = new_value(op, {s[0], window_out(s[1], kernel, stride, pad, w_.file()),
                               window_out(s[2], kernel, stride, pad, w_.file()), s[3]});
  g_.add_node(op, {x}, {y}, a);
  return y;
}

int Builder::mean_hw(int x) {
  Attributes a;
  a.set("axes", std::vector<int64_t>{1, 2});
  a.set("keepdims", int64_t{0});
  const int y = new_value("ReduceMean", {shape(x)[0], shape(x)[3]});
  g_.add_node("ReduceMean", {x}, {y}, a);
  return y;
}

int Builder::pad(int x, const std::vector<int64_t>& pads) {
  const Shape& s = shape(x);
  Shape out = s;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] >= 0) out[i] = s[i] + pads[i] + pads[i + s.size()];
  Attributes a;
  a.set("pads", pads);
  const int y = new_value("Pad", out);
  g_.add_node("Pad", {x}, {y}, a);
  return y;
}

int Builder::reshape(int x, const Shape& to) {
  Attributes a;
  a.set("shape", to);
  const int y = new_value("Reshape", to);
  g_.add_node("Reshape", {x}, {y}, a);
  return y;
}

int Builder::slice(int x, int64_t axis, int64_t start, int64_t end) {
  Attributes a;
  a.set("starts", std::vector<int64_t>{start});
  a.set("ends", std::vector<int64_t>{end});
  a.set("axes", std::vector<int64_t>{axis});
  Shape out = shape(x);
  out[axis] = end - start;
  const int y = new_value("Slice", out);
  g_.add_node("Slice", {x}, {y}, a);
  return y;
}

int Builder::concat(const std::vector<int>& xs, int64_t axis) {
  Shape out = shape(xs.at(0));
  for (size_t i = 1; i < xs.size(); ++i) {
    const int64_t d = shape(xs[i])[axis];
    out[axis] = out[axis] < 0 || d < 0 ? -1 : out[axis] + d;
  }
  Attributes a;
  a.set("axis", axis);
  const int y = new_value("Concat", out);
  g_.add_node("Concat", xs, {y}, a);
  return y;
}

}  // namespace facekit::nn::faceapi
