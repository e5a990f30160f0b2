// Video: faces followed across the frames of a clip, a camera or a stream.
//
// The Tracker is the model-free part: it is given, on the frames where
// detection ran, each face found (box, embedding, and when a gallery is
// searched its Identification; when analysis ran its FaceAnalysis), and on the
// frames between only the frame's number. It keeps tracks, each one person:
//
//   association  each detection goes to at most one live track and each track
//                takes at most one detection, by the Hungarian method (optimal
//                assignment) over the cost
//                    cost = (1 − IoU(predicted box, detection box)) + d / gate
//                where d is the embedding distance between the track's mean
//                embedding and the detection's (Metric units) and `gate` the
//                recognizer's threshold. A pair is allowed when IoU ≥ min_iou
//                or d ≤ gate, and only when d ≤ 2·gate: an overlapping box of
//                someone plainly else is never taken. Optimal rather than
//                greedy because two people crossing give two nearly equal
//                candidate pairs per track, and taking the single cheapest
//                pair first can force the other track onto the wrong face.
//                An unmatched detection starts a track.
//   motion       between detections a track's box moves at the velocity of its
//                last two matched detections (pixels per frame).
//   max_age      a track unmatched for more than max_age frames ends; until
//                then it survives misses (occlusion, a missed detection).
//   evidence     every Identification matched to the track is a vote for its
//                label (the identity, or "unknown" when it names no one)
//                weighted by its confidence w ∈ [0, 1]. W(L) = Σ votes for L.
//                The leading label L* has the largest W (ties: the earlier).
//                Net evidence λ = W(L*) − Σ_{L ≠ L*} W(L): each frame that
//                agrees adds its confidence, each that disagrees takes its own
//                away. The track's confidence is 1 − exp(−max(λ, 0)), in [0, 1):
//                it rises with consistent frames (one frame of confidence 0.9
//                gives 0.59, three give 0.93) and falls on disagreement.
//                The track's identity is L* when L* names someone and the
//                confidence is at least decide_confidence, else none.
//   attributes   every FaceAnalysis matched to the track (refused ones left
//                out) is averaged: age in years with uncertainty
//                sqrt(mean σᵢ² + variance of the yearsᵢ) (the spread of the
//                mixture of the frames' estimates; it does not shrink with the
//                frame count, because frames of one face are not independent
//                looks), P(male) and P(real) with the standard deviation over
//                frames as uncertainty, the emotion distribution as its mean.
//
// Events (TrackEvent) say what changed: a track started, was first identified,
// changed identity (to another or to none), or ended.
//
// A VideoSource gives frames (open_video: a file, a camera, a stream URL,
// through OpenCV videoio); an AnnotatedVideo writes frames with the tracks
// drawn. Engine::watch (engine.h) runs detection, embedding, identification
// and analysis on a source and feeds a Tracker.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/analyze.h"
#include "facekit/detect.h"
#include "facekit/identify.h"
#include "facekit/match.h"
#include "facekit/tracker_options.h"

namespace facekit {

// One face found on a detection frame.
struct Observation {
  Face face;
  std::vector<float> embedding;                 // empty: associated by overlap alone
  std::optional<Identification> identification;  // none: no gallery searched
  std::optional<FaceAnalysis> analysis;          // none: not analysed
};

// A value averaged over a track's frames (see the header comment for `uncertainty`).
struct Averaged {
  double mean = 0;
  double uncertainty = 0;
  int frames = 0;
};

struct TrackAttributes {
  std::optional<Averaged> age;               // years
  std::optional<Averaged> male_probability;  // P(male)
  std::optional<EmotionDistribution> emotion;  // mean distribution (kEmotionNames order)
  int emotion_frames = 0;
  std::optional<Averaged> real_probability;  // P(real face)
};

// What a track is now.
struct TrackState {
  int id = 0;                        // 1, 2, ... in order of start
  cv::Rect2f box;                    // the last detection's, or predicted from it
  int64_t first_frame = 0, last_seen_frame = 0;
  int detections = 0;                // detections matched
  std::optional<std::string> identity;  // the decided identity; none: unknown or undecided
  std::string leading;               // L*: the leading label ("" when no vote yet; "unknown" for no one)
  double confidence = 0;             // 1 − exp(−max(λ, 0))
  double evidence = 0;               // λ
  TrackAttributes attributes;
};

struct TrackEvent {
  enum class Kind { kStarted, kIdentified, kChanged, kEnded };
  Kind kind = Kind::kStarted;
  int64_t frame = 0;  // the frame it happened on (ended: the frame the end was found on)
  double time = 0;    // seconds from the source's start
  TrackState track;   // the track as it is then
};

// "started" | "identified" | "changed" | "ended".
const char* event_name(TrackEvent::Kind kind);

// The label of an Identification that names no one.
inline constexpr const char* kUnknownLabel = "unknown";

class Tracker {
 public:
  // Throws as check_tracker_options.
  explicit Tracker(const TrackerOptions& options);

