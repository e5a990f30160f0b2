// facekit's own attribute head against ONNX Runtime: tests/golden/analyze/
// facekit_attributes.json holds, per analysis golden crop, the raw
// MobileFaceNet embedding `facekit represent --no-detect` gives and the
// outputs of models/facekit-attributes.onnx run on it by onnxruntime-node
// (tools/oracle/make_golden_facekit_head.mjs). The compiled-in network must
// give ONNX Runtime's outputs for those embeddings, and the analyzer — its
// whole pipeline, from the crop's pixels — the same outputs, which holds only
// when it embeds the face as `facekit represent` does.
#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analyze/heads.h"
#include "facekit/analyze.h"
#include "facekit/image.h"
#include "facekit/nn/executor.h"
#include "facekit/zoo.h"
#include "testing.h"

namespace facekit {
extern const unsigned char kFacekitAttributesOnnx[];
extern const size_t kFacekitAttributesOnnx_size;

namespace {

using json = nlohmann::json;

const std::filesystem::path kGoldenDir = testing::source_dir() / "tests/golden/analyze";
const std::filesystem::path kModel = testing::source_dir() / "models/facekit-attributes.onnx";

json golden() {
  std::ifstream in(kGoldenDir / "facekit_attributes.json");
  return json::parse(in);
}

double max_abs_difference(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(got[i] - want[i])));
  return worst;
}

TEST(FacekitHead, CompiledInModelIsTheCommittedFileTheGoldenWasMadeFrom) {
  std::ifstream in(kModel, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(file.size(), kFacekitAttributesOnnx_size);
  EXPECT_EQ(std::memcmp(file.data(), kFacekitAttributesOnnx, file.size()), 0);
  EXPECT_EQ(zoo::sha256_file(kModel), golden()["model_sha256"].get<std::string>())
      << "the model changed: rerun node tools/oracle/make_golden_facekit_head.mjs";
}

TEST(FacekitHead, NetworkGivesOnnxRuntimesOutputs) {
  nn::Graph graph = analyze::facekit_attributes_graph();
  graph.set_outputs({"gender", "race"});
  const auto executor = nn::make_executor("fast", graph, {1});
  const json g = golden();
  const int64_t n = static_cast<int64_t>(g["cases"].size()), dimension = 192;
  ASSERT_GE(n, 2);
  nn::Tensor x(nn::DType::kFloat32, {n, dimension});
  for (int64_t i = 0; i < n; ++i) {
    const auto e = g["cases"][i]["embedding"].get<std::vector<float>>();
    ASSERT_EQ(static_cast<int64_t>(e.size()), dimension);
    std::copy(e.begin(), e.end(), x.data<float>() + i * dimension);
  }
  const std::vector<nn::Tensor> y = executor->run({x});  // all crops as one batch
  ASSERT_EQ(y.size(), 2u);
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<float> gender(y[0].data<float>() + i * 2, y[0].data<float>() + (i + 1) * 2);
    const std::vector<float> race(y[1].data<float>() + i * 5, y[1].data<float>() + (i + 1) * 5);
    EXPECT_LT(max_abs_difference(gender, g["cases"][i]["gender"].get<std::vector<float>>()), 1e-5) << i;
    EXPECT_LT(max_abs_difference(race, g["cases"][i]["race"].get<std::vector<float>>()), 1e-5) << i;
  }
}

TEST(FacekitHead, AnalyzerRunsItOnTheRecognizersCrop) {
  FACEKIT_ZOO_MODEL_OR_SKIP(recognizer, "mobilefacenet-tflite");
  FACEKIT_ZOO_MODEL_OR_SKIP(landmarker, "faceapi-landmark68");
  FACEKIT_ZOO_MODEL_OR_SKIP(gear, "human-gear");
  FACEKIT_ZOO_MODEL_OR_SKIP(faceapi, "faceapi-age-gender");
  FACEKIT_ZOO_MODEL_OR_SKIP(faceres, "human-faceres");
  Analyzer analyzer({.actions = {Action::kGender, Action::kRace}});
  const std::vector<std::string> heads = analyzer.heads();
  ASSERT_NE(std::find(heads.begin(), heads.end(), "facekit-attributes"), heads.end());
  for (const json& c : golden()["cases"]) {
    const cv::Mat rgb = read_image((kGoldenDir / c["crop"].get<std::string>()).string());
    Face whole;  // as `facekit analyze --no-detect` takes a crop
    whole.box = cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
    whole.score = 1;
    const FaceAnalysis a = analyzer.analyze(rgb, {whole})[0];
    const auto own = std::find_if(a.heads.begin(), a.heads.end(), [](const HeadAnalysis& h) { return h.head == "facekit-attributes"; });
    ASSERT_NE(own, a.heads.end()) << c["crop"];
    const auto gender = c["gender"].get<std::vector<float>>();
    const auto race = c["race"].get<std::vector<float>>();
    ASSERT_TRUE(own->male_probability.has_value());
    EXPECT_NEAR(*own->male_probability, gender[0], 1e-4) << c["crop"];
    ASSERT_EQ(own->race.size(), 5u);
    for (size_t k = 0; k < 5; ++k) EXPECT_NEAR(own->race[k].second, race[k], 1e-4) << c["crop"] << " " << own->race[k].first;
  }
}

}  // namespace
}  // namespace facekit
