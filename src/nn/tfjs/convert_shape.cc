// TF shape and data-movement ops → IR. Shape vectors computed at run time
// (Shape → StridedSlice → Pack → Reshape) are followed symbolically so that
// a dynamic batch keeps every other dimension static.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "nn/tfjs/convert_context.h"

namespace facekit::nn::tfjs::convert {
namespace {

constexpr int64_t kToEnd = int64_t{1} << 62;  // Slice's "to the end"

// Replaces the -1 of a Reshape spec by its value where the input's unknown
// dims are all copied in place (0): e.g. [-1,16,16,2] → [0,-1,1] is [0,512,1].
// The IR's inference cannot see this (the input's element count is unknown),
// and the static shapes matter to executors.
std::vector<int64_t> resolve_spec(const Shape& in, std::vector<int64_t> spec) {
  int infer_at = -1;
  int64_t den = 1;
  for (size_t j = 0; j < spec.size(); ++j) {
    if (spec[j] == -1) {
      if (infer_at >= 0) return spec;
      infer_at = static_cast<int>(j);
    } else if (spec[j] > 0) {
      den *= spec[j];
    } else if (spec[j] != 0 || j >= in.size()) {
      return spec;
    }
    if (den > (int64_t{1} << 40)) return spec;
  }
  if (infer_at < 0 || den == 0) return spec;
  int64_t num = 1;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i < spec.size() && spec[i] == 0) continue;  // copied: cancels on both sides
    if (in[i] < 0 || in[i] > (int64_t{1} << 40)) return spec;
    num *= in[i];
    if (num > (int64_t{1} << 40)) return spec;
  }
  if (num % den == 0) spec[infer_at] = num / den;
  return spec;
}

// Reshapes `v` to `target` (dims -1 where unknown): dims unchanged at their
// index copy the input (0); at most one other unknown remains as -1.
int reshape_to(const Ctx& x, int v, const Shape& target, const std::string& suffix = "") {
  const Shape& s = x.shape_of(v);
  std::vector<int64_t> spec(target.size());
  int unknown = 0;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0) x.fail("cannot express a zero-sized dimension");
    if (target[i] >= 0) spec[i] = target[i];
    else if (i < s.size() && s[i] < 0) spec[i] = 0;  // the same unknown dim stays in place
    else { spec[i] = -1; ++unknown; }
  }
  if (unknown > 1) x.fail("shape " + shape_str(target) + " has too many unknown dimensions");
  return x.emit("Reshape", {v}, attrs_of({{"shape", resolve_spec(s, spec)}}), suffix);
}

// The symbolic shape vector of `v` (see SymDim): recorded, or read from an
// int32 constant of rank <= 1.
std::optional<std::vector<SymDim>> sym_of(const Ctx& x, int v) {
  if (const auto it = x.c.symbolic.find(v); it != x.c.symbolic.end()) return it->second;
  const Tensor* t = x.c.const_of(v);
  if (!t || t->rank() > 1 || t->dtype() != DType::kInt32) return std::nullopt;
  std::vector<SymDim> out;
  for (int64_t d : t->to_int64()) out.push_back({d, -1, 0});
  return out;
}

int normalize_axis(const Ctx& x, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) x.fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(r));
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

int expand_dims_of(const Ctx& x, int v, int64_t axis, const std::string& suffix = "") {
  const Shape& s = x.shape_of(v);
  const int a = normalize_axis(x, axis, s.size() + 1);
  Shape target = s;
  target.insert(target.begin() + a, 1);
  return reshape_to(x, v, target, suffix);
}

void concat_values(const Ctx& x, const std::vector<int>& parts, int64_t axis) {
  std::vector<SymDim> sym;
  bool symbolic = axis == 0;
  for (int p : parts) {
    if (const auto s = sym_of(x, p)) sym.insert(sym.end(), s->begin(), s->end());
    else symbolic = false;
  }
  const int y = parts.size() == 1 ? x.emit("Identity", parts) : x.emit("Concat", parts, attrs_of({{"axis", axis}}));
  if (symbolic) x.c.symbolic[y] = sym;
  x.out(y);
}

}  // namespace

