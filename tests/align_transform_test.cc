// Alignment: the template, the least-squares similarity transform (against
// OpenCV's estimator and a plain linear least-squares solve), and the warped
// crop's geometry, fallbacks, margins, border modes and errors.
#include <cmath>
#include <random>

#include <gtest/gtest.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {
namespace {

using Points = std::vector<cv::Point2f>;

// scale · R(angle) · p + shift.
Points transformed(const Points& points, double scale, double angle, cv::Point2d shift) {
  Points out;
  const double c = scale * std::cos(angle), s = scale * std::sin(angle);
  for (const auto& p : points) out.emplace_back(c * p.x - s * p.y + shift.x, s * p.x + c * p.y + shift.y);
  return out;
}

cv::Point2d apply(const cv::Mat& m, cv::Point2f p) {
  return {m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2),
          m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2)};
}

double max_abs_diff(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }

TEST(AlignTemplate, ArcFaceIsInsightFacesTemplate) {
  const auto& t = arcface_template();
  EXPECT_EQ(t.size, cv::Size(112, 112));
  ASSERT_EQ(t.points.size(), 5u);
  EXPECT_FLOAT_EQ(t.points[kLeftEye].x, 38.2946f);
  EXPECT_FLOAT_EQ(t.points[kRightMouth].y, 92.2041f);
  // Image order: the left eye and mouth corner are on the image's left, the
  // eyes above the nose, the nose above the mouth.
  EXPECT_LT(t.points[kLeftEye].x, t.points[kRightEye].x);
  EXPECT_LT(t.points[kLeftMouth].x, t.points[kRightMouth].x);
  EXPECT_LT(t.points[kLeftEye].y, t.points[kNose].y);
  EXPECT_LT(t.points[kNose].y, t.points[kLeftMouth].y);
}

TEST(AlignTemplate, ScalesToAnySquareSize) {
  const auto& base = arcface_template();
  for (int size : {56, 150, 224}) {
    const AlignTemplate t = scaled_template(base, size);
    EXPECT_EQ(t.size, cv::Size(size, size));
    ASSERT_EQ(t.points.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_NEAR(t.points[i].x, base.points[i].x * size / 112.0, 1e-4);
      EXPECT_NEAR(t.points[i].y, base.points[i].y * size / 112.0, 1e-4);
    }
  }
  EXPECT_THROW(scaled_template(base, 0), Error);
  EXPECT_THROW(scaled_template(base, -5), Error);
}

TEST(AlignTemplate, DlibIsDlibsChipWithPadding) {
  // By hand from dlib's mean face shape (get_face_chip_details): eye centres
  // = mean of points 36–41 / 42–47 = (0.225492, 0.215990) / (0.754761,
  // 0.215990), nose tip 30 = (0.490127, 0.515625), mouth corners 48 / 54 =
  // (0.254149, 0.780233) / (0.726104, 0.780233); in the 150 px chip with
  // padding 0.25: (0.25 + u) / 1.5 · 150.
  const auto& t = dlib_template();
  EXPECT_EQ(t.name, "dlib");
  EXPECT_EQ(t.size, cv::Size(150, 150));
  EXPECT_EQ(t.kind, AlignKind::kSimilarity);
  const std::vector<cv::Point2f> want = {
      {47.5492f, 46.5990f}, {100.4761f, 46.5990f}, {74.0127f, 76.5625f}, {50.4149f, 103.0233f}, {97.6104f, 103.0233f}};
  ASSERT_EQ(t.points.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(t.points[i].x, want[i].x, 1e-3) << i;
    EXPECT_NEAR(t.points[i].y, want[i].y, 1e-3) << i;
  }
}

TEST(AlignTemplate, NamedTemplatesAtAnySize) {
  EXPECT_EQ(named_template("arcface", 112).points, arcface_template().points);
  EXPECT_EQ(named_template("dlib", 150).points, dlib_template().points);
  EXPECT_EQ(named_template("arcface", 150).points, scaled_template(arcface_template(), 150).points);
  const AlignTemplate faceapi = named_template("faceapi", 150);
  EXPECT_EQ(faceapi.kind, AlignKind::kFaceapi);
  EXPECT_TRUE(faceapi.points.empty());
  EXPECT_EQ(named_template("faceapi", 112).kind, AlignKind::kFaceapi);
  EXPECT_EQ(named_template("dlib", 112).size, cv::Size(112, 112));
  EXPECT_THROW(named_template("dlib68", 150), Error);
  EXPECT_THROW(named_template("", 150), Error);
  EXPECT_THROW(named_template("dlib", 0), Error);
}

