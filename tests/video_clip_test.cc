// clip_video on untrusted bytes: a clip made here decodes to its own frames;
// garbage, other containers, cut clips and clips over the limits are one
// Error naming the clip and the reason; no temporary file outlives a call.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "facekit/error.h"
#include "facekit/video_clip.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

// Frame i: a flat grey level 8·i with a white square at x = 10·i (so frames
// differ and their order shows).
cv::Mat frame(int i, cv::Size size) {
  cv::Mat rgb(size, CV_8UC3, cv::Scalar::all(8 * i));
  cv::rectangle(rgb, cv::Rect(10 * i, 20, 16, 16), cv::Scalar::all(255), cv::FILLED);
  return rgb;
}

std::vector<uint8_t> bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class VideoClipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_);
    previous_tmpdir_ = getenv("TMPDIR") ? getenv("TMPDIR") : "";
    setenv("TMPDIR", tmp_.c_str(), 1);  // where clip_video puts its file: watched for leftovers
  }
  void TearDown() override {
    if (previous_tmpdir_.empty()) unsetenv("TMPDIR");
    else setenv("TMPDIR", previous_tmpdir_.c_str(), 1);
  }

  // A Motion JPEG AVI of `frames` frames at 25 fps, as bytes.
  std::vector<uint8_t> mjpeg(int frames, cv::Size size = {160, 120}) {
    const fs::path path = dir_.path / "made.avi";
    {
      cv::VideoWriter writer(path.string(), cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25, size);
      EXPECT_TRUE(writer.isOpened());
      for (int i = 0; i < frames; ++i) {
        cv::Mat bgr;
        cv::cvtColor(frame(i, size), bgr, cv::COLOR_RGB2BGR);
        writer.write(bgr);
      }
    }
    return bytes_of(path);
  }

  // The frames of `bytes` read to the end, or the first error.
  static std::string read_all(const std::vector<uint8_t>& bytes, const ClipLimits& limits = {}, int* frames = nullptr) {
    return testing::error_of([&] {
      auto source = clip_video("clip.avi", bytes, limits);
      int n = 0;
      while (source->next()) ++n;
      if (frames) *frames = n;
    });
  }

  bool leftovers() const { return !fs::is_empty(tmp_); }

  testing::TempDir dir_{"video_clip"};
  fs::path tmp_ = dir_.path / "tmp";
  std::string previous_tmpdir_;
};

TEST_F(VideoClipTest, AClipDecodesToItsFramesAndLeavesNoFile) {
  const std::vector<uint8_t> bytes = mjpeg(12);
  auto source = clip_video("clip.avi", bytes);
  EXPECT_FALSE(leftovers()) << "the file is removed once the decoder has it open";
  EXPECT_EQ(source->name(), "clip.avi");
  EXPECT_DOUBLE_EQ(source->fps(), 25);
  int n = 0;
  while (auto f = source->next()) {
    EXPECT_EQ(f->index, n);
    EXPECT_DOUBLE_EQ(f->time, n / 25.0);
    ASSERT_EQ(f->rgb.size(), cv::Size(160, 120));
    // JPEG is lossy: the square's centre and the grey level, within a few levels.
    EXPECT_NEAR(f->rgb.at<cv::Vec3b>(28, 10 * n + 8)[0], 255, 12) << "frame " << n;
    EXPECT_NEAR(f->rgb.at<cv::Vec3b>(100, 150)[1], 8 * n, 12) << "frame " << n;
    ++n;
  }
  EXPECT_EQ(n, 12);
}

TEST_F(VideoClipTest, UntrustedBytesAreOneErrorNamingTheReason) {
  const std::vector<uint8_t> clip = mjpeg(20);
  const auto error = [&](const std::vector<uint8_t>& bytes) { return read_all(bytes); };
  EXPECT_EQ(error({}), "clip.avi: is empty");
  const std::string playlist = "#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n";
  EXPECT_EQ(error({playlist.begin(), playlist.end()}), "clip.avi: is not an AVI, MP4/QuickTime or Matroska/WebM video");
  // An AVI header over garbage, and the first 200 bytes of a real one (cut inside its headers).
  std::vector<uint8_t> garbage(clip.begin(), clip.begin() + 12);
  cv::RNG rng(3);
  for (int i = 0; i < 4000; ++i) garbage.push_back(static_cast<uint8_t>(rng.uniform(0, 256)));
  EXPECT_EQ(error(garbage), "clip.avi: cannot be decoded (a damaged or cut clip, or a codec no backend here reads)");
  EXPECT_EQ(error({clip.begin(), clip.begin() + 200}),
            "clip.avi: cannot be decoded (a damaged or cut clip, or a codec no backend here reads)");
  // Cut in the middle of its frames: the header states 20.
  const std::string cut = error({clip.begin(), clip.begin() + static_cast<long>(clip.size() / 2)});
  EXPECT_EQ(cut.rfind("clip.avi: ends after ", 0), 0u) << cut;
  EXPECT_NE(cut.find(" of the 20 frames its container states (truncated"), std::string::npos) << cut;
  EXPECT_FALSE(leftovers());
}

TEST_F(VideoClipTest, LimitsAreCheckedBeforeDecodingAndOnEveryFrame) {
  const std::vector<uint8_t> clip = mjpeg(20);
  EXPECT_EQ(read_all(clip, {.max_frames = 10}), "clip.avi: states 20 frames, over the limit of 10");
  EXPECT_EQ(read_all(clip, {.max_pixels = 100 * 100}), "clip.avi: frames of 160×120 are over the limit of 10000 pixels");
  EXPECT_EQ(read_all(clip, {.max_seconds = 0.5}), "clip.avi: runs 0.8 s, over the limit of 0.5 s");  // 20 / 25 fps
  int frames = 0;
  EXPECT_EQ(read_all(clip, {.max_frames = 20, .max_seconds = 0.8}, &frames), "");
  EXPECT_EQ(frames, 20);
  EXPECT_NE(testing::error_of([] { check_clip_limits({.max_frames = 0}); }).find("--clip-max-frames"), std::string::npos);
  EXPECT_NE(testing::error_of([] { check_clip_limits({.max_seconds = std::nan("")}); }).find("--clip-max-seconds"),
            std::string::npos);
  EXPECT_NE(testing::error_of([] { check_clip_limits({.max_pixels = 10}); }).find("--clip-max-pixels"), std::string::npos);
  EXPECT_FALSE(leftovers());
}

}  // namespace
}  // namespace facekit
