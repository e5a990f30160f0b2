// Reading TensorFlow.js weight shards: every group's shards are one byte
// stream, cut into weights in manifest order.
#include "nn/tfjs/weights.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include "facekit/error.h"
#include "nn/half.h"

namespace facekit::nn::tfjs {
namespace {

// How one weight is stored in the shards.
enum class Storage { kFloat32, kInt32, kBool, kFloat16, kUint8, kUint16 };

size_t storage_size(Storage s) {
  switch (s) {
    case Storage::kFloat32: case Storage::kInt32: return 4;
    case Storage::kFloat16: case Storage::kUint16: return 2;
    case Storage::kBool: case Storage::kUint8: return 1;
  }
  return 1;
}

// A shard path must stay inside the model's directory: a manifest is data,
// and data must not make us read /etc/passwd.
std::filesystem::path shard_path(const std::filesystem::path& dir, const std::string& name,
                                 const std::string& context) {
  const std::filesystem::path rel(name);
  check(!name.empty() && rel.is_relative(), context, "shard path '" + name + "' is not a relative file name");
  for (const auto& part : rel) check(part != "..", context, "shard path '" + name + "' leaves the model directory");
  return dir / rel;
}

// The concatenated bytes of a group's shards.
std::vector<char> read_shards(const nlohmann::json& paths, const std::filesystem::path& dir,
                              const std::string& context) {
  check(paths.is_array(), context, "weightsManifest group has no \"paths\" array");
  std::vector<char> bytes;
  for (const auto& p : paths) {
    check(p.is_string(), context, "a shard path is not a string");
    const auto file = shard_path(dir, p.get<std::string>(), context);
    std::ifstream in(file, std::ios::binary);
    check(in.good(), context, "cannot open weight shard " + file.string());
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    check(size >= 0, context, "cannot read weight shard " + file.string());
    check(size <= (std::streamoff{1} << 32), context, "weight shard " + file.string() + " is larger than 4 GiB");
    in.seekg(0, std::ios::beg);
    const size_t old = bytes.size();
    bytes.resize(old + static_cast<size_t>(size));
    in.read(bytes.data() + old, size);
    check(in.gcount() == size, context, "short read from weight shard " + file.string());
  }
  return bytes;
}

Shape read_shape(const nlohmann::json& w, const std::string& context, const std::string& name) {
  check(w.contains("shape") && w["shape"].is_array(), context, "weight '" + name + "' has no shape");
  check(w["shape"].size() <= 8, context, "weight '" + name + "' has rank above 8");
  Shape shape;
  for (const auto& d : w["shape"]) {
    check(d.is_number_integer() && d.get<int64_t>() >= 0, context,
          "weight '" + name + "' has a bad dimension " + d.dump());
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

double number(const nlohmann::json& q, const char* key, const std::string& context, const std::string& name) {
  check(q.contains(key) && q[key].is_number(), context,
        "weight '" + name + "' is quantised without a numeric \"" + key + "\"");
  const double v = q[key].get<double>();
  check(std::isfinite(v), context, "weight '" + name + "' has a non-finite \"" + key + "\"");
  return v;
}

// Decodes `count` stored values at `src` into `out` (float32, int32 or bool).
void decode(Storage storage, const char* src, int64_t count, double scale, double min, Tensor& out) {
  if (count == 0) return;  // `src` may be the null data() of an empty shard
  auto quantised = [&](int64_t i) -> double {
    if (storage == Storage::kUint8) return static_cast<uint8_t>(src[i]) * scale + min;
    uint16_t q;
    std::memcpy(&q, src + 2 * i, 2);
    return q * scale + min;
  };
  switch (storage) {
    case Storage::kFloat32: case Storage::kInt32: case Storage::kBool:
      std::memcpy(out.raw(), src, static_cast<size_t>(count) * storage_size(storage));
      if (storage == Storage::kBool)  // any non-zero byte is true; store canonical 0/1
        for (int64_t i = 0; i < count; ++i) out.data<uint8_t>()[i] = out.data<uint8_t>()[i] ? 1 : 0;
      return;
    case Storage::kFloat16:
      for (int64_t i = 0; i < count; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out.data<float>()[i] = half_to_float(h);
      }
      return;
    case Storage::kUint8: case Storage::kUint16:
      if (out.dtype() == DType::kInt32) {
        // TF.js rounds dequantised integers with Math.round (half up).
        for (int64_t i = 0; i < count; ++i) {
          const double v = std::floor(quantised(i) + 0.5);
          out.data<int32_t>()[i] = v >= 2147483647.0 ? INT32_MAX : v <= -2147483648.0 ? INT32_MIN : static_cast<int32_t>(v);
        }
      } else {
        for (int64_t i = 0; i < count; ++i) out.data<float>()[i] = static_cast<float>(quantised(i));
      }
      return;
  }
}

}  // namespace

std::vector<NamedWeight> read_weights(const nlohmann::json& manifest, const std::filesystem::path& dir,
                                      const std::string& context) {
  check(manifest.is_array(), context, "weights manifest is not an array");
  std::vector<NamedWeight> result;
  for (const auto& group : manifest) {
    check(group.is_object(), context, "weights manifest group is not an object");
    check(group.contains("weights") && group["weights"].is_array(), context,
          "weights manifest group has no \"weights\" array");
    const std::vector<char> bytes = read_shards(group.contains("paths") ? group["paths"] : nlohmann::json(),
                                                dir, context);
    size_t offset = 0;
    for (const auto& w : group["weights"]) {
      check(w.is_object() && w.contains("name") && w["name"].is_string(), context, "a weight has no name");
      const std::string name = w["name"].get<std::string>();
      check(w.contains("dtype") && w["dtype"].is_string(), context, "weight '" + name + "' has no dtype");
      const std::string dtype = w["dtype"].get<std::string>();
      DType out_dtype;
      Storage storage;
      if (dtype == "float32") { out_dtype = DType::kFloat32; storage = Storage::kFloat32; }
      else if (dtype == "int32") { out_dtype = DType::kInt32; storage = Storage::kInt32; }
      else if (dtype == "bool") { out_dtype = DType::kBool; storage = Storage::kBool; }
      else throw Error(context + ": weight '" + name + "' has unsupported dtype '" + dtype + "'");

      double scale = 1, min = 0;
      if (w.contains("quantization") && !w["quantization"].is_null()) {
        const auto& q = w["quantization"];
        check(q.is_object() && q.contains("dtype") && q["dtype"].is_string(), context,
              "weight '" + name + "' has a quantization without a dtype");
        const std::string qd = q["dtype"].get<std::string>();
        check(out_dtype != DType::kBool, context, "weight '" + name + "' is a quantised bool");
        if (qd == "float16") {
          check(out_dtype == DType::kFloat32, context, "weight '" + name + "' is float16-quantised but not float32");
          storage = Storage::kFloat16;
        } else if (qd == "uint8" || qd == "uint16") {
          storage = qd == "uint8" ? Storage::kUint8 : Storage::kUint16;
          scale = number(q, "scale", context, name);
          min = number(q, "min", context, name);
        } else {
          throw Error(context + ": weight '" + name + "' has unsupported quantization dtype '" + qd + "'");
        }
      }

      const Shape shape = read_shape(w, context, name);
      // Bounded by the bytes actually present before anything is allocated.
      int64_t count = 0;
      try {
        count = shape_numel(shape, int64_t{1} << 32);
      } catch (const Error& e) {
        throw Error(context + ": weight '" + name + "': " + e.what());
      }
      const size_t need = static_cast<size_t>(count) * storage_size(storage);
      check(need <= bytes.size() - offset, context,
            "weight '" + name + "' " + shape_str(shape) + " needs " + std::to_string(need) + " bytes at offset " +
                std::to_string(offset) + " but the shards hold " + std::to_string(bytes.size()));
      Tensor t(out_dtype, shape);
      decode(storage, bytes.data() + offset, count, scale, min, t);
      offset += need;
      result.push_back({name, std::move(t)});
    }
  }
  return result;
}

}  // namespace facekit::nn::tfjs
