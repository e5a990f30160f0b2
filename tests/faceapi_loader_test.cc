// face-api weight sets: each loads into the documented graph, uses every
// weight, runs, and matches face-api's own outputs where golden files exist.
#include <cmath>
#include <fstream>
#include <functional>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "facekit/nn/model.h"
#include "nn/faceapi/networks.h"
#include "testing.h"

namespace facekit::nn::faceapi {
namespace {

namespace fs = std::filesystem;

struct Expected {
  const char* id;
  size_t weights;
  int64_t params;  // MODELS.md section 2
  std::vector<std::pair<std::string, Shape>> outputs;
};

const std::vector<Expected>& expectations() {
  static const std::vector<Expected> all = {
      {"faceapi-ssd-mobilenetv1", 151, 5555541,
       {{"box_predictions", {1, 5118, 4}}, {"class_predictions", {1, 5118, 3}}, {"boxes", {1, 5118, 4}},
        {"scores", {1, 5118}}}},
      {"faceapi-tiny-face-detector", 19, 193321, {{"output", {1, 13, 13, 25}}}},
      {"faceapi-landmark68", 49, 356840, {{"landmarks", {1, 136}}}},
      {"faceapi-landmark68-tiny", 28, 77224, {{"landmarks", {1, 136}}}},
      {"faceapi-recognition", 117, 5614592, {{"descriptor", {1, 128}}}},
      {"faceapi-age-gender", 51, 421731, {{"age", {1, 1}}, {"gender", {1, 2}}}},
      {"faceapi-expression", 49, 323687, {{"expressions", {1, 7}}}},
  };
  return all;
}

// Reads `count` little-endian values of T at `offset` in a golden .bin.
template <class T>
std::vector<T> read_at(const fs::path& file, int64_t offset, int64_t count) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(offset);
  std::vector<T> v(static_cast<size_t>(count));
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)));
  EXPECT_EQ(in.gcount(), static_cast<std::streamsize>(count * sizeof(T))) << file;
  return v;
}

// Runs the golden cases of `id` (tests/golden/<id>.json: uint8 crops in,
// float32 face-api outputs) through the reference executor.
void compare_with_golden(const std::string& id, const Graph& graph) {
  const fs::path json_file = testing::source_dir() / "tests" / "golden" / (id + ".json");
  const fs::path bin_file = testing::source_dir() / "tests" / "golden" / (id + ".bin");
  if (!fs::exists(json_file) || !fs::exists(bin_file)) return;
  std::ifstream in(json_file);
  const auto golden = nlohmann::json::parse(in);
  auto exec = make_executor("reference", graph);
  for (const auto& c : golden["cases"]) {
    const Shape in_shape = c["input"]["shape"].get<Shape>();
    const auto bytes = read_at<uint8_t>(bin_file, c["input"]["offset"].get<int64_t>(), shape_numel(in_shape));
    const std::vector<float> pixels(bytes.begin(), bytes.end());
    const auto outs = exec->run({Tensor::from_floats(in_shape, pixels)});
    for (const auto& o : c["outputs"]) {
      const std::string name = o["name"];
      // The current SSD golden's "box_predictions" holds the anchors (it was
      // captured at the Reshape of Output/extra_dim), so the encodings are
      // checked through their decode, "boxes", instead.
      if (id == "faceapi-ssd-mobilenetv1" && name == "box_predictions") continue;
      const Shape shape = o["shape"].get<Shape>();
      const Tensor want = Tensor::from_floats(shape, read_at<float>(bin_file, o["offset"].get<int64_t>(), shape_numel(shape)));
      size_t k = 0;
      while (k < graph.outputs.size() && graph.values[graph.outputs[k]].name != name) ++k;
      ASSERT_LT(k, graph.outputs.size()) << id << ": no output " << name;
      const double err = testing::relative_max_error(outs[k], want);
      EXPECT_LT(err, 2e-3) << id << " " << c["image"] << " output " << name;
    }
  }
}

class FaceapiWeightSet : public ::testing::TestWithParam<Expected> {};

TEST_P(FaceapiWeightSet, LoadsUsesEveryWeightRunsAndMatchesFaceapi) {
  const Expected& e = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(path, e.id);
  const LoadedNetwork net = load_network(path.string());
  EXPECT_EQ(net.weight_count, e.weights);
  EXPECT_EQ(net.manifest_elements, e.params);
  const Graph& g = net.graph;
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), e.outputs.size());
  for (size_t i = 0; i < e.outputs.size(); ++i) {
    EXPECT_EQ(g.values[g.outputs[i]].name, e.outputs[i].first);
    EXPECT_EQ(g.values[g.outputs[i]].shape, e.outputs[i].second) << e.outputs[i].first;
  }

  // A mid-grey image: every output has its documented shape and is finite.
  const Shape in_shape = g.values[g.inputs[0]].shape;
  auto exec = make_executor("reference", g);
  const auto outs = exec->run({Tensor::from_floats(in_shape, std::vector<float>(shape_numel(in_shape), 128.0f))});
  ASSERT_EQ(outs.size(), e.outputs.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].shape(), e.outputs[i].second) << e.outputs[i].first;
    for (float v : outs[i].to_floats()) ASSERT_TRUE(std::isfinite(v)) << e.outputs[i].first;
  }
  compare_with_golden(e.id, g);
}