TEST(SimilarityTransform, RecoversAKnownRotationScaleAndShift) {
  const Points from = arcface_template().points;
  const double scale = 1.7, angle = 0.5;
  const Points to = transformed(from, scale, angle, {12, -5});
  const cv::Mat m = similarity_transform(from, to);
  ASSERT_EQ(m.type(), CV_64F);
  ASSERT_EQ(m.size(), cv::Size(3, 2));
  const cv::Mat want = (cv::Mat_<double>(2, 3) << scale * std::cos(angle), -scale * std::sin(angle), 12,
                        scale * std::sin(angle), scale * std::cos(angle), -5);
  EXPECT_LT(max_abs_diff(m, want), 1e-4) << m;
}

TEST(SimilarityTransform, AgreesWithOpenCVOnExactCorrespondences) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    Points from;
    for (int i = 0; i < 5; ++i) from.emplace_back(400 * unit(rng), 300 * unit(rng));
    const Points to = transformed(from, 0.2 + 3 * unit(rng), 6.28 * unit(rng), {200 * unit(rng), 200 * unit(rng)});
    const cv::Mat ours = similarity_transform(from, to);
    const cv::Mat opencv = cv::estimateAffinePartial2D(from, to);
    ASSERT_FALSE(opencv.empty());
    EXPECT_LT(max_abs_diff(ours, opencv), 1e-3) << "trial " << trial << "\nours " << ours << "\nopencv " << opencv;
  }
}

// The least-squares similarity is linear in (a, b, tx, ty) with
// x' = a x − b y + tx, y' = b x + a y + ty: solving that system directly is
// an independent route to the same minimiser, noise or not.
TEST(SimilarityTransform, IsTheLeastSquaresFitOnNoisyPoints) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 2);
  const Points from = arcface_template().points;
  Points to = transformed(from, 2.3, -0.3, {40, 70});
  for (auto& p : to) p += cv::Point2f(static_cast<float>(noise(rng)), static_cast<float>(noise(rng)));

  cv::Mat a(10, 4, CV_64F), b(10, 1, CV_64F);
  for (int i = 0; i < 5; ++i) {
    const double x = from[i].x, y = from[i].y;
    cv::Mat(cv::Matx14d(x, -y, 1, 0)).copyTo(a.row(2 * i));
    cv::Mat(cv::Matx14d(y, x, 0, 1)).copyTo(a.row(2 * i + 1));
    b.at<double>(2 * i) = to[i].x;
    b.at<double>(2 * i + 1) = to[i].y;
  }
  cv::Mat p;
  ASSERT_TRUE(cv::solve(a, b, p, cv::DECOMP_SVD));
  const double pa = p.at<double>(0), pb = p.at<double>(1);
  const cv::Mat want =
      (cv::Mat_<double>(2, 3) << pa, -pb, p.at<double>(2), pb, pa, p.at<double>(3));
  EXPECT_LT(max_abs_diff(similarity_transform(from, to), want), 1e-6);
}

TEST(SimilarityTransform, RoundTripsToTheIdentity) {
  const Points from = arcface_template().points;
  const Points to = transformed(from, 0.4, 2.0, {-30, 80});
  cv::Mat forward = similarity_transform(from, to), back = similarity_transform(to, from);
  for (const auto& p : from) {
    const cv::Point2d there = apply(forward, p);
    const cv::Point2d again = apply(back, cv::Point2f(static_cast<float>(there.x), static_cast<float>(there.y)));
    EXPECT_NEAR(again.x, p.x, 1e-3);
    EXPECT_NEAR(again.y, p.y, 1e-3);
  }
}

TEST(SimilarityTransform, NeverReflects) {
  const Points from = arcface_template().points;
  Points mirrored;
  for (const auto& p : from) mirrored.emplace_back(-p.x, p.y);
  const cv::Mat m = similarity_transform(from, mirrored);
  const double det = m.at<double>(0, 0) * m.at<double>(1, 1) - m.at<double>(0, 1) * m.at<double>(1, 0);
  EXPECT_GE(det, 0);
  EXPECT_NEAR(m.at<double>(0, 0), m.at<double>(1, 1), 1e-9);   // a rotation, scaled
  EXPECT_NEAR(m.at<double>(0, 1), -m.at<double>(1, 0), 1e-9);
}

TEST(SimilarityTransform, TwoPointsFitExactly) {
  const Points from{{0, 0}, {10, 0}}, to{{5, 5}, {5, 25}};
  const cv::Mat m = similarity_transform(from, to);
  EXPECT_NEAR(apply(m, from[0]).x, 5, 1e-9);
  EXPECT_NEAR(apply(m, from[1]).y, 25, 1e-9);
}

