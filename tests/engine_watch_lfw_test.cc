// Engine::watch where the clip shows other photos than the gallery holds:
// four people of LFW View 1 (DevTrain people with eight or seven photos,
// none of them in DevTest) are enrolled from their first three photos, and
// the clips (tests/video_clips.h) are cut from their later ones — another
// day, light, pose and expression, as a camera would see them. A fifth
// person, never enrolled, is the stranger. Clips: each person panned,
// scaled and hidden for 6 frames beside the stranger; two pairs crossing.
// Identity switches, false identifications, frames to the first correct
// identification and faces left without a track are counted against each
// frame's known faces and asserted; the figures are printed (README,
// "Video"). Skips when ../shared/data/lfw-view1 or the models are absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "facekit/engine.h"
#include "facekit/pipeline.h"
#include "temp_dir.h"
#include "testing.h"
#include "video_clips.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kEnrolled = {"Ricardo_Lagos", "Paul_Wolfowitz", "Jennifer_Lopez", "Zhu_Rongji"};
const std::string kStranger = "Hans_Blix";
constexpr size_t kFirstClipPhoto = 3;  // photos before it may be enrolled, never those from it on

// A person's photos, by file name.
std::vector<fs::path> photos_of(const fs::path& images, const std::string& person) {
  std::vector<fs::path> photos;
  for (const auto& entry : fs::directory_iterator(images / person)) photos.push_back(entry.path());
  std::sort(photos.begin(), photos.end());
  return photos;
}

// The parameter: photos enrolled per person (the first ones).
class EngineWatchLfwTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const auto data = testing::shared_data_dir();
    if (!data || !fs::is_directory(*data / "lfw-view1" / "images"))
      GTEST_SKIP() << "LFW View 1 not found at ../shared/data/lfw-view1";
    for (const char* id : {"mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    images_ = *data / "lfw-view1" / "images";
    for (const std::string& person : kEnrolled) {
      const std::vector<fs::path> photos = photos_of(images_, person);
      ASSERT_GE(photos.size(), kFirstClipPhoto + 4) << person;
      fs::create_directories(dir_.path / "people" / person);
      for (int i = 0; i < GetParam(); ++i)
        fs::copy_file(photos[static_cast<size_t>(i)], dir_.path / "people" / person / photos[static_cast<size_t>(i)].filename());
    }
    request_.db = (dir_.path / "people").string();  // each photo's centre face: LFW's labelled one
  }

  // The labelled (centre) face of a person's `index`-th photo, as a patch.
  testing::FacePatch patch(const std::string& person, size_t index) {
    const fs::path photo = photos_of(images_, person).at(index);
    const NamedImage image = read_named_image(photo.string());
    const DetectResult found = engine_.detect(image, {});
    const auto centre = choose_face(found.faces, image.rgb.size(), FaceChoice::kCenter);
    EXPECT_TRUE(centre) << photo;
    return testing::cut_patch(person, image.rgb, centre ? found.faces[*centre].box : cv::Rect2f(60, 60, 130, 130));
  }

  // `who` panned left to right and grown from 120 to 200 px, hidden on
  // frames 24–29; the stranger drifting the other way below.
  testing::Clip pan_scale_hide(const testing::FacePatch& who, const testing::FacePatch& stranger) {
    const testing::Actor a{who, [](int f) {
                             if (f >= 24 && f < 30) return testing::Placement{};
                             return testing::Placement{40 + 6.0f * f, 40, 120 + 80.0f * f / 59};
                           }};
    const testing::Actor s{stranger, [](int f) { return testing::Placement{460 - 2.0f * f, 300, 150}; }};
    return testing::make_clip({a, s}, 60);
  }

  // Two people on one row walking towards each other, the second in front where they meet.
  static testing::Clip crossing(const testing::FacePatch& a, const testing::FacePatch& b) {
    const testing::Actor left{a, [](int f) { return testing::Placement{20 + 7.0f * f, 150, 170}; }};
    const testing::Actor right{b, [](int f) { return testing::Placement{450 - 7.0f * f, 150, 170}; }};
    return testing::make_clip({left, right}, 64);
  }

  testing::Score watch(const std::string& name, const testing::Clip& clip) {
    testing::Scorer scorer;
    WatchListener listener;
    listener.frame = [&](const VideoFrame& f, const std::vector<TrackState>& tracks) {
      scorer.frame(f.index, clip.truth.at(static_cast<size_t>(f.index)), tracks);
    };
    auto source = frames_video(name, clip.frames, 30);
    engine_.watch(*source, request_, listener);
    return scorer.score;
  }

  fs::path images_;
  testing::TempDir dir_{"engine_watch_lfw"};
  Engine engine_{{.threads = 1}};
  WatchRequest request_;
};

