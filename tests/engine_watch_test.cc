// Engine::watch on clips built from face-api's sample photos (tests/video_clips.h):
// a face panned, scaled and briefly hidden beside a stranger, and two people
// crossing. Each frame's true faces are known, so track identity switches,
// frames to the first correct identification and false identifications are
// counted and asserted; one clip also goes through a Motion JPEG file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/json.h"
#include "temp_dir.h"
#include "testing.h"
#include "video_clips.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

class EngineWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "blazeface-full", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    const fs::path samples = testing::zoo_model("faceapi-samples")->parent_path();
    // Ann and Bo are enrolled from their photos; Cy (sample 3) is not.
    const std::vector<std::pair<std::string, int>> people = {{"Ann", 1}, {"Bo", 2}, {"Cy", 3}};
    for (const auto& [name, n] : people) {
      const NamedImage photo = read_named_image((samples / ("sample" + std::to_string(n) + ".jpg")).string());
      if (name != "Cy") {
        fs::create_directories(dir_.path / "people" / name);
        fs::copy_file(photo.name, dir_.path / "people" / name / "a.jpg");
      }
      const DetectResult found = engine_.detect(photo, {});
      ASSERT_FALSE(found.faces.empty()) << photo.name;
      const Face* largest = &found.faces[0];
      for (const Face& f : found.faces)
        if (f.box.area() > largest->box.area()) largest = &f;
      patches_[name] = testing::cut_patch(name, photo.rgb, largest->box);
    }
    request_.db = (dir_.path / "people").string();
    // The people folder enrolls each photo's largest face, as the patches
    // are cut: sample 2's central face is another photo of Ann's look-alike.
    request_.recognition.face = "largest";
  }

  // Ann panned left to right and grown from 120 to 200 px, hidden on frames
  // 24–29; Cy, a stranger, drifting the other way below.
  testing::Clip pan_scale_hide() {
    const testing::Actor ann{patches_["Ann"], [](int f) {
                               if (f >= 24 && f < 30) return testing::Placement{};
                               return testing::Placement{40 + 6.0f * f, 40, 120 + 80.0f * f / 59};
                             }};
    const testing::Actor cy{patches_["Cy"], [](int f) { return testing::Placement{460 - 2.0f * f, 300, 150}; }};
    return testing::make_clip({ann, cy}, 60);
  }

  // Ann left to right, Bo right to left on the same row, Bo in front where they meet.
  testing::Clip crossing() {
    const testing::Actor ann{patches_["Ann"], [](int f) { return testing::Placement{20 + 7.0f * f, 150, 170}; }};
    const testing::Actor bo{patches_["Bo"], [](int f) { return testing::Placement{450 - 7.0f * f, 150, 170}; }};
    return testing::make_clip({ann, bo}, 64);
  }

  testing::Score watch(VideoSource& source, const testing::Clip& clip, std::vector<TrackEvent>* events = nullptr) {
    testing::Scorer scorer;
    WatchListener listener;
    listener.frame = [&](const VideoFrame& f, const std::vector<TrackState>& tracks) {
      scorer.frame(f.index, clip.truth.at(static_cast<size_t>(f.index)), tracks);
    };
    listener.event = [&](const TrackEvent& e) {
      if (events) events->push_back(e);
    };
    const WatchSummary summary = engine_.watch(source, request_, listener);
    EXPECT_EQ(summary.frames, static_cast<int64_t>(clip.frames.size()));
    EXPECT_EQ(summary.detection_frames, (summary.frames + request_.detect_every - 1) / request_.detect_every);
    return scorer.score;
  }

  testing::TempDir dir_{"engine_watch"};
  Engine engine_{{.threads = 1}};
  std::map<std::string, testing::FacePatch> patches_;
  WatchRequest request_;
};

TEST_F(EngineWatchTest, PannedScaledHiddenFaceKeepsOneTrackAndItsName) {
  const testing::Clip clip = pan_scale_hide();
  auto source = frames_video("pan", clip.frames, 30);
  std::vector<TrackEvent> events;
  const testing::Score s = watch(*source, clip, &events);
  EXPECT_EQ(s.switches.at("Ann"), 0) << "hidden for 6 frames, under max_age";
  EXPECT_GE(s.first_correct.at("Ann"), 0);
  EXPECT_LE(s.first_correct.at("Ann"), 2 * request_.detect_every) << "named within two detections";
  EXPECT_EQ(s.false_ids.at("Ann"), 0);
  EXPECT_EQ(s.false_ids.at("Cy"), 0) << "the stranger is never named";
  EXPECT_EQ(s.switches.at("Cy"), 0);
  EXPECT_LE(s.unmatched.count("Ann") ? s.unmatched.at("Ann") : 0, request_.detect_every);
  // Two tracks, each started and ended once; Ann's identified once and never changed.
  int started = 0, ended = 0, identified = 0, changed = 0;
  for (const TrackEvent& e : events) {
    started += e.kind == TrackEvent::Kind::kStarted;
    ended += e.kind == TrackEvent::Kind::kEnded;
    identified += e.kind == TrackEvent::Kind::kIdentified;
    changed += e.kind == TrackEvent::Kind::kChanged;
    const Json j = to_json(e);  // every event has its JSON form
    EXPECT_EQ(j["event"], event_name(e.kind));
  }
  EXPECT_EQ(started, 2);
  EXPECT_EQ(ended, 2);
  EXPECT_EQ(identified, 1);
  EXPECT_EQ(changed, 0);
  EXPECT_EQ(events.back().kind, TrackEvent::Kind::kEnded);
}

