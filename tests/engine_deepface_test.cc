// facekit/deepface.h on hand-written results (json.h's shapes): the names,
// integer boxes, eye order, percentages and find's threshold filter that
// deepface's users read, worked out by hand here.
#include <gtest/gtest.h>

#include "facekit/deepface.h"

namespace facekit {
namespace {

// A face as json.h writes it: the box, the score and, optionally, 5 landmarks
// (the eye on the image's left first).
Json face(double x, double y, double w, double h, bool with_landmarks) {
  Json f = {{"box", {{"x", x}, {"y", y}, {"width", w}, {"height", h}}}, {"score", 0.9876}};
  if (with_landmarks) f["landmarks"] = Json::array({{30.5, 40.49}, {60.5, 41.5}, {45, 55}, {35, 70}, {58, 70}});
  return f;
}

TEST(EngineDeepfaceTest, FacialAreasAreIntegersWithThePersonsOwnEyes) {
  const Json detect = {{"faces", Json::array({face(10.5, 20.49, 99.5, -0.5, true)})}};
  const Json out = deepface_detect(detect);
  ASSERT_EQ(out.size(), 1u);
  const Json& area = out[0]["facial_area"];
  // Halves away from zero: 10.5 → 11, 99.5 → 100, -0.5 → -1; 20.49 → 20.
  EXPECT_EQ(area, Json({{"x", 11}, {"y", 20}, {"w", 100}, {"h", -1}, {"left_eye", {61, 42}}, {"right_eye", {31, 40}}}));
  EXPECT_EQ(out[0]["confidence"], 0.9876);
}

TEST(EngineDeepfaceTest, VerifyRenamesAndKeepsFacekitsFields) {
  Json verify = {{"verified", true},           {"distance", 0.25},   {"threshold", 0.4},
                 {"threshold_source", "card"}, {"metric", "cosine"}, {"model", "mobilefacenet"},
                 {"detector", "mtcnn"},        {"confidence", 0.9},  {"probability_same", nullptr}};
  verify["faces"] = Json::array({{{"image", "a.jpg"}, {"face", face(1, 2, 3, 4, false)}, {"face_found", true}},
                                 {{"image", "b.jpg"}, {"face", face(5, 6, 7, 8, false)}, {"face_found", false}}});
  const Json out = deepface_verify(verify, 1.5);
  EXPECT_EQ(out["verified"], true);
  EXPECT_EQ(out["distance"], 0.25);
  EXPECT_EQ(out["threshold"], 0.4);
  EXPECT_EQ(out["model"], "mobilefacenet");
  EXPECT_EQ(out["detector_backend"], "mtcnn");
  EXPECT_EQ(out["similarity_metric"], "cosine");
  EXPECT_EQ(out["facial_areas"]["img2"],
            Json({{"x", 5}, {"y", 6}, {"w", 7}, {"h", 8}, {"left_eye", nullptr}, {"right_eye", nullptr}}));
  EXPECT_EQ(out["time"], 1.5);
  EXPECT_EQ(out["threshold_source"], "card");
  EXPECT_EQ(out["face_found"], Json({{"img1", true}, {"img2", false}}));
}

TEST(EngineDeepfaceTest, AnalyzeInPercentWithTheDominantClass) {
  Json f = face(0, 0, 10, 10, false);
  f["age"] = {{"years", 31.5}, {"uncertainty", 4}};
  f["gender"] = {{"value", "female"}, {"probability", 0.75}};
  f["emotion"] = {{"happy", 0.625}, {"sad", 0.25}, {"neutral", 0.125}};
  f["confidence"] = 0.5;
  Json refused = face(20, 0, 10, 10, false);
  refused["refused"] = "too small";
  const Json out = deepface_analyze({{"faces", Json::array({f, refused})}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]["age"], 31.5);
  EXPECT_EQ(out[0]["dominant_gender"], "Woman");
  EXPECT_DOUBLE_EQ(out[0]["gender"]["Woman"].get<double>(), 75);
  EXPECT_DOUBLE_EQ(out[0]["gender"]["Man"].get<double>(), 25);
  EXPECT_EQ(out[0]["dominant_emotion"], "happy");
  EXPECT_DOUBLE_EQ(out[0]["emotion"]["sad"].get<double>(), 25);
  EXPECT_FALSE(out[0].contains("race"));  // only the heads that ran
  EXPECT_EQ(out[1]["refused"], "too small");
  EXPECT_FALSE(out[1].contains("age"));
}

TEST(EngineDeepfaceTest, FindKeepsTheCandidatesWithinTheThreshold) {
  Json found = face(10, 20, 30, 40, false);
  Json f = {{"face", found},
            {"candidates", Json::array({{{"identity", "Ann"}, {"distance", 0.2}},
                                        {{"identity", "Bo"}, {"distance", 0.4}},
                                        {{"identity", "Cy"}, {"distance", 0.41}},
                                        {{"identity", "Di"}, {"distance", nullptr}}})}};
  const Json out = deepface_find({{"threshold", 0.4}, {"faces", Json::array({f})}});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 2u);  // at or below 0.4
  EXPECT_EQ(out[0][0], Json({{"identity", "Ann"}, {"distance", 0.2}, {"threshold", 0.4}, {"source_x", 10},
                             {"source_y", 20}, {"source_w", 30}, {"source_h", 40}}));
  EXPECT_EQ(out[0][1]["identity"], "Bo");
}

TEST(EngineDeepfaceTest, DetectorBackendNames) {
  std::string detector = "mtcnn";
  bool no_detect = false;
  apply_detector_backend("skip", detector, no_detect);
  EXPECT_TRUE(no_detect);
  apply_detector_backend("opencv", detector, no_detect);
  EXPECT_EQ(detector, "haar");
  EXPECT_FALSE(no_detect);
  apply_detector_backend("ssd", detector, no_detect);
  EXPECT_EQ(detector, "ssd");
}

}  // namespace
}  // namespace facekit
