// Engine::enroll_image and Engine::remove_person on face-api's samples: one
// image at a time into a gallery (added, unchanged, a duplicate elsewhere),
// found by find() at once and forgotten by it once removed.
#include <gtest/gtest.h>

#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/gallery.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

class EngineEnrollImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "faceapi-landmark68", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
  }
  NamedImage sample(int n) const {
    return read_named_image((testing::zoo_model("faceapi-samples")->parent_path() / ("sample" + std::to_string(n) + ".jpg")).string());
  }
  // The identity find() gives the largest face of `image`, or "" for unknown.
  std::string who(const NamedImage& image) {
    FindRequest request;
    request.db = db_;
    std::string identity;
    double largest = -1;
    for (const FoundFace& f : engine_.find(image, request).faces)
      if (f.face.box.area() > largest) {
        largest = f.face.box.area();
        identity = f.identification.identity.value_or("");
      }
    return identity;
  }
  EnrollResult enroll(const NamedImage& image, const std::string& identity, const std::string& file = "") {
    EnrollImageRequest request;
    request.identity = identity;
    request.db = db_;
    request.file = file;
    request.recognition.face = "largest";  // the face who() looks up
    return engine_.enroll_image(image, request);
  }

  testing::TempDir dir_{"engine_enroll_image"};
  std::string db_ = (dir_.path / "people.db").string();
  Engine engine_{{.threads = 1}};
};

TEST_F(EngineEnrollImageTest, AddedUnchangedDuplicateFoundAndRemoved) {
  const NamedImage ann = sample(1), bo = sample(3);
  EnrollResult r = enroll(ann, "Ann");
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.people, 1);
  EXPECT_EQ(r.vectors, 1);
  EXPECT_EQ(r.model, "mobilefacenet");
  EXPECT_EQ(who(ann), "Ann");  // a finder is now cached for this gallery

  ASSERT_EQ(r.vector_ids.size(), 1u);
  EXPECT_EQ(Gallery(db_, GalleryAccess::kReadOnly).face(r.vector_ids[0])->identity, "Ann");

  const EnrollResult again = enroll(ann, "Ann");
  EXPECT_EQ(again.unchanged, 1);  // the same pixels again: the same photo
  EXPECT_EQ(again.vector_ids, r.vector_ids);
  const EnrollResult elsewhere = enroll(ann, "Bo");
  EXPECT_EQ(elsewhere.duplicates, 1);  // the same pixels under another name: not stored
  EXPECT_EQ(elsewhere.existing_identity, "Ann");
  EXPECT_TRUE(elsewhere.vector_ids.empty());
  EXPECT_EQ(enroll(bo, "Bo").added, 1);
  EXPECT_EQ(who(bo), "Bo");  // the cached finder was forgotten: Bo is found at once
  EXPECT_EQ(Gallery(db_, GalleryAccess::kReadOnly).people(), (std::vector<std::string>{"Ann", "Bo"}));

  engine_.remove_person(db_, "Bo");
  EXPECT_NE(who(bo), "Bo");
  EXPECT_EQ(Gallery(db_, GalleryAccess::kReadOnly).people(), std::vector<std::string>{"Ann"});
  EXPECT_THROW(engine_.remove_person(db_, "Bo"), Error);
}

TEST_F(EngineEnrollImageTest, TheSameFileWithNewPixelsReplacesIt) {
  EXPECT_EQ(enroll(sample(1), "Ann", "ann.jpg").added, 1);
  const EnrollResult r = enroll(sample(3), "Ann", "ann.jpg");
  EXPECT_EQ(r.replaced, 1);
  EXPECT_EQ(r.vectors, 1);
}

// enroll_image's halves, into a gallery the caller keeps open (as the
// service does), store what enroll_image stores: the same photo after.
TEST_F(EngineEnrollImageTest, ItsHalvesIntoAnOpenGalleryStoreTheSamePhoto) {
  EnrollImageRequest request;
  request.identity = "Ann";
  const PhotoEnrollment photo = engine_.enrollment_of(sample(1), request);
  EXPECT_EQ(photo.file, "sha256:" + photo.content_hash);
  ASSERT_EQ(photo.faces.size(), 1u);
  EXPECT_FALSE(photo.faces[0].thumbnail.empty());
  Gallery gallery(db_);
  const EnrollResult stored = Engine::enroll_photo(photo, gallery);
  EXPECT_EQ(stored.added, 1);
  ASSERT_EQ(stored.vector_ids.size(), 1u);
  const EnrollResult again = enroll(sample(1), "Ann");
  EXPECT_EQ(again.unchanged, 1);
  EXPECT_EQ(again.vector_ids, stored.vector_ids);
}

TEST_F(EngineEnrollImageTest, BadInputIsOneErrorAndStoresNothing) {
  const NamedImage grey{"grey.png", cv::Mat(96, 96, CV_8UC3, cv::Scalar(128, 128, 128))};
  try {
    enroll(grey, "Nobody");
    FAIL() << "a faceless image was enrolled";
  } catch (const NoFaceError& e) {  // its own type: a front-end tells it apart without reading the message
    EXPECT_NE(std::string(e.what()).find("grey.png: no face found"), std::string::npos) << e.what();
  }
  EXPECT_THROW(enroll(sample(1), ""), Error);
  try {
    enroll(sample(1), "");
  } catch (const NoFaceError&) {
    ADD_FAILURE() << "an empty identity is not a missing face";
  } catch (const Error&) {
  }
  const std::string absent = (dir_.path / "absent.db").string();
  EXPECT_THROW(engine_.remove_person(absent, "Ann"), Error);
  EXPECT_FALSE(std::filesystem::exists(absent));  // not created by a removal
}

}  // namespace
}  // namespace facekit
