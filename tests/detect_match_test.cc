// The evaluation harness's matching of detections to labelled faces
// (bench/detect_match.h), on synthetic boxes.
#include <cmath>

#include <gtest/gtest.h>

#include "../bench/detect_match.h"

namespace facekit::eval {
namespace {

Face detection(float x, float y, float w, float h, float score) {
  Face f;
  f.box = cv::Rect2f(x, y, w, h);
  f.score = score;
  return f;
}

TEST(DetectMatch, MatchesEachFaceToTheOverlappingDetection) {
  const std::vector<cv::Rect2f> faces{{0, 0, 100, 100}, {200, 0, 100, 100}};
  // The second detection is the first face shifted by 10 px: IoU 90·100 / 110·100.
  const std::vector<Face> dets{detection(200, 0, 100, 100, 0.9f), detection(10, 0, 100, 100, 0.8f)};
  const Match m = match_detections(faces, dets, 0.4f);
  EXPECT_EQ(m.detection_of_face, (std::vector<int>{1, 0}));
  EXPECT_EQ(m.face_of_detection, (std::vector<int>{1, 0}));
  EXPECT_NEAR(m.iou_of_face[0], 90.0 / 110.0, 1e-6);
  EXPECT_FLOAT_EQ(m.iou_of_face[1], 1);
}

TEST(DetectMatch, RespectsTheIoUThreshold) {
  const std::vector<cv::Rect2f> faces{{0, 0, 100, 100}};
  // Shifted by 50 px: IoU 50 / 150 = 1/3.
  const std::vector<Face> dets{detection(50, 0, 100, 100, 0.9f)};
  EXPECT_EQ(match_detections(faces, dets, 0.4f).detection_of_face[0], -1);
  EXPECT_EQ(match_detections(faces, dets, 0.3f).detection_of_face[0], 0);
}

TEST(DetectMatch, ADuplicateDetectionIsAFalsePositive) {
  const std::vector<cv::Rect2f> faces{{0, 0, 100, 100}};
  // The better-scored detection wins the face even though the other fits better.
  const std::vector<Face> dets{detection(0, 0, 100, 100, 0.5f), detection(5, 5, 100, 100, 0.9f)};
  const Match m = match_detections(faces, dets, 0.4f);
  EXPECT_EQ(m.detection_of_face[0], 1);
  EXPECT_EQ(m.face_of_detection, (std::vector<int>{-1, 0}));
  Tally t;
  t.add(m);
  EXPECT_EQ(t.found, 1);
  EXPECT_EQ(t.false_positives, 1);
  EXPECT_EQ(t.missed, 0);
  EXPECT_DOUBLE_EQ(t.precision(), 0.5);
  EXPECT_DOUBLE_EQ(t.recall(), 1.0);
}

TEST(DetectMatch, ADetectionTakesTheFaceItOverlapsMost) {
  // Two neighbouring faces; the detection sits mostly on the second.
  const std::vector<cv::Rect2f> faces{{0, 0, 100, 100}, {80, 0, 100, 100}};
  const std::vector<Face> dets{detection(70, 0, 100, 100, 0.9f)};
  EXPECT_EQ(match_detections(faces, dets, 0.4f).detection_of_face, (std::vector<int>{-1, 0}));
}

TEST(DetectMatch, TalliesOverImages) {
  Tally t;
  const std::vector<cv::Rect2f> two{{0, 0, 50, 50}, {100, 100, 50, 50}};
  t.add(match_detections(two, {detection(0, 0, 50, 50, 1), detection(300, 300, 20, 20, 0.3f)}, 0.4f));
  t.add(match_detections(two, {}, 0.4f));
  EXPECT_EQ(t.found, 1);
  EXPECT_EQ(t.missed, 3);
  EXPECT_EQ(t.false_positives, 1);
  EXPECT_DOUBLE_EQ(t.recall(), 0.25);
  EXPECT_DOUBLE_EQ(t.precision(), 0.5);
}

TEST(DetectMatch, EmptyCasesAreNotANumber) {
  Tally t;
  t.add(match_detections({}, {}, 0.4f));
  EXPECT_TRUE(std::isnan(t.precision()));
  EXPECT_TRUE(std::isnan(t.recall()));
}

}  // namespace
}  // namespace facekit::eval