  // Frame `frame` (increasing from call to call) at `time` seconds. With
  // `detections`: detection ran on it, and these are its faces. Without
  // (nullopt): a frame between detections; boxes are predicted and no track
  // ends. Returns the events of this frame in order: tracks ended, then for
  // each track its started / identified / changed. Throws Error for a frame
  // number not after the last one, or an embedding of another dimension than
  // the track's.
  std::vector<TrackEvent> update(int64_t frame, double time, const std::optional<std::vector<Observation>>& detections);

  // Ends every live track (the source ended) at `frame`, `time`: their "ended" events.
  std::vector<TrackEvent> finish(int64_t frame, double time);

  // The live tracks, by id.
  std::vector<TrackState> tracks() const;

  ~Tracker();
  Tracker(Tracker&&) noexcept;
  Tracker& operator=(Tracker&&) noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The minimum-cost assignment of rows to columns of `cost` (rows × columns,
// any shape; an entry of +infinity is a pair not allowed): for each row the
// column it takes, or -1. Hungarian method (Kuhn–Munkres with potentials),
// O(n³) for n = max(rows, columns). Throws Error for a ragged matrix or NaN.
std::vector<int> assign_min_cost(const std::vector<std::vector<double>>& cost);

// A frame of a video, as 8-bit RGB.
struct VideoFrame {
  cv::Mat rgb;
  int64_t index = 0;  // 0, 1, ...
  double time = 0;    // seconds from the start
};

class VideoSource {
 public:
  virtual ~VideoSource() = default;
  // The next frame, or nullopt when the source has ended. Throws Error naming
  // the source for a frame that is empty (zero size) or cannot be converted.
  virtual std::optional<VideoFrame> next() = 0;
  // What it was opened from (path, device, URL).
  virtual std::string name() const = 0;
  // Frames per second as the source states it; 0 when unknown.
  virtual double fps() const = 0;
};

// Opens `source` through OpenCV videoio: "/dev/videoN" or a bare number (a
// camera index) is a camera, a string with "://" a stream URL (rtsp, http,
// ...), anything else a file. Frame times: index / fps for a file or stream
// that states its fps, else the seconds since opening (a camera). Throws
// Error naming the source for an empty name, a missing or unreadable file,
// or one no videoio backend can open.
std::unique_ptr<VideoSource> open_video(const std::string& source);

// A source over frames in memory (8-bit RGB, each non-empty) at `fps` (> 0),
// named `name`; times are index / fps. Throws Error for an fps that is not a
// positive finite number; a bad frame is reported by next() as for a file.
std::unique_ptr<VideoSource> frames_video(const std::string& name, std::vector<cv::Mat> rgb, double fps);

// The video containers AnnotatedVideo can write here: ".avi" (Motion JPEG,
// always there) and ".mp4" (MPEG-4 part 2) when OpenCV's FFmpeg backend is built in.
std::vector<std::string> writable_video_extensions();

// Writes frames with the tracks drawn: each box, its track id, identity (or
// "unknown") and confidence.
class AnnotatedVideo {
 public:
  // Opens `path` for frames of `size` at `fps`. Throws Error naming the path
  // for an extension not in writable_video_extensions(), a size under 2×2, an
  // fps that is not positive and finite, or a file that cannot be opened.
  AnnotatedVideo(const std::string& path, cv::Size size, double fps);
  ~AnnotatedVideo();
  AnnotatedVideo(const AnnotatedVideo&) = delete;
  AnnotatedVideo& operator=(const AnnotatedVideo&) = delete;
  // Draws `tracks` on a copy of `rgb` (of the size given) and writes it.
  // Throws Error for a frame of another size.
  void write(const cv::Mat& rgb, const std::vector<TrackState>& tracks);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `rgb` with the tracks drawn, as AnnotatedVideo writes it.
cv::Mat annotate(const cv::Mat& rgb, const std::vector<TrackState>& tracks);

}  // namespace facekit