TEST_P(EngineWatchLfwTest, OtherPhotosOfEnrolledPeopleAreNamedWithoutSwitches) {
  struct Figures {
    int switches = 0, false_ids = 0, unmatched = 0, never_named = 0, worst_first = 0;
    int faces = 0, visible = 0, named = 0;
  } enrolled, strangers;
  std::ostringstream table;
  const auto count = [&](const std::string& clip, const testing::Score& s) {
    for (const auto& [who, first] : s.first_correct) {
      Figures& f = who == kStranger ? strangers : enrolled;
      ++f.faces;
      f.switches += s.switches.at(who);
      f.false_ids += s.false_ids.at(who);
      f.unmatched += s.unmatched.count(who) ? s.unmatched.at(who) : 0;
      f.visible += s.visible.at(who);
      f.named += s.named.at(who);
      if (who != kStranger) {
        if (first < 0) ++f.never_named;
        f.worst_first = std::max(f.worst_first, first);
      }
      table << clip << " " << who << ": switches " << s.switches.at(who) << ", false " << s.false_ids.at(who)
            << ", first correct " << first << ", unmatched " << (s.unmatched.count(who) ? s.unmatched.at(who) : 0) << ", named "
            << s.named.at(who) << "/" << s.visible.at(who) << "\n";
    }
  };
  // Each person alone with the stranger, from two photos; each with the next person crossing, from two others.
  const size_t stranger_photos = photos_of(images_, kStranger).size();
  for (size_t p = 0; p < kEnrolled.size(); ++p)
    for (size_t photo : {kFirstClipPhoto, kFirstClipPhoto + 1})
      count("pan", watch("pan", pan_scale_hide(patch(kEnrolled[p], photo),
                                               patch(kStranger, (2 * p + photo - kFirstClipPhoto) % stranger_photos))));
  for (size_t p = 0; p < kEnrolled.size(); ++p) {
    const size_t photo = kFirstClipPhoto + 2 + p % 2;
    count("crossing", watch("crossing", crossing(patch(kEnrolled[p], photo), patch(kEnrolled[(p + 1) % kEnrolled.size()], photo))));
  }
  std::cout << table.str() << GetParam() << " photos enrolled per person; enrolled faces " << enrolled.faces << ": switches " << enrolled.switches
            << ", false identifications " << enrolled.false_ids << ", never named " << enrolled.never_named
            << ", worst frames to first correct " << enrolled.worst_first << ", named correctly on " << enrolled.named
            << " of " << enrolled.visible << " visible frames, unmatched frames " << enrolled.unmatched
            << "\nstranger faces " << strangers.faces << ": switches " << strangers.switches << ", false identifications "
            << strangers.false_ids << "\n";
  EXPECT_EQ(enrolled.switches + strangers.switches, 0);
  EXPECT_EQ(enrolled.false_ids + strangers.false_ids, 0);
  EXPECT_EQ(enrolled.never_named, 0);
  EXPECT_LE(enrolled.worst_first, 2 * request_.detect_every) << "named within two detections";
  EXPECT_GE(enrolled.named, 0.95 * enrolled.visible) << "named on nearly every frame they are seen on";
}

INSTANTIATE_TEST_SUITE_P(PhotosEnrolled, EngineWatchLfwTest, ::testing::Values(1, 3));

}  // namespace
}  // namespace facekit
