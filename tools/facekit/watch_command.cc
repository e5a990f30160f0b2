#include "watch_command.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include "facekit/error.h"
#include "facekit/json.h"
#include "facekit/video.h"
#include "output.h"
#include "recognition_options.h"

namespace facekit::cli {

CLI::App* add_watch_command(CLI::App& app, WatchCommandOptions& o) {
  auto* cmd = app.add_subcommand("watch", "follow and identify the faces of a video, a camera or a stream");
  cmd->add_option("source", o.source, "a video file, /dev/videoN or a camera index, or a stream URL")->required();
  cmd->add_option("--db", o.request.db,
                  "gallery to identify against: a SQLite file, a postgresql:// URI, or a people folder; none: track only");
  cmd->add_option("--detect-every", o.request.detect_every, "detect, embed and identify every k-th frame")
      ->capture_default_str();
  cmd->add_option("--max-age", o.request.tracker.max_age, "frames a track survives without a detection")
      ->capture_default_str();
  cmd->add_option("--min-iou", o.request.tracker.min_iou, "box overlap that alone links a detection to a track")
      ->capture_default_str();
  cmd->add_option("--decide-confidence", o.request.tracker.decide_confidence,
                  "track confidence at which its leading identity is taken")
      ->capture_default_str();
  cmd->add_option("--actions", o.request.actions,
                  "also analyse: comma-separated age, gender, emotion, race, spoof (default: none)");
  cmd->add_option("--out", o.out, "write the video with the tracks drawn (.avi; .mp4 where OpenCV has FFmpeg)");
  add_recognition_options(cmd, o.request.recognition, true);
  add_threads_option(cmd, o.engine);
  add_threshold_options(cmd, o.request.threshold, o.request.far,
                        "same person at or below this distance (default: the calibrated one)");
  return cmd;
}

int run_watch(const WatchCommandOptions& o) {
  if (!o.out.empty()) {  // before any model loads or frame is read
    const std::vector<std::string> known = writable_video_extensions();
    std::string extension = std::filesystem::path(o.out).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string listed;
    for (const auto& e : known) listed += (listed.empty() ? "" : ", ") + e;
    check(std::find(known.begin(), known.end(), extension) != known.end(), "--out " + o.out,
          "cannot write this kind of video here (writable: " + listed + ")");
  }
  Engine engine(o.engine);
  engine.prepare(o.request);
  const std::unique_ptr<VideoSource> source = open_video(o.source);
  std::unique_ptr<AnnotatedVideo> out;
  WatchListener listener;
  listener.event = [](const TrackEvent& e) { print_json(to_json(e)); };
  if (!o.out.empty())
    listener.frame = [&](const VideoFrame& frame, const std::vector<TrackState>& tracks) {
      if (!out) out = std::make_unique<AnnotatedVideo>(o.out, frame.rgb.size(), source->fps() > 0 ? source->fps() : 30);
      out->write(frame.rgb, tracks);
    };
  print_json(to_json(engine.watch(*source, o.request, listener)));
  return 0;
}

}  // namespace facekit::cli