TEST(SimilarityTransform, RejectsDegenerateInput) {
  const Points five = arcface_template().points;
  EXPECT_THROW(similarity_transform(five, Points(five.begin(), five.begin() + 4)), Error);
  EXPECT_THROW(similarity_transform({{1, 2}}, {{3, 4}}), Error);
  EXPECT_THROW(similarity_transform({}, {}), Error);
  const Points same(5, cv::Point2f(7, 7));
  EXPECT_THROW(similarity_transform(same, five), Error);
  EXPECT_THROW(similarity_transform(five, same), Error);
  Points with_nan = five;
  with_nan[2].x = std::nanf("");
  EXPECT_THROW(similarity_transform(with_nan, five), Error);
  EXPECT_THROW(similarity_transform(five, with_nan), Error);
}

// A black image with a bright Gaussian blob at each point.
cv::Mat blobs(cv::Size size, const Points& points, double sigma) {
  cv::Mat grey(size, CV_32F, cv::Scalar(0));
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x)
      for (const auto& p : points) {
        const double d2 = (x - p.x) * (x - p.x) + (y - p.y) * (y - p.y);
        grey.at<float>(y, x) += static_cast<float>(250 * std::exp(-d2 / (2 * sigma * sigma)));
      }
  cv::Mat u8, rgb;
  grey.convertTo(u8, CV_8U);
  cv::cvtColor(u8, rgb, cv::COLOR_GRAY2RGB);
  return rgb;
}

// The intensity-weighted centroid of `rgb` within `radius` of `near`.
cv::Point2d centroid(const cv::Mat& rgb, cv::Point2f near, int radius) {
  double sum = 0, sx = 0, sy = 0;
  for (int y = std::max(0, int(near.y) - radius); y <= std::min(rgb.rows - 1, int(near.y) + radius); ++y)
    for (int x = std::max(0, int(near.x) - radius); x <= std::min(rgb.cols - 1, int(near.x) + radius); ++x) {
      const double v = rgb.at<cv::Vec3b>(y, x)[0];
      sum += v, sx += v * x, sy += v * y;
    }
  return sum > 0 ? cv::Point2d(sx / sum, sy / sum) : cv::Point2d(-1, -1);
}

// Landmarks placed in a photo by a known similarity: aligning must bring
// each blob back onto its template point, moved by the margin.
void expect_landmarks_land_on_template(const AlignTemplate& tmpl, float margin, int pad) {
  const Points landmarks = transformed(tmpl.points, 1.5 * 112 / tmpl.size.width, 0.35, {120, 30});
  Face face;
  face.landmarks = landmarks;
  const cv::Mat crop = align_face(blobs({400, 320}, landmarks, 3), face, tmpl, {.margin = margin});
  ASSERT_EQ(crop.type(), CV_8UC3);
  EXPECT_EQ(crop.size(), cv::Size(tmpl.size.width + 2 * pad, tmpl.size.height + 2 * pad));
  for (size_t i = 0; i < 5; ++i) {
    const cv::Point2f want = tmpl.points[i] + cv::Point2f(pad, pad);
    const cv::Point2d got = centroid(crop, want, 7);
    EXPECT_NEAR(got.x, want.x, 0.3) << tmpl.name << " margin " << margin << " point " << i;
    EXPECT_NEAR(got.y, want.y, 0.3) << tmpl.name << " margin " << margin << " point " << i;
  }
}

TEST(AlignFace, PutsTheLandmarksOnTheTemplate) {
  expect_landmarks_land_on_template(arcface_template(), 0, 0);
  expect_landmarks_land_on_template(scaled_template(arcface_template(), 150), 0, 0);
}

TEST(AlignFace, MarginWidensTheCropAroundTheTemplate) {
  expect_landmarks_land_on_template(arcface_template(), 0.1f, 11);   // 112 + 2·11 = 134
  expect_landmarks_land_on_template(arcface_template(), 0.25f, 28);
}

TEST(AlignFace, FallsBackToTheFiveOfTheSixtyEightLandmarks) {
  const Points five = transformed(arcface_template().points, 1.4, -0.2, {90, 60});
  // A 68-point layout whose eyes are hexagons around the two eye centres, with
  // the nose tip at 30 and the mouth corners at 48 and 54; other points stray.
  Points p68(68, cv::Point2f(5, 5));
  for (int k = 0; k < 6; ++k) {
    const cv::Point2f ring(4 * std::cos(k * CV_PI / 3), 3 * std::sin(k * CV_PI / 3));
    p68[36 + k] = five[kLeftEye] + ring;
    p68[42 + k] = five[kRightEye] + ring;
  }
  p68[30] = five[kNose];
  p68[48] = five[kLeftMouth];
  p68[54] = five[kRightMouth];
  const cv::Mat photo = blobs({320, 280}, five, 3);
  Face with5, with68;
  with5.landmarks = five;
  with68.landmarks68 = p68;
  with68.box = with5.box = cv::Rect2f(0, 0, 10, 10);  // ignored: landmarks win
  EXPECT_LE(max_abs_diff(align_face(photo, with68, arcface_template()), align_face(photo, with5, arcface_template())),
            1);
}

