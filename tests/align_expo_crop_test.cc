// expo-face-detection's crop (AlignKind::kExpo) against hand computations of
// its Kotlin (Box.toSquareShape, Box.limitSquare, MyUtil.crop) and of
// Android's bilinear scaling; the whole pipeline against expo's own is
// tests/pipeline_mobilefacenet_test.cc.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "align/expo_crop.h"
#include "facekit/align.h"
#include "facekit/error.h"
#include "image/scale_android.h"

namespace facekit {
namespace {

cv::Rect square(const cv::Rect2f& box, cv::Size image) { return expo_square(box, image, "test"); }

TEST(ExpoCrop, SquaresTheBoxAroundItsCentreAndDropsTheLastRowAndColumn) {
  // Corners (10, 20)–(39, 59): 30 × 40, grown by 5 on the left and 5 on the
  // right to (5, 20)–(44, 59); MyUtil.crop takes x 5..43, y 20..58.
  EXPECT_EQ(square({10, 20, 30, 40}, {100, 100}), cv::Rect(5, 20, 39, 39));
  // An odd difference: 30 × 41 grows 5 before and 6 after: (5, 20)–(45, 60).
  EXPECT_EQ(square({10, 20, 30, 41}, {100, 100}), cv::Rect(5, 20, 40, 40));
  // A wide box grows vertically: 40 × 30 at (20, 10) → (20, 5)–(59, 44).
  EXPECT_EQ(square({20, 10, 40, 30}, {100, 100}), cv::Rect(20, 5, 39, 39));
}

TEST(ExpoCrop, ShrinksASquareOverTheBorderAlongBothAxes) {
  // (−5, −3)–(14, 16): the near corner moves in by the larger overshoot, 5,
  // on both axes, to (0, 2); the far corner stays.
  EXPECT_EQ(square({-5, -3, 20, 20}, {100, 100}), cv::Rect(0, 2, 14, 14));
  // (40, 10)–(59, 29) in 50 × 50: 10 too far right; the far corner moves
  // back 10 on both axes, to (49, 19).
  EXPECT_EQ(square({40, 10, 20, 20}, {50, 50}), cv::Rect(40, 10, 9, 9));
  // (0, 0)–(79, 79) in 50 × 50: (49, 49).
  EXPECT_EQ(square({0, 0, 80, 80}, {50, 50}), cv::Rect(0, 0, 49, 49));
}

TEST(ExpoCrop, RefusesBoxesWithoutPixels) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(square({nan, 0, 10, 10}, {50, 50}), Error);
  EXPECT_THROW(square({0, 0, 0, 10}, {50, 50}), Error);
  // One pixel: nothing is left once the last column is dropped.
  EXPECT_THROW(square({5, 5, 1, 1}, {50, 50}), Error);
}

TEST(ExpoCrop, AlignFaceCutsTheSquareAndTakesNoMargin) {
  cv::Mat rgb(100, 100, CV_8UC3);
  for (int r = 0; r < rgb.rows; ++r)
    for (int c = 0; c < rgb.cols; ++c) rgb.at<cv::Vec3b>(r, c) = cv::Vec3b(c, r, 7);
  Face face;
  face.box = {10, 20, 30, 40};
  // The 39 × 39 cut at (5, 20) scaled to 39 × 39 is the cut itself.
  const cv::Mat same = align_face(rgb, face, named_template("expo", 39));
  EXPECT_EQ(cv::norm(same, rgb(cv::Rect(5, 20, 39, 39)), cv::NORM_INF), 0);
  EXPECT_EQ(align_face(rgb, face, expo_template()).size(), cv::Size(112, 112));
  EXPECT_THROW(align_face(rgb, face, expo_template(), {.margin = 0.1f}), Error);
}

TEST(ScaleAndroid, SamplesPixelCentresThroughTheScale) {
  // Two pixels, 0 and 100, doubled: centres 0.25, 0.75, 1.25, 1.75 fall at
  // −0.25 (clamped: 0), 0.25, 0.75 and 1.25 (clamped: 100) between them.
  cv::Mat two(1, 2, CV_8UC3);
  two.at<cv::Vec3b>(0, 0) = cv::Vec3b::all(0);
  two.at<cv::Vec3b>(0, 1) = cv::Vec3b::all(100);
  const cv::Mat four = scale_android(two, 0, 0, 2, 2, {4, 2});
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(four.at<cv::Vec3b>(r, 0)[0], 0);
    EXPECT_EQ(four.at<cv::Vec3b>(r, 1)[0], 25);
    EXPECT_EQ(four.at<cv::Vec3b>(r, 2)[0], 75);
    EXPECT_EQ(four.at<cv::Vec3b>(r, 3)[0], 100);
  }
  // An origin moves the window: from x = 1 at scale 1, the second pixel, then
  // the clamped edge.
  const cv::Mat shifted = scale_android(two, 1, 0, 1, 1, {2, 1});
  EXPECT_EQ(shifted.at<cv::Vec3b>(0, 0)[1], 100);
  EXPECT_EQ(shifted.at<cv::Vec3b>(0, 1)[1], 100);
  EXPECT_THROW(scale_android(two, 0, 0, 0, 1, {2, 1}), Error);
  EXPECT_THROW(scale_android(cv::Mat(), 0, 0, 1, 1, {2, 1}), Error);
}

}  // namespace
}  // namespace facekit
