// Which face a one-face verb takes (FaceChoice, pipeline.h): the rules on
// boxes whose answer is worked out by hand, ties, no face, and the names.
#include <gtest/gtest.h>

#include "facekit/error.h"
#include "facekit/pipeline.h"

namespace facekit {
namespace {

Face box(float x, float y, float w, float h) {
  Face f;
  f.box = cv::Rect2f(x, y, w, h);
  return f;
}

// A 250×250 photo (LFW's size): a large face in the top-left corner, a
// smaller one at the centre, a tiny one just off the centre.
const cv::Size kPhoto(250, 250);
const std::vector<Face> kFaces = {
    box(0, 0, 120, 120),    // area 14 400, centre (60, 60): 91.9 px from (125, 125)
    box(90, 80, 70, 90),    // area 6 300, centre (125, 125): at the image centre
    box(140, 140, 10, 10),  // area 100, centre (145, 145): 28.3 px away
};

TEST(FaceChoice, LargestTakesTheLargestBox) {
  EXPECT_EQ(choose_face(kFaces, kPhoto, FaceChoice::kLargest), 0u);
  EXPECT_EQ(largest_face(kFaces), 0u);
}

TEST(FaceChoice, CenterTakesTheBoxWhoseCentreIsNearestTheImageCentre) {
  EXPECT_EQ(choose_face(kFaces, kPhoto, FaceChoice::kCenter), 1u);
  // In a wide image the centre moves: (300, 125); the tiny face's centre
  // (145, 145) is 156 px away, the corner face's 249 px, the middle one's 175 px.
  EXPECT_EQ(choose_face(kFaces, {600, 250}, FaceChoice::kCenter), 2u);
}

TEST(FaceChoice, TiesGoToTheEarlierFaceAndNoFaceGivesNone) {
  const std::vector<Face> mirrored = {box(0, 100, 50, 50), box(200, 100, 50, 50)};  // both 100 px off, same area
  EXPECT_EQ(choose_face(mirrored, kPhoto, FaceChoice::kCenter), 0u);
  EXPECT_EQ(choose_face(mirrored, kPhoto, FaceChoice::kLargest), 0u);
  EXPECT_FALSE(choose_face({}, kPhoto, FaceChoice::kCenter).has_value());
  EXPECT_FALSE(choose_face({}, kPhoto, FaceChoice::kLargest).has_value());
}

TEST(FaceChoice, NamesRoundTripAndAnUnknownNameIsRefusedByName) {
  for (FaceChoice c : {FaceChoice::kLargest, FaceChoice::kCenter}) EXPECT_EQ(parse_face_choice(face_choice_name(c)), c);
  try {
    parse_face_choice("biggest");
    FAIL() << "no error for an unknown face choice";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--face"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("biggest"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_face_choice(kDefaultFace), FaceChoice::kCenter);
}

}  // namespace
}  // namespace facekit