void pad(const Ctx& x) {
  const Tensor& p = x.const_in(1);
  if (p.rank() != 2 || p.dim(1) != 2) x.fail("paddings must be [rank, 2]");
  const auto v = x.const_ints(1);
  const int64_t r = p.dim(0);
  std::vector<int64_t> pads(2 * r);
  for (int64_t i = 0; i < r; ++i) {
    pads[i] = v[2 * i];
    pads[r + i] = v[2 * i + 1];
  }
  Attributes a;
  a.set("pads", pads);
  if (x.node.op == "PadV2" && x.node.inputs.size() > 2) {
    const auto c = x.const_in(2).to_floats();
    if (c.size() != 1) x.fail("constant_values must be a scalar");
    a.set("value", static_cast<double>(c[0]));
  }
  if (x.node.op == "MirrorPad") {
    const std::string mode = x.attrs.s("mode", "REFLECT");
    if (mode != "REFLECT") x.fail("MirrorPad mode '" + mode + "' is not supported");
    a.set("mode", std::string("reflect"));
  }
  x.out(x.emit("Pad", {x.in(0)}, a));
}

void squeeze(const Ctx& x) {
  const int v = x.in(0);
  const Shape& s = x.shape_of(v);
  auto dims = x.attrs.ints("squeeze_dims");
  if (dims.empty()) dims = x.attrs.ints("axis");
  std::vector<char> drop(s.size(), 0);
  if (dims.empty()) {
    for (size_t i = 0; i < s.size(); ++i) drop[i] = s[i] == 1;
  } else {
    for (int64_t d : dims) {
      const int a = normalize_axis(x, d, s.size());
      if (s[a] > 1) x.fail("cannot squeeze dimension " + std::to_string(a) + " of size " + std::to_string(s[a]));
      drop[a] = 1;
    }
  }
  Shape target;
  for (size_t i = 0; i < s.size(); ++i)
    if (!drop[i]) target.push_back(s[i]);
  x.out(reshape_to(x, v, target));
}

void expand_dims(const Ctx& x) {
  const auto axis = x.const_ints(1);
  if (axis.size() != 1) x.fail("axis must be a scalar");
  x.out(expand_dims_of(x, x.in(0), axis[0]));
}

void reshape(const Ctx& x) {
  const int v = x.in(0);
  const int sv = x.in(1);
  if (x.c.const_of(sv)) {
    const auto spec = x.const_ints(1);
    // TF's 0 is a zero-sized dimension, the IR's 0 copies: say which.
    if (std::find(spec.begin(), spec.end(), 0) != spec.end())
      x.out(x.emit("Reshape", {v}, attrs_of({{"shape", spec}, {"allowzero", int64_t{1}}})));
    else
      x.out(x.emit("Reshape", {v}, attrs_of({{"shape", resolve_spec(x.shape_of(v), spec)}})));
    return;
  }
  // A shape computed at run time from Shape(v): when each element is a
  // constant or dimension i of v itself at position i, it is a constant
  // shape with 0 = "copy" — which keeps static shapes for later inference.
  const auto it = x.c.symbolic.find(sv);
  if (it != x.c.symbolic.end()) {
    std::vector<int64_t> spec;
    bool ok = true;
    for (size_t i = 0; i < it->second.size(); ++i) {
      const SymDim& d = it->second[i];
      // A literal 0 would read as "copy"; another tensor's dim is unknown here.
      if (d.source < 0 ? d.constant == 0 : (d.source != v || d.dim != static_cast<int>(i))) ok = false;
      spec.push_back(d.source < 0 ? d.constant : 0);
    }
    if (ok) {
      x.out(x.emit("Reshape", {v}, attrs_of({{"shape", resolve_spec(x.shape_of(v), spec)}})));
      return;
    }
  }
  x.out(x.emit("Reshape", {v, sv}, attrs_of({{"allowzero", int64_t{1}}})));  // TF: 0 is a zero dim
}