INSTANTIATE_TEST_SUITE_P(AllSeven, FaceapiWeightSet, ::testing::ValuesIn(expectations()),
                         [](const ::testing::TestParamInfo<Expected>& info) {
                           std::string name = info.param.id;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

TEST(FaceapiLoader, TinyFaceDetectorRunsAtOtherSizes) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "faceapi-tiny-face-detector");
  const Graph g = load_faceapi(path.string());
  auto exec = make_executor("reference", g);
  const auto outs = exec->run({Tensor::from_floats({1, 320, 320, 3}, std::vector<float>(320 * 320 * 3, 100.0f))});
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].shape(), (Shape{1, 10, 10, 25}));
}

TEST(FaceapiLoader, PublicEntryPointReturnsTheGraph) {
  FACEKIT_ZOO_MODEL_OR_SKIP(path, "faceapi-landmark68-tiny");
  const Graph g = load_faceapi(path.string());
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.values[g.outputs[0]].name, "landmarks");
}

// A copy of the tiny face detector's weight set in a scratch folder, its
// manifest edited by `edit`, saved as `manifest_name`.
class EditedManifest {
 public:
  EditedManifest(const fs::path& original, const std::string& manifest_name,
                 const std::function<void(nlohmann::json&, const fs::path&)>& edit) {
    dir_ = fs::temp_directory_path() / ("faceapi_loader_test_" + std::to_string(::getpid()) + "_" + manifest_name);
    fs::create_directories(dir_);
    std::ifstream in(original);
    auto manifest = nlohmann::json::parse(in);
    for (const auto& group : manifest)
      for (const auto& shard : group["paths"])
        fs::copy_file(original.parent_path() / shard.get<std::string>(), dir_ / shard.get<std::string>(),
                      fs::copy_options::overwrite_existing);
    edit(manifest, dir_);
    path_ = dir_ / manifest_name;
    std::ofstream(path_) << manifest.dump();
  }
  ~EditedManifest() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path dir_, path_;
};

const char* kTinyName = "tiny_face_detector_model-weights_manifest.json";

// Runs load_faceapi and returns the Error's message ("" when none).
std::string load_error(const std::string& path) {
  try {
    load_faceapi(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FaceapiLoader, RenamedWeightIsAnErrorNamingFileAndWeight) {
  FACEKIT_ZOO_MODEL_OR_SKIP(tiny, "faceapi-tiny-face-detector");
  EditedManifest m(tiny, kTinyName, [](nlohmann::json& j, const fs::path&) {
    for (auto& w : j[0]["weights"])
      if (w["name"] == "conv3/bias") w["name"] = "conv3/biases";
  });
  const std::string msg = load_error(m.path());
  EXPECT_NE(msg.find(m.path()), std::string::npos) << msg;
  EXPECT_NE(msg.find("conv3/bias"), std::string::npos) << msg;
}

TEST(FaceapiLoader, MissingWeightIsAnError) {
  FACEKIT_ZOO_MODEL_OR_SKIP(tiny, "faceapi-tiny-face-detector");
  // Dropping the last weight keeps the others' byte offsets.
  EditedManifest m(tiny, kTinyName, [](nlohmann::json& j, const fs::path&) {
    ASSERT_EQ(j[0]["weights"].back()["name"], "conv8/bias");
    j[0]["weights"].erase(j[0]["weights"].size() - 1);
  });
  const std::string msg = load_error(m.path());
  EXPECT_NE(msg.find(m.path()), std::string::npos) << msg;
  EXPECT_NE(msg.find("conv8/bias"), std::string::npos) << msg;
}

TEST(FaceapiLoader, UnusedWeightIsAnError) {
  FACEKIT_ZOO_MODEL_OR_SKIP(tiny, "faceapi-tiny-face-detector");
  EditedManifest m(tiny, kTinyName, [](nlohmann::json& j, const fs::path& dir) {
    const float value = 1.0f;
    std::ofstream(dir / "extra.bin", std::ios::binary).write(reinterpret_cast<const char*>(&value), sizeof value);
    j.push_back({{"paths", {"extra.bin"}},
                 {"weights", {{{"name", "conv9/bias"}, {"shape", {1}}, {"dtype", "float32"}}}}});
  });
  const std::string msg = load_error(m.path());
  EXPECT_NE(msg.find(m.path()), std::string::npos) << msg;
  EXPECT_NE(msg.find("conv9/bias"), std::string::npos) << msg;
}

TEST(FaceapiLoader, NameAndWeightsMustAgree) {
  FACEKIT_ZOO_MODEL_OR_SKIP(tiny, "faceapi-tiny-face-detector");
  EditedManifest m(tiny, "face_landmark_68_model-weights_manifest.json", [](nlohmann::json&, const fs::path&) {});
  const std::string msg = load_error(m.path());
  EXPECT_NE(msg.find("face_landmark_68"), std::string::npos) << msg;
}

TEST(FaceapiLoader, MissingManifestIsAnError) {
  EXPECT_THROW(load_faceapi("/nonexistent/face_recognition_model-weights_manifest.json"), Error);
}

}  // namespace
}  // namespace facekit::nn::faceapi
