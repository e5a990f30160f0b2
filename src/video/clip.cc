// clip_video: an uploaded clip's bytes as a VideoSource, within ClipLimits.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string_view>

#include <opencv2/videoio.hpp>

#include "facekit/error.h"
#include "facekit/video_clip.h"
#include "video/frame_rgb.h"

namespace facekit {

namespace {

namespace fs = std::filesystem;

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << seconds << " s";
  return out.str();
}

bool starts_with_bytes(std::span<const uint8_t> bytes, size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() && std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

// AVI (RIFF....AVI ), MP4 / QuickTime (an atom's type at byte 4), Matroska / WebM (EBML).
bool is_taken_container(std::span<const uint8_t> bytes) {
  if (starts_with_bytes(bytes, 0, "RIFF") && starts_with_bytes(bytes, 8, "AVI ")) return true;
  for (const char* atom : {"ftyp", "moov", "mdat", "wide", "free"})
    if (starts_with_bytes(bytes, 4, atom)) return true;
  return starts_with_bytes(bytes, 0, "\x1a\x45\xdf\xa3");
}

// A private temporary file holding the clip, removed when this goes (or earlier, by remove()).
class TemporaryClip {
 public:
  TemporaryClip(const std::string& name, std::span<const uint8_t> bytes) {
    std::string pattern = (fs::temp_directory_path() / "facekit-clip-XXXXXX").string();
    const int fd = mkstemp(pattern.data());  // mode 0600
    check(fd >= 0, name, std::string("cannot be stored for decoding: ") + std::strerror(errno));
    path_ = pattern;
    size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int error = errno;
        ::close(fd);
        remove();
        throw Error(name + ": cannot be stored for decoding: " + std::strerror(error));
      }
      written += static_cast<size_t>(n);
    }
    const bool closed = ::close(fd) == 0;
    if (!closed) remove();
    check(closed, name, "cannot be stored for decoding (close failed)");
  }
  ~TemporaryClip() { remove(); }
  TemporaryClip(const TemporaryClip&) = delete;
  TemporaryClip& operator=(const TemporaryClip&) = delete;

  const std::string& path() const { return path_; }
  void remove() {
    if (path_.empty()) return;
    std::error_code ignored;  // nothing better to do in a destructor; the name is private
    fs::remove(path_, ignored);
    path_.clear();
  }

 private:
  std::string path_;
};

class ClipSource : public VideoSource {
 public:
  ClipSource(std::string name, cv::VideoCapture capture, const ClipLimits& limits)
      : name_(std::move(name)), capture_(std::move(capture)), limits_(limits) {
    const double fps = capture_.get(cv::CAP_PROP_FPS);
    check(std::isfinite(fps) && fps > 0 && fps <= 1000, name_, "states no frame rate (or one outside (0, 1000] fps)");
    fps_ = fps;
    const double width = capture_.get(cv::CAP_PROP_FRAME_WIDTH), height = capture_.get(cv::CAP_PROP_FRAME_HEIGHT);
    check(width * height <= static_cast<double>(limits_.max_pixels), name_,
          "frames of " + std::to_string(static_cast<int64_t>(width)) + "×" + std::to_string(static_cast<int64_t>(height)) +
              " are over the limit of " + std::to_string(limits_.max_pixels) + " pixels");
    const double count = capture_.get(cv::CAP_PROP_FRAME_COUNT);
    stated_frames_ = std::isfinite(count) && count > 0 ? static_cast<int64_t>(count) : 0;
    check(stated_frames_ <= limits_.max_frames, name_,
          "states " + std::to_string(stated_frames_) + " frames, over the limit of " + std::to_string(limits_.max_frames));
    const double stated_seconds = static_cast<double>(stated_frames_) / fps_;
    check(stated_seconds <= limits_.max_seconds, name_,
          "runs " + seconds_text(stated_seconds) + ", over the limit of " + seconds_text(limits_.max_seconds));
  }

  std::optional<VideoFrame> next() override {
    cv::Mat frame;
    if (!capture_.read(frame)) {
      check(stated_frames_ == 0 || index_ + 1 >= stated_frames_, name_,
            "ends after " + std::to_string(index_) + " of the " + std::to_string(stated_frames_) +
                " frames its container states (truncated, or broken off by a decoding error)");
      return std::nullopt;
    }
    check(index_ < limits_.max_frames, name_, "has more than " + std::to_string(limits_.max_frames) + " frames (the limit)");
    const double time = static_cast<double>(index_) / fps_;  // the frame shows until (index + 1) / fps
    check(static_cast<double>(index_ + 1) / fps_ <= limits_.max_seconds, name_,
          "runs past the limit of " + seconds_text(limits_.max_seconds));
    const std::string where = name_ + ": frame " + std::to_string(index_);
    check(int64_t{frame.cols} * frame.rows <= limits_.max_pixels, where,
          std::to_string(frame.cols) + "×" + std::to_string(frame.rows) + " is over the limit of " +
              std::to_string(limits_.max_pixels) + " pixels");
    VideoFrame out{frame_rgb(frame, name_, index_), index_, time};
    ++index_;
    return out;
  }
  std::string name() const override { return name_; }
  double fps() const override { return fps_; }

 private:
  std::string name_;
  cv::VideoCapture capture_;
  ClipLimits limits_;
  double fps_ = 0;
  int64_t stated_frames_ = 0;  // 0: not stated
  int64_t index_ = 0;
};

}  // namespace

void check_clip_limits(const ClipLimits& l) {
  check(l.max_frames >= 1 && l.max_frames <= 1'000'000, "ClipLimits::max_frames (--clip-max-frames)", "must be in [1, 1000000]");
  check(l.max_seconds > 0 && l.max_seconds <= 86400, "ClipLimits::max_seconds (--clip-max-seconds)", "must be in (0, 86400] seconds");
  check(l.max_pixels >= 64 && l.max_pixels <= int64_t{8192} * 8192, "ClipLimits::max_pixels (--clip-max-pixels)",
        "must be in [64, 67108864] (8192 × 8192)");
}

std::unique_ptr<VideoSource> clip_video(const std::string& name, std::span<const uint8_t> bytes, const ClipLimits& limits) {
  check_clip_limits(limits);
  check(!bytes.empty(), name, "is empty");
  check(is_taken_container(bytes), name, "is not an AVI, MP4/QuickTime or Matroska/WebM video");
  TemporaryClip file(name, bytes);
  cv::VideoCapture capture;
  const bool opened = capture.open(file.path(), cv::CAP_FFMPEG) || capture.open(file.path(), cv::CAP_OPENCV_MJPEG);
  file.remove();  // the decoder holds it open; nothing is left behind if this process dies
  check(opened, name, "cannot be decoded (a damaged or cut clip, or a codec no backend here reads)");
  return std::make_unique<ClipSource>(name, std::move(capture), limits);
}

}  // namespace facekit