TEST(AlignFace, FallsBackToTheBoxSquareAndUnrotated) {
  // Box 80×100 at (50, 40): a 100-px square around (90, 90) onto 112 px.
  const Points marks{{90, 90}, {120, 90}, {90, 60}};
  Face face;
  face.box = cv::Rect2f(50, 40, 80, 100);
  const cv::Mat crop = align_face(blobs({240, 200}, marks, 2.5), face, arcface_template());
  EXPECT_EQ(crop.size(), cv::Size(112, 112));
  const double scale = 112.0 / 100;
  const Points want{{56, 56}, {static_cast<float>(56 + 30 * scale), 56}, {56, static_cast<float>(56 - 30 * scale)}};
  for (size_t i = 0; i < want.size(); ++i) {
    const cv::Point2d got = centroid(crop, want[i], 6);
    EXPECT_NEAR(got.x, want[i].x, 0.3) << i;
    EXPECT_NEAR(got.y, want[i].y, 0.3) << i;
  }
}

TEST(AlignFace, FillsOutsideTheImageByTheBorderMode) {
  // Pixel value 10 + x. A 112-px box starting 20 px left of the image maps
  // one image pixel to one crop pixel, crop column 0 ↔ image column −20.
  cv::Mat ramp(150, 150, CV_8UC3);
  for (int y = 0; y < ramp.rows; ++y)
    for (int x = 0; x < ramp.cols; ++x) ramp.at<cv::Vec3b>(y, x) = cv::Vec3b::all(static_cast<uchar>(10 + x));
  Face face;
  face.box = cv::Rect2f(-20, 10, 112, 112);
  auto pixel = [&](int border, int column) {
    return align_face(ramp, face, arcface_template(), {.border = border}).at<cv::Vec3b>(50, column)[1];
  };
  EXPECT_EQ(pixel(cv::BORDER_CONSTANT, 0), 0);
  EXPECT_EQ(pixel(cv::BORDER_REPLICATE, 0), 10);
  EXPECT_EQ(pixel(cv::BORDER_REFLECT_101, 0), 10 + 20);
  for (int border : {cv::BORDER_CONSTANT, cv::BORDER_REPLICATE, cv::BORDER_REFLECT_101})
    EXPECT_EQ(pixel(border, 30), 10 + 10);  // inside the image all agree
}

TEST(AlignFace, RejectsBadInput) {
  const cv::Mat rgb(100, 100, CV_8UC3, cv::Scalar::all(90));
  Face face;
  face.box = cv::Rect2f(10, 10, 50, 50);
  const auto& t = arcface_template();
  EXPECT_NO_THROW(align_face(rgb, face, t));
  EXPECT_THROW(align_face(cv::Mat(), face, t), Error);
  EXPECT_THROW(align_face(cv::Mat(100, 100, CV_8UC1, cv::Scalar(0)), face, t), Error);
  EXPECT_THROW(align_face(rgb, face, t, {.margin = -0.1f}), Error);
  EXPECT_THROW(align_face(rgb, face, t, {.margin = std::nanf("")}), Error);
  EXPECT_THROW(align_face(rgb, face, t, {.border = cv::BORDER_WRAP}), Error);
  EXPECT_THROW(align_face(rgb, face, AlignTemplate{"empty", {0, 0}, {}}), Error);
  EXPECT_THROW(align_face(rgb, face, scaled_template(t, 3000), {.margin = 1}), Error);  // 9000 px

  Face three = face;
  three.landmarks = {{1, 1}, {2, 2}, {3, 3}};
  EXPECT_THROW(align_face(rgb, three, t), Error);
  Face partial68 = face;
  partial68.landmarks68.assign(10, cv::Point2f(5, 5));
  EXPECT_THROW(align_face(rgb, partial68, t), Error);
  Face no_box;
  no_box.box = cv::Rect2f(10, 10, 0, 30);
  EXPECT_THROW(align_face(rgb, no_box, t), Error);
  Face nan_box;
  nan_box.box = cv::Rect2f(std::nanf(""), 10, 30, 30);
  EXPECT_THROW(align_face(rgb, nan_box, t), Error);
  Face nan_marks = face;
  nan_marks.landmarks = t.points;
  nan_marks.landmarks[1].y = std::nanf("");
  EXPECT_THROW(align_face(rgb, nan_marks, t), Error);

  // A square and its centre, mirrored: only a reflection fits, and the best
  // rotation has zero scale.
  const AlignTemplate square{"square", {20, 20}, {{5, 5}, {15, 5}, {15, 15}, {5, 15}, {10, 10}}};
  Face mirrored;
  mirrored.landmarks = {{15, 5}, {5, 5}, {5, 15}, {15, 15}, {10, 10}};
  EXPECT_THROW(align_face(rgb, mirrored, square), Error);
}

}  // namespace
}  // namespace facekit
