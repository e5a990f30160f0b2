// Frames with the tracks drawn, and the annotated video file.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "facekit/error.h"
#include "facekit/video.h"

namespace facekit {

namespace {

std::string extension_of(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

}  // namespace

std::vector<std::string> writable_video_extensions() {
  std::vector<std::string> out = {".avi"};  // OpenCV's own Motion JPEG writer, in every build
  if (cv::videoio_registry::hasBackend(cv::CAP_FFMPEG)) out.push_back(".mp4");
  return out;
}

cv::Mat annotate(const cv::Mat& rgb, const std::vector<TrackState>& tracks) {
  cv::Mat out = rgb.clone();
  const int thickness = std::max(1, std::min(rgb.cols, rgb.rows) / 320);
  for (const TrackState& t : tracks) {
    // Green: identified; amber: a face not (yet) known. RGB order.
    const cv::Scalar colour = t.identity ? cv::Scalar(0, 220, 0) : cv::Scalar(255, 176, 0);
    cv::rectangle(out, cv::Rect(t.box), colour, thickness);
    char text[64];
    std::snprintf(text, sizeof text, "#%d %.24s %.2f", t.id, t.identity ? t.identity->c_str() : "unknown", t.confidence);
    const cv::Point corner(static_cast<int>(t.box.x), static_cast<int>(t.box.y) - 4 * thickness);
    cv::putText(out, text, corner, cv::FONT_HERSHEY_SIMPLEX, 0.45 * thickness, colour, thickness);
  }
  return out;
}

struct AnnotatedVideo::Impl {
  std::string path;
  cv::Size size;
  cv::VideoWriter writer;
};

AnnotatedVideo::AnnotatedVideo(const std::string& path, cv::Size size, double fps) : impl_(std::make_unique<Impl>()) {
  const std::string extension = extension_of(path);
  const std::vector<std::string> known = writable_video_extensions();
  std::string listed;
  for (const auto& e : known) listed += (listed.empty() ? "" : ", ") + e;
  check(std::find(known.begin(), known.end(), extension) != known.end(), path,
        "cannot write a " + (extension.empty() ? std::string("file without extension") : extension) +
            " video here (writable: " + listed + ")");
  check(size.width >= 2 && size.height >= 2, path, "frames under 2×2 pixels cannot be written");
  check(std::isfinite(fps) && fps > 0, path, "the frame rate must be a positive finite number");
  const bool mjpeg = extension == ".avi";
  const int fourcc = mjpeg ? cv::VideoWriter::fourcc('M', 'J', 'P', 'G') : cv::VideoWriter::fourcc('m', 'p', '4', 'v');
  const int api = mjpeg ? cv::CAP_OPENCV_MJPEG : cv::CAP_FFMPEG;
  check(impl_->writer.open(path, api, fourcc, fps, size, true), path, "cannot be opened for writing");
  impl_->path = path;
  impl_->size = size;
}

AnnotatedVideo::~AnnotatedVideo() = default;

void AnnotatedVideo::write(const cv::Mat& rgb, const std::vector<TrackState>& tracks) {
  check(rgb.size() == impl_->size && rgb.type() == CV_8UC3, impl_->path,
        "a frame of " + std::to_string(rgb.cols) + "×" + std::to_string(rgb.rows) + " in a video of " +
            std::to_string(impl_->size.width) + "×" + std::to_string(impl_->size.height));
  cv::Mat bgr;
  cv::cvtColor(annotate(rgb, tracks), bgr, cv::COLOR_RGB2BGR);
  impl_->writer.write(bgr);
}

}  // namespace facekit
