// `facekit watch` as a user runs it: the built binary on a clip this test
// makes from face-api's sample photos (Ann, enrolled from a people folder,
// panned and hidden; Cy, a stranger). Its stdout is JSON Lines: events in
// frame order, Ann named and Cy never, then one summary line; --out writes a
// video OpenCV reads back, frame for frame, with the tracks drawn. A bad
// source or --out is one line on stderr and exit status 1, with nothing on
// stdout.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "facekit/engine.h"
#include "facekit/json.h"
#include "temp_dir.h"
#include "testing.h"
#include "video_clips.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status = -1;
  std::vector<std::string> lines;  // stdout
  std::string errors;              // stderr
};

// Runs `facekit ARGS` (arguments already shell-quoted), stderr to `errors_file`.
CliRun facekit(const std::string& args, const fs::path& errors_file) {
  const std::string command = std::string(FACEKIT_CLI) + " " + args + " 2>'" + errors_file.string() + "'";
  CliRun run;
  FILE* out = popen(command.c_str(), "r");
  if (!out) return run;
  std::string line;
  for (int c; (c = fgetc(out)) != EOF;) {
    if (c == '\n') {
      run.lines.push_back(line);
      line.clear();
    } else {
      line += static_cast<char>(c);
    }
  }
  if (!line.empty()) run.lines.push_back(line);
  const int status = pclose(out);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(errors_file);
  std::stringstream text;
  text << in.rdbuf();
  run.errors = text.str();
  return run;
}

class EngineWatchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    const fs::path samples = testing::zoo_model("faceapi-samples")->parent_path();
    Engine engine({.threads = 1});
    std::map<std::string, testing::FacePatch> patches;
    for (const auto& [name, n] : {std::pair{"Ann", 1}, {"Cy", 3}}) {
      const NamedImage photo = read_named_image((samples / ("sample" + std::to_string(n) + ".jpg")).string());
      const DetectResult found = engine.detect(photo, {});
      ASSERT_FALSE(found.faces.empty()) << photo.name;
      patches[name] = testing::cut_patch(name, photo.rgb, found.faces[*largest_face(found.faces)].box);
    }
    // Ann's people folder holds her patch, whose centre face is hers.
    fs::create_directories(dir_.path / "people" / "Ann");
    cv::Mat bgr;
    cv::cvtColor(patches["Ann"].rgb, bgr, cv::COLOR_RGB2BGR);
    ASSERT_TRUE(cv::imwrite((dir_.path / "people" / "Ann" / "a.png").string(), bgr));
    const testing::Actor ann{patches["Ann"], [](int f) {
                               if (f >= 12 && f < 18) return testing::Placement{};
                               return testing::Placement{40 + 8.0f * f, 40, 140};
                             }};
    const testing::Actor cy{patches["Cy"], [](int f) { return testing::Placement{460 - 3.0f * f, 300, 150}; }};
    clip_ = testing::make_clip({ann, cy}, kFrames);
    cv::VideoWriter writer(clip_path(), cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                           clip_.frames[0].size());
    ASSERT_TRUE(writer.isOpened());
    for (const cv::Mat& rgb : clip_.frames) {
      cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
      writer.write(bgr);
    }
  }

  std::string clip_path() const { return (dir_.path / "clip.avi").string(); }
  std::string quoted(const fs::path& p) const { return "'" + p.string() + "'"; }

  static constexpr int kFrames = 30;
  testing::TempDir dir_{"engine_watch_cli"};
  testing::Clip clip_;
};

TEST_F(EngineWatchCliTest, EventsAreJsonLinesAndOutIsAReadableVideo) {
  const fs::path out = dir_.path / "annotated.avi";
  const CliRun run = facekit("watch " + quoted(clip_path()) + " --db " + quoted(dir_.path / "people") + " --out " +
                              quoted(out) + " --threads 1",
                          dir_.path / "stderr.txt");
  ASSERT_EQ(run.status, 0) << run.errors;
  ASSERT_GE(run.lines.size(), 5u) << "two tracks started and ended, one identified, and the summary";
  std::vector<Json> events;
  for (const std::string& line : run.lines) {
    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << "not one JSON object per line: " << line;
    events.push_back(j);
  }
  const Json summary = events.back();
  events.pop_back();
  EXPECT_EQ(summary["event"], "summary");
  EXPECT_EQ(summary["source"], clip_path());
  EXPECT_EQ(summary["frames"], kFrames);
  EXPECT_EQ(summary["detection_frames"], kFrames / 3);
  EXPECT_EQ(summary["tracks"], 2);
  std::map<std::string, int> kinds;
  int64_t previous_frame = 0;
  for (const Json& e : events) {
    ++kinds[e["event"].get<std::string>()];
    EXPECT_GE(e["frame"].get<int64_t>(), previous_frame) << "events in frame order";
    previous_frame = e["frame"];
    EXPECT_DOUBLE_EQ(e["time"].get<double>(), std::round(e["frame"].get<double>() / 30 * 1000) / 1000) << e.dump();
    for (const char* field : {"track", "box", "identity", "confidence", "evidence", "detections", "attributes"})
      EXPECT_TRUE(e.contains(field)) << field << " missing from " << e.dump();
    if (!e["identity"].is_null()) {
      EXPECT_EQ(e["identity"], "Ann") << "only Ann is enrolled: " << e.dump();
    }
  }
  EXPECT_EQ(kinds["started"], 2);
  EXPECT_EQ(kinds["ended"], 2);
  EXPECT_EQ(kinds["identified"], 1);
  EXPECT_EQ(kinds["changed"], 0);

  // --out: as many frames, of the same size; the tracks drawn over the clip.
  cv::VideoCapture back(out.string());
  ASSERT_TRUE(back.isOpened());
  int frames = 0;
  double drawn = 0;
  for (cv::Mat frame; back.read(frame); ++frames) {
    ASSERT_EQ(frame.size(), clip_.frames[0].size());
    cv::Mat rgb;
    cv::cvtColor(frame, rgb, cv::COLOR_BGR2RGB);
    cv::Mat difference;
    cv::absdiff(rgb, clip_.frames[static_cast<size_t>(frames)], difference);
    drawn = std::max(drawn, cv::norm(difference, cv::NORM_INF));
  }
  EXPECT_EQ(frames, kFrames);
  EXPECT_GT(drawn, 100) << "no box drawn on any frame (JPEG alone changes pixels by a few levels)";
}

TEST_F(EngineWatchCliTest, ABadSourceOrOutIsOneLineAndStatusOne) {
  const CliRun missing = facekit("watch " + quoted(dir_.path / "none.avi") + " --threads 1", dir_.path / "stderr.txt");
  EXPECT_EQ(missing.status, 1);
  EXPECT_TRUE(missing.lines.empty());
  EXPECT_EQ(missing.errors, "facekit: " + (dir_.path / "none.avi").string() + ": no such file\n");
  const CliRun bad_out =
      facekit("watch " + quoted(clip_path()) + " --out " + quoted(dir_.path / "a.gif") + " --threads 1", dir_.path / "e.txt");
  EXPECT_EQ(bad_out.status, 1);
  EXPECT_TRUE(bad_out.lines.empty());
  EXPECT_EQ(bad_out.errors.rfind("facekit: --out " + (dir_.path / "a.gif").string() + ": cannot write this kind of video here", 0),
            0u)
      << bad_out.errors;
  EXPECT_FALSE(fs::exists(dir_.path / "a.gif"));
}

}  // namespace
}  // namespace facekit
