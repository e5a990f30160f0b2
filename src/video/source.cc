// Video sources: OpenCV videoio (files, cameras, streams) and frames in memory.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "facekit/error.h"
#include "facekit/video.h"
#include "video/frame_rgb.h"

namespace facekit {

namespace {

namespace fs = std::filesystem;

bool is_camera_index(const std::string& s) {
  return !s.empty() && s.size() <= 4 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class CaptureSource : public VideoSource {
 public:
  CaptureSource(std::string name, cv::VideoCapture capture, bool live)
      : name_(std::move(name)), capture_(std::move(capture)), live_(live), start_(std::chrono::steady_clock::now()) {
    const double fps = capture_.get(cv::CAP_PROP_FPS);
    fps_ = std::isfinite(fps) && fps > 0 && fps <= 1000 ? fps : 0;
  }

  std::optional<VideoFrame> next() override {
    cv::Mat frame;
    if (!capture_.read(frame)) return std::nullopt;
    VideoFrame out;
    out.index = index_++;
    out.rgb = frame_rgb(frame, name_, out.index);
    if (!live_ && fps_ > 0)
      out.time = static_cast<double>(out.index) / fps_;
    else
      out.time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return out;
  }
  std::string name() const override { return name_; }
  double fps() const override { return fps_; }

 private:
  std::string name_;
  cv::VideoCapture capture_;
  bool live_;
  std::chrono::steady_clock::time_point start_;
  double fps_ = 0;
  int64_t index_ = 0;
};

class MemorySource : public VideoSource {
 public:
  MemorySource(std::string name, std::vector<cv::Mat> frames, double fps)
      : name_(std::move(name)), frames_(std::move(frames)), fps_(fps) {}
  std::optional<VideoFrame> next() override {
    if (index_ >= frames_.size()) return std::nullopt;
    const cv::Mat& f = frames_[index_];
    const int64_t index = static_cast<int64_t>(index_++);
    check(!f.empty(), name_ + ": frame " + std::to_string(index), "is empty (zero size)");
    check(f.type() == CV_8UC3, name_ + ": frame " + std::to_string(index), "is not 8-bit RGB");
    return VideoFrame{f, index, static_cast<double>(index) / fps_};
  }
  std::string name() const override { return name_; }
  double fps() const override { return fps_; }

 private:
  std::string name_;
  std::vector<cv::Mat> frames_;
  double fps_;
  size_t index_ = 0;
};

}  // namespace

cv::Mat frame_rgb(const cv::Mat& frame, const std::string& source, int64_t index) {
  const std::string where = source + ": frame " + std::to_string(index);
  check(!frame.empty() && frame.cols > 0 && frame.rows > 0, where, "is empty (zero size)");
  check(frame.depth() == CV_8U, where, "is not 8-bit");
  cv::Mat rgb;
  switch (frame.channels()) {
    case 1: cv::cvtColor(frame, rgb, cv::COLOR_GRAY2RGB); break;
    case 3: cv::cvtColor(frame, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(frame, rgb, cv::COLOR_BGRA2RGB); break;
    default: throw Error(where + ": has " + std::to_string(frame.channels()) + " channels (1, 3 or 4 expected)");
  }
  return rgb;
}

std::unique_ptr<VideoSource> open_video(const std::string& source) {
  check(!source.empty(), "video source", "is empty (give a file, /dev/videoN, a camera index or a URL)");
  cv::VideoCapture capture;
  bool live = false;
  if (is_camera_index(source)) {
    live = capture.open(std::stoi(source), cv::CAP_ANY);
    check(live, source, "no camera with this index can be opened");
  } else if (source.rfind("/dev/video", 0) == 0) {
    check(fs::exists(source), source, "no such camera device");
    live = capture.open(source, cv::CAP_V4L2);
    check(live, source, "the camera device cannot be opened (busy, or no permission)");
  } else if (source.find("://") != std::string::npos) {
    check(capture.open(source, cv::CAP_ANY), source, "the stream cannot be opened (unreachable, or no videoio backend here reads it)");
    live = true;
  } else {
    std::error_code ec;
    check(fs::exists(source, ec), source, "no such file");
    check(fs::is_regular_file(source, ec), source, "is not a regular file");
    check(std::ifstream(source, std::ios::binary).good(), source, "cannot be read (permission?)");
    check(capture.open(source, cv::CAP_ANY), source, "not a video that OpenCV's videoio backends here can read");
  }
  return std::make_unique<CaptureSource>(source, std::move(capture), live);
}

std::unique_ptr<VideoSource> frames_video(const std::string& name, std::vector<cv::Mat> rgb, double fps) {
  check(std::isfinite(fps) && fps > 0, name, "fps must be a positive finite number");
  return std::make_unique<MemorySource>(name, std::move(rgb), fps);
}

}  // namespace facekit
