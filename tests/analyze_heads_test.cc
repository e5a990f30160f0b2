// Every attribute head, preprocessing included, against its own runtime:
// tests/golden/analyze/heads.json holds, per face crop (crop-*.png, read by
// both sides) and head, the outputs face-api, human's tfjs graphs or the JS
// TFLite interpreter gave (tools/oracle/make_golden_analyze.mjs). Each output
// must agree to a relative 1e-4 (max |got − want| / max |want|), one crop at
// a time and all crops as one batch. The fast executor runs (the default);
// the reference one is checked against the same runtimes, model by model, in
// golden_models_test (here it would take half a minute on the DTN).
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "analyze/registry.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "testing.h"

namespace facekit {
namespace {

using json = nlohmann::json;

const std::filesystem::path kGoldenDir = testing::source_dir() / "tests/golden/analyze";

json golden() {
  std::ifstream in(kGoldenDir / "heads.json");
  return json::parse(in);
}

// Largest |got − want| over max |want| (floored at 1e-6).
double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return INFINITY;
  double scale = 1e-6, worst = 0;
  for (float w : want) scale = std::max(scale, static_cast<double>(std::fabs(w)));
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(got[i] - want[i])));
  return worst / scale;
}

class AnalyzeHead : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(AnalyzeHead, MatchesItsRuntime) {
  const auto& [id, executor] = GetParam();
  FACEKIT_ZOO_MODEL_OR_SKIP(model, id);
  AnalyzeOptions options;
  options.executor = executor;
  const auto head = analyze::head_entry(id).make(options);
  const json g = golden();
  std::vector<cv::Mat> crops;
  for (const json& c : g["crops"]) crops.push_back(read_image((kGoldenDir / c["file"].get<std::string>()).string()));
  const analyze::HeadOutputs batched = head->outputs(crops);
  ASSERT_EQ(batched.size(), crops.size());
  double worst = 0;
  for (size_t k = 0; k < crops.size(); ++k) {
    const json& want = g["crops"][k]["heads"][id];
    const analyze::HeadOutputs single = head->outputs({crops[k]});
    ASSERT_EQ(single[0].size(), head->output_names().size());
    for (size_t o = 0; o < head->output_names().size(); ++o) {
      const auto expected = want[head->output_names()[o]].get<std::vector<float>>();
      const double e = relative_error(single[0][o], expected);
      EXPECT_LE(e, 1e-4) << g["crops"][k]["file"] << " " << head->output_names()[o];
      EXPECT_LE(relative_error(batched[k][o], expected), 1e-4) << "batched, " << g["crops"][k]["file"];
      worst = std::max(worst, e);
    }
  }
  std::printf("[ golden ] %s, %s executor: worst relative error %.2g\n", id.c_str(), executor.c_str(), worst);
}

// The zoo's heads; facekit's own is checked against ONNX Runtime in
// analyze_facekit_head_test.
std::vector<std::string> zoo_head_ids() {
  std::vector<std::string> ids = head_ids();
  std::erase(ids, "facekit-attributes");
  return ids;
}

INSTANTIATE_TEST_SUITE_P(Zoo, AnalyzeHead,
                         ::testing::Combine(::testing::ValuesIn(zoo_head_ids()), ::testing::Values("fast")),
                         [](const auto& info) {
                           std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

// The interpretation of the heads' outputs on a golden crop: face-api's
// expressions land on the canonical classes by name, distributions sum to 1,
// the DTN score is the masked leaf's |score|.
TEST(AnalyzeHeads, InterpretationFollowsTheModelsSemantics) {
  FACEKIT_ZOO_MODEL_OR_SKIP(expression, "faceapi-expression");
  FACEKIT_ZOO_MODEL_OR_SKIP(dtn, "antispoof-dtn");
  const json g = golden();
  const cv::Mat crop = read_image((kGoldenDir / g["crops"][0]["file"].get<std::string>()).string());
  const auto head = analyze::head_entry("faceapi-expression").make({});
  const auto out = head->outputs({crop});
  const HeadAnalysis a = head->interpret(out[0]);
  ASSERT_TRUE(a.emotion);
  // face-api order: neutral, happy, sad, angry, fearful, disgusted, surprised.
  EXPECT_FLOAT_EQ((*a.emotion)[6], out[0][0][0]);  // neutral
  EXPECT_FLOAT_EQ((*a.emotion)[3], out[0][0][1]);  // happy
  EXPECT_FLOAT_EQ((*a.emotion)[0], out[0][0][3]);  // angry
  EXPECT_FLOAT_EQ((*a.emotion)[2], out[0][0][4]);  // fearful → fear
  EXPECT_FLOAT_EQ((*a.emotion)[1], out[0][0][5]);  // disgusted → disgust
  EXPECT_FLOAT_EQ((*a.emotion)[5], out[0][0][6]);  // surprised → surprise
  float sum = 0;
  for (float p : *a.emotion) sum += p;
  EXPECT_NEAR(sum, 1.f, 1e-5);

  const auto dtn_head = analyze::head_entry("antispoof-dtn").make({});
  const auto dtn_out = dtn_head->outputs({crop});
  const HeadAnalysis d = dtn_head->interpret(dtn_out[0]);
  ASSERT_TRUE(d.spoof_score);
  float expected = 0;
  for (size_t i = 0; i < 8; ++i) expected += std::fabs(dtn_out[0][0][i]) * dtn_out[0][1][i];
  EXPECT_FLOAT_EQ(*d.spoof_score, expected);
  EXPECT_GT(*d.spoof_score, 0.f);
}

TEST(AnalyzeHeads, UnknownHeadIsNamed) {
  EXPECT_THROW(
      {
        try {
          analyze::head_entry("no-such-head");
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("no-such-head"), std::string::npos);
          EXPECT_NE(std::string(e.what()).find("human-gear"), std::string::npos);
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace facekit