void shape_op(const Ctx& x) {
  const int v = x.in(0);
  const Shape& s = x.shape_of(v);
  std::vector<SymDim> sym;
  bool known = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= 0) sym.push_back({s[i], -1, 0});
    else sym.push_back({0, v, static_cast<int>(i)}), known = false;
  }
  int out;
  if (known) {
    Tensor dims(DType::kInt32, {static_cast<int64_t>(s.size())});  // (from_ints would memcpy from null for a scalar)
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] > INT32_MAX) x.fail("dimension " + std::to_string(s[i]) + " does not fit int32");
      dims.data<int32_t>()[i] = static_cast<int32_t>(s[i]);
    }
    out = x.c.constant(x.node.name, std::move(dims));
  } else {
    out = x.emit("Shape", {v});
  }
  x.c.symbolic[out] = sym;
  x.out(out);
}

void strided_slice(const Ctx& x) {
  const int v = x.in(0);
  const auto begin = x.const_ints(1), end = x.const_ints(2), strides = x.const_ints(3);
  if (begin.size() != end.size() || begin.size() != strides.size() || begin.size() > 16)
    x.fail("begin, end and strides differ in length");
  const int64_t bm = x.attrs.i("begin_mask", 0), em = x.attrs.i("end_mask", 0), el = x.attrs.i("ellipsis_mask", 0),
                nm = x.attrs.i("new_axis_mask", 0), sm = x.attrs.i("shrink_axis_mask", 0);
  const Shape& s = x.shape_of(v);
  const int rank = static_cast<int>(s.size());
  const int n = static_cast<int>(begin.size());
  int consumed = 0;  // input dims named explicitly by the spec
  for (int i = 0; i < n; ++i)
    if (!((el >> i) & 1) && !((nm >> i) & 1)) ++consumed;
  std::vector<int64_t> starts, ends, axes, steps;
  Shape target;            // the output shape, -1 where unknown (filled after Slice)
  std::vector<int> from;   // for each target dim: the sliced input dim, or -1 for a new axis
  int dim = 0;
  bool seen_ellipsis = false;
  for (int i = 0; i < n; ++i) {
    if ((el >> i) & 1) {
      if (seen_ellipsis) x.fail("more than one ellipsis");
      seen_ellipsis = true;
      for (int k = 0; k < rank - consumed; ++k) from.push_back(dim++);
      continue;
    }
    if ((nm >> i) & 1) { from.push_back(-1); continue; }
    if (dim >= rank) x.fail("slice spec longer than the input's rank " + std::to_string(rank));
    const int64_t st = strides[i];
    if (st == 0) x.fail("stride 0");
    if ((sm >> i) & 1) {
      const int64_t b = begin[i];
      starts.push_back(b);
      ends.push_back(b == -1 ? kToEnd : b + 1);
      steps.push_back(1);
      axes.push_back(dim++);
      continue;
    }
    starts.push_back((bm >> i) & 1 ? (st > 0 ? 0 : kToEnd) : begin[i]);
    ends.push_back((em >> i) & 1 ? (st > 0 ? kToEnd : -kToEnd) : end[i]);
    steps.push_back(st);
    axes.push_back(dim);
    from.push_back(dim++);
  }
  while (dim < rank) from.push_back(dim++);  // unnamed trailing dims are kept whole
  int y = v;
  if (!axes.empty())
    y = x.emit("Slice", {v},
               attrs_of({{"starts", starts}, {"ends", ends}, {"axes", axes}, {"steps", steps}}),
               (sm || nm) ? "slice" : "");
  // Symbolic shape vectors (Shape(x)[i]) follow through 1-D slices.
  std::optional<std::vector<SymDim>> part;
  const auto sym = sym_of(x, v);
  if (sym && rank == 1 && axes.size() == 1 && steps[0] == 1 && !nm) {
    const int64_t len = static_cast<int64_t>(sym->size());
    auto clamp = [&](int64_t i) { return std::clamp(i < 0 ? i + len : i, int64_t{0}, len); };
    part.emplace();
    for (int64_t i = clamp(starts[0]); i < clamp(ends[0]); ++i) part->push_back((*sym)[i]);
    if (sm && part->size() != 1) part.reset();
  }
  if (sm || nm) {
    const Shape& ys = x.shape_of(y);
    for (int d : from) target.push_back(d < 0 ? 1 : ys[d]);
    y = reshape_to(x, y, target);
  }
  if (part) x.c.symbolic[y] = *part;
  x.out(y);
}

