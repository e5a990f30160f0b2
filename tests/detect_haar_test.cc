// The Haar baseline on the face-api sample photos: it finds the frontal
// faces counted by eye in each photo, at the right places, with scores and
// quality, and refuses images it cannot take.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "facekit/detect.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

#define HAAR_OR_SKIP() \
  if (!fs::exists(kCascade)) GTEST_SKIP() << kCascade << " missing: apt-get install opencv-data"

// Faces 120 px and larger only: every face in these 1920-px photos is, and
// the smallest windows are most of the cascade's time.
DetectOptions big_faces() { return {.min_face = 120}; }

struct Photo {
  const char* file;
  std::vector<cv::Point2f> faces;  // centres of the frontal faces, read off the photo by eye
};

// Each face seen by eye lies inside one reported box; at most one extra box
// (the cascade also fires on a larger window over two faces in sample6).
TEST(DetectHaar, FindsTheFacesOfTheSamplePhotos) {
  HAAR_OR_SKIP();
  FACEKIT_ZOO_MODEL_OR_SKIP(sample1, "faceapi-samples");
  const std::vector<Photo> photos = {
      {"sample3.jpg", {{680, 470}, {1170, 360}, {1600, 430}}},
      {"sample6.jpg", {{365, 610}, {750, 480}, {1280, 450}, {1580, 400}}},
  };
  auto detector = make_detector("haar", big_faces());
  for (const Photo& photo : photos) {
    SCOPED_TRACE(photo.file);
    const cv::Mat rgb = read_image((sample1.parent_path() / photo.file).string());
    const std::vector<Face> faces = detector->detect(rgb);
    EXPECT_GE(faces.size(), photo.faces.size());
    EXPECT_LE(faces.size(), photo.faces.size() + 1);
    for (const cv::Point2f& centre : photo.faces) {
      const bool found = std::any_of(faces.begin(), faces.end(), [&](const Face& f) {
        const cv::Point2f box_centre(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
        return f.box.contains(centre) && cv::norm(box_centre - centre) < f.box.width / 4;
      });
      EXPECT_TRUE(found) << "no box around the face at " << centre;
    }
    for (size_t i = 0; i < faces.size(); ++i) {
      EXPECT_GE(faces[i].score, 0.5f);  // the default threshold
      EXPECT_LE(faces[i].score, 1.0f);
      if (i > 0) {
        EXPECT_LE(faces[i].score, faces[i - 1].score);
      }
      EXPECT_TRUE(faces[i].landmarks.empty());
      EXPECT_FLOAT_EQ(faces[i].quality.size, 1.0f);
      EXPECT_FLOAT_EQ(faces[i].quality.pose, 1.0f);
      EXPECT_GT(faces[i].quality.overall, 0.0f);
    }
  }
}

TEST(DetectHaar, ThresholdAndMaxFacesSelectTheBest) {
  HAAR_OR_SKIP();
  FACEKIT_ZOO_MODEL_OR_SKIP(sample1, "faceapi-samples");
  const cv::Mat rgb = read_image((sample1.parent_path() / "sample3.jpg").string());
  const std::vector<Face> all = make_detector("haar", {.min_face = 120, .score_threshold = 0})->detect(rgb);
  const std::vector<Face> best = make_detector("haar", {.min_face = 120, .max_faces = 1})->detect(rgb);
  ASSERT_GT(all.size(), 3u);  // below the default threshold: the cascade's false detections too
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].box, all[0].box);
  EXPECT_EQ(best[0].score, all[0].score);
}

TEST(DetectHaar, NoFaceInAFlatImage) {
  HAAR_OR_SKIP();
  EXPECT_TRUE(make_detector("haar")->detect(cv::Mat(240, 320, CV_8UC3, cv::Scalar(90, 120, 150))).empty());
}

TEST(DetectHaar, RefusesEmptyAndOtherPixelFormats) {
  HAAR_OR_SKIP();
  auto detector = make_detector("haar");
  EXPECT_EQ(detector->name(), "haar");
  EXPECT_THROW(detector->detect(cv::Mat()), Error);
  EXPECT_THROW(detector->detect(cv::Mat(64, 64, CV_8UC1, cv::Scalar(0))), Error);
  EXPECT_THROW(detector->detect(cv::Mat(64, 64, CV_8UC4, cv::Scalar(0))), Error);
}

}  // namespace
}  // namespace facekit