TEST_F(EngineWatchTest, TwoPeopleCrossingKeepTheirIdentities) {
  const testing::Clip clip = crossing();
  auto source = frames_video("crossing", clip.frames, 30);
  const testing::Score s = watch(*source, clip);
  for (const char* who : {"Ann", "Bo"}) {
    EXPECT_EQ(s.switches.at(who), 0) << who;
    EXPECT_EQ(s.false_ids.at(who), 0) << who;
    EXPECT_GE(s.first_correct.at(who), 0) << who;
    EXPECT_LE(s.first_correct.at(who), 2 * request_.detect_every) << who;
  }
}

TEST_F(EngineWatchTest, AClipThroughAMotionJpegFile) {
  const testing::Clip clip = pan_scale_hide();
  const std::string path = (dir_.path / "pan.avi").string();
  {
    cv::VideoWriter writer(path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                           clip.frames[0].size());
    ASSERT_TRUE(writer.isOpened());
    for (const cv::Mat& rgb : clip.frames) {
      cv::Mat bgr;
      cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
      writer.write(bgr);
    }
  }
  auto source = open_video(path);
  EXPECT_DOUBLE_EQ(source->fps(), 30);
  const testing::Score s = watch(*source, clip);
  EXPECT_EQ(s.switches.at("Ann"), 0);
  EXPECT_LE(s.first_correct.at("Ann"), 2 * request_.detect_every);
  EXPECT_EQ(s.false_ids.at("Ann") + s.false_ids.at("Cy"), 0);

  // The annotated copy: as many frames, of the same size.
  const std::string annotated = (dir_.path / "annotated.avi").string();
  {
    AnnotatedVideo out(annotated, clip.frames[0].size(), 30);
    for (const cv::Mat& f : clip.frames) out.write(f, {TrackState{}});
    EXPECT_NE(testing::error_of([&] { out.write(cv::Mat(10, 10, CV_8UC3), {}); }).find("a frame of 10×10"), std::string::npos);
  }
  cv::VideoCapture back(annotated);
  EXPECT_EQ(static_cast<int>(back.get(cv::CAP_PROP_FRAME_COUNT)), static_cast<int>(clip.frames.size()));
}

TEST_F(EngineWatchTest, BadSourcesAndOptionsAreOneError) {
  const std::string garbage = (dir_.path / "garbage.avi").string();
  std::ofstream(garbage) << "not a video at all";
  const std::string error = testing::error_of([&] {
    auto source = open_video(garbage);
    engine_.watch(*source, request_);
  });
  EXPECT_EQ(error.rfind(garbage, 0), 0u) << error;
  auto empty = frames_video("empty", {}, 30);
  EXPECT_NE(testing::error_of([&] { engine_.watch(*empty, request_); }).find("empty: gave no frame"), std::string::npos);
  auto bad_frame = frames_video("clip", {cv::Mat(0, 0, CV_8UC3)}, 30);
  EXPECT_NE(testing::error_of([&] { engine_.watch(*bad_frame, request_); }).find("clip: frame 0: is empty"), std::string::npos);
  WatchRequest bad = request_;
  bad.detect_every = 0;
  EXPECT_NE(testing::error_of([&] { engine_.prepare(bad); }).find("--detect-every"), std::string::npos);
  bad = request_;
  bad.tracker.max_age = -3;
  EXPECT_NE(testing::error_of([&] { engine_.prepare(bad); }).find("max_age"), std::string::npos);
  bad = request_;
  bad.recognition.model = "mobilefacenet+faceapi";
  EXPECT_NE(testing::error_of([&] { engine_.prepare(bad); }).find("fusion"), std::string::npos);
  bad = request_;
  bad.actions = "age,shoe-size";
  EXPECT_NE(testing::error_of([&] { engine_.prepare(bad); }).find("shoe-size"), std::string::npos);
}

}  // namespace
}  // namespace facekit