void concat(const Ctx& x) {
  const size_t n = x.node.inputs.size();
  if (n < 2) x.fail("ConcatV2 needs values and an axis");
  const auto axis = x.const_ints(n - 1);
  if (axis.size() != 1) x.fail("axis must be a scalar");
  std::vector<int> parts;
  for (size_t i = 0; i + 1 < n; ++i) parts.push_back(x.in(i));
  const int a = normalize_axis(x, axis[0], x.shape_of(parts[0]).size());
  concat_values(x, parts, a);
}

void pack(const Ctx& x) {
  if (x.node.inputs.empty()) x.fail("Pack has no inputs");
  const int64_t axis = x.attrs.i("axis", 0);
  std::vector<int> parts;
  for (size_t i = 0; i < x.node.inputs.size(); ++i) {
    const int v = x.in(i);
    const int e = expand_dims_of(x, v, axis, "expand" + std::to_string(i));
    // A scalar keeps its symbolic meaning as a one-element vector.
    if (const auto s = sym_of(x, v)) x.c.symbolic[e] = *s;
    parts.push_back(e);
  }
  concat_values(x, parts, normalize_axis(x, axis, x.shape_of(parts[0]).size()));
}

void cast(const Ctx& x) {
  const std::string t = x.attrs.type("DstT", "DT_FLOAT");
  std::string to;
  if (t == "DT_FLOAT") to = "float32";
  else if (t == "DT_INT32") to = "int32";
  else if (t == "DT_BOOL") to = "bool";
  else x.fail("cast to " + t + " is not supported");
  x.out(x.emit("Cast", {x.in(0)}, attrs_of({{"to", to}})));
}

void depth_to_space(const Ctx& x) {
  check_nhwc(x);
  x.out(x.emit("DepthToSpace", {x.in(0)},
               attrs_of({{"blocksize", x.attrs.i("block_size", 2)}, {"layout", std::string("NHWC")},
                         {"mode", std::string("DCR")}})));
}

void resize(const Ctx& x, const std::string& mode) {
  const auto size = x.const_ints(1);
  if (size.size() != 2) x.fail("size must hold 2 values");
  Attributes a;
  a.set("mode", mode);
  a.set("size", size);
  a.set("layout", std::string("NHWC"));
  const bool align = x.attrs.b("align_corners", false), half = x.attrs.b("half_pixel_centers", false);
  if (align && half) x.fail("align_corners and half_pixel_centers together");
  if (mode == "linear") {
    a.set("coordinate_transformation_mode", std::string(align ? "align_corners" : half ? "half_pixel" : "asymmetric"));
  } else {
    // TF rounds half-pixel and align-corners sources to nearest (halves up).
    a.set("coordinate_transformation_mode",
          std::string(align ? "align_corners" : half ? "half_pixel" : "asymmetric"));
    a.set("nearest_mode", std::string(align || half ? "round_prefer_ceil" : "floor"));
  }
  x.out(x.emit("Resize", {x.in(0)}, a));
}

void identity(const Ctx& x) {
  const int v = x.in(0);
  if (x.c.const_of(v)) { x.out(v); return; }  // an alias keeps the weight constant (e.g. a filter)
  const int y = x.emit("Identity", {v});
  if (const auto it = x.c.symbolic.find(v); it != x.c.symbolic.end()) x.c.symbolic[y] = it->second;
  x.out(y);
}

void transpose(const Ctx& x) { x.out(x.emit("Transpose", {x.in(0)}, attrs_of({{"perm", x.const_ints(1)}}))); }

}  // namespace facekit::nn::tfjs::convert
