// face-api's heads end to end, detector, landmarks and crop included, against
// face-api's own pipeline on the same photos: tests/data/faceapi-analysis.json
// holds, for face-api's six sample photos (lossless PNGs, so both sides read
// the same pixels), what face-api gave in Node (tools/oracle/faceapi_analysis.mjs)
// in its two chains:
//   landmarks: detectAllFaces(image, SsdMobilenetv1Options()).withFaceLandmarks()
//                .withAgeAndGender().withFaceExpressions()
//              — what `facekit analyze` follows (Engine::analyze): the faces
//              are cut at the landmarks' box, face-api's alignedRect;
//   boxes:     the same without .withFaceLandmarks() — the Analyzer given
//              faces without landmarks: cut at the detection box.
// Every face's age, P(male) and expressions must be reproduced. A crop one
// pixel off moves an age by up to 8 years here, so tolerances of 1e-3 years
// and 1e-4 catch any crop difference.
#include <cmath>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "facekit/analyze.h"
#include "facekit/detect.h"
#include "facekit/engine.h"
#include "facekit/image.h"
#include "testing.h"

namespace facekit {
namespace {

using json = nlohmann::json;

// face-api's expression names → the canonical emotion index.
int emotion_index(const std::string& faceapi_name) {
  const std::map<std::string, std::string> canonical = {{"neutral", "neutral"}, {"happy", "happy"},   {"sad", "sad"},
                                                        {"angry", "angry"},     {"fearful", "fear"},  {"disgusted", "disgust"},
                                                        {"surprised", "surprise"}};
  const std::string name = canonical.at(faceapi_name);
  for (size_t k = 0; k < kEmotionNames.size(); ++k)
    if (name == kEmotionNames[k]) return static_cast<int>(k);
  return -1;
}

bool models_installed() {
  for (const char* id : {"faceapi-ssd-mobilenetv1", "faceapi-landmark68", "faceapi-age-gender", "faceapi-expression"})
    if (!testing::zoo_model(id)) return false;
  return true;
}

json oracle() {
  std::ifstream in(testing::source_dir() / "tests/data/faceapi-analysis.json");
  return json::parse(in);
}

// The head `id`'s own output (not the combination, which averages other heads in).
const HeadAnalysis& head(const FaceAnalysis& a, const std::string& id) {
  for (const auto& h : a.heads)
    if (h.head == id) return h;
  throw std::runtime_error("no head " + id);
}

// Each of `faces` (with `analyses`) against the oracle face of the nearest box
// among `want`; returns how many were compared.
int expect_faceapi_outputs(const std::vector<Face>& faces, const std::vector<FaceAnalysis>& analyses, const json& want) {
  EXPECT_EQ(faces.size(), want.size());
  for (size_t i = 0; i < faces.size(); ++i) {
    // The oracle's face with the nearest box (the same face; boxes agree to 1e-3 px).
    const json* match = nullptr;
    double nearest = INFINITY;
    for (const auto& w : want) {
      const auto& b = w["box"];
      const double d = std::fabs(b[0].get<double>() - faces[i].box.x) + std::fabs(b[1].get<double>() - faces[i].box.y) +
                       std::fabs(b[2].get<double>() - faces[i].box.width) +
                       std::fabs(b[3].get<double>() - faces[i].box.height);
      if (d < nearest) {
        nearest = d;
        match = &w;
      }
    }
    EXPECT_LT(nearest, 4e-3) << "face " << i << ": no oracle face with its box";
    if (!match) continue;
    const HeadAnalysis& age_gender = head(analyses[i], "faceapi-age-gender");
    EXPECT_NEAR(age_gender.age->years, (*match)["age"].get<double>(), 1e-3) << "face " << i;
    const double p = (*match)["gender_probability"].get<double>();
    EXPECT_NEAR(*age_gender.male_probability, (*match)["gender"] == "male" ? p : 1 - p, 1e-4) << "face " << i;
    const EmotionDistribution& emotion = *head(analyses[i], "faceapi-expression").emotion;
    for (const auto& [name, value] : (*match)["expressions"].items())
      EXPECT_NEAR(emotion[emotion_index(name)], value.get<double>(), 1e-4) << "face " << i << " " << name;
  }
  return static_cast<int>(faces.size());
}

TEST(FaceApiAnalysis, AnalyzeEqualsFaceApisChainWithLandmarks) {
  if (!models_installed()) GTEST_SKIP() << "face-api's models not installed: run `facekit models install`";
  Engine engine({.threads = 1});
  AnalyzeRequest request;
  request.actions = "age,gender,emotion";
  const json want = oracle();
  int faces = 0;
  for (const auto& photo : want["images"]) {
    SCOPED_TRACE(photo["image"].get<std::string>());
    const AnalyzeResult r =
        engine.analyze(read_named_image((testing::source_dir() / photo["image"].get<std::string>()).string()), request);
    EXPECT_EQ(r.detector, "ssd");
    for (const Face& f : r.faces) EXPECT_EQ(f.landmarks68.size(), 68u);
    faces += expect_faceapi_outputs(r.faces, r.analyses, photo["landmarks"]);
  }
  EXPECT_EQ(faces, 22);
}

TEST(FaceApiAnalysis, FacesWithoutLandmarksFollowFaceApisChainWithout) {
  if (!models_installed()) GTEST_SKIP() << "face-api's models not installed: run `facekit models install`";
  const auto detector = make_detector("ssd", {.threads = 1});
  AnalyzeOptions options;
  options.actions = {Action::kAge, Action::kGender, Action::kEmotion};
  options.threads = 1;
  Analyzer analyzer(options);
  const json want = oracle();
  int faces = 0;
  for (const auto& photo : want["images"]) {
    SCOPED_TRACE(photo["image"].get<std::string>());
    const cv::Mat rgb = read_image((testing::source_dir() / photo["image"].get<std::string>()).string());
    const std::vector<Face> found = detector->detect(rgb);
    faces += expect_faceapi_outputs(found, analyzer.analyze(rgb, found), photo["boxes"]);
  }
  EXPECT_EQ(faces, 22);
}

}  // namespace
}  // namespace facekit
