// Clips built from real photos for the video tests and benchmark: each
// person's face, cut from a photo, moved over a textured 640×480 background
// (panned, scaled, hidden for some frames, crossing another), with where
// each face truly is on every frame.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/detect.h"
#include "facekit/video.h"

namespace facekit::testing {

// A face cut out of a photo: a square patch around it and the face's box inside the patch.
struct FacePatch {
  std::string identity;
  cv::Mat rgb;         // square
  cv::Rect2f face;     // in the patch's pixels
};

// The square of side 2 × the face's longer side around `face`'s centre,
// clipped to the photo (so it may come out a little off-centre).
inline FacePatch cut_patch(const std::string& identity, const cv::Mat& photo, const cv::Rect2f& face) {
  const float side = 2 * std::max(face.width, face.height);
  const float cx = face.x + face.width / 2, cy = face.y + face.height / 2;
  cv::Rect square(static_cast<int>(cx - side / 2), static_cast<int>(cy - side / 2), static_cast<int>(side),
                  static_cast<int>(side));
  square &= cv::Rect(0, 0, photo.cols, photo.rows);
  const int s = std::min(square.width, square.height);
  square.width = square.height = s;
  return {identity, photo(square).clone(),
          cv::Rect2f(face.x - static_cast<float>(square.x), face.y - static_cast<float>(square.y), face.width, face.height)};
}

// Where a patch is on one frame: its top-left corner and side in pixels;
// side 0 means hidden.
struct Placement {
  float x = 0, y = 0, side = 0;
};

// One person in a clip: the patch and its placement on each frame.
struct Actor {
  FacePatch patch;
  std::function<Placement(int frame)> at;
};

// A face's true position on a frame.
struct TruthFace {
  std::string identity;
  cv::Rect2f box;
};

struct Clip {
  std::vector<cv::Mat> frames;                 // 8-bit RGB
  std::vector<std::vector<TruthFace>> truth;   // per frame, the visible faces
};

// A fixed, textured background (blurred noise: no face in it).
inline cv::Mat background(cv::Size size) {
  cv::Mat noise(size, CV_8UC3);
  cv::RNG rng(7);
  rng.fill(noise, cv::RNG::UNIFORM, cv::Scalar::all(40), cv::Scalar::all(200));
  cv::GaussianBlur(noise, noise, cv::Size(0, 0), 6);
  return noise;
}

// `frames` frames of `size`; actors are drawn in order (a later one covers an
// earlier one). A face counts as visible when at least 60 % of its box is on
// the frame and not covered by a later actor's patch.
inline Clip make_clip(const std::vector<Actor>& actors, int frames, cv::Size size = {640, 480}) {
  Clip clip;
  const cv::Mat base = background(size);
  const cv::Rect2f frame_rect(0, 0, static_cast<float>(size.width), static_cast<float>(size.height));
  for (int f = 0; f < frames; ++f) {
    cv::Mat frame = base.clone();
    std::vector<cv::Rect2f> drawn(actors.size());
    for (size_t a = 0; a < actors.size(); ++a) {
      const Placement p = actors[a].at(f);
      if (p.side < 8) continue;
      const cv::Rect target(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y)),
                            static_cast<int>(std::lround(p.side)), static_cast<int>(std::lround(p.side)));
      cv::Mat scaled;
      cv::resize(actors[a].patch.rgb, scaled, target.size(), 0, 0, cv::INTER_AREA);
      const cv::Rect visible = target & cv::Rect(0, 0, size.width, size.height);
      if (visible.area() == 0) continue;
      scaled(cv::Rect(visible.x - target.x, visible.y - target.y, visible.width, visible.height)).copyTo(frame(visible));
      drawn[a] = cv::Rect2f(target);
    }
    std::vector<TruthFace> truth;
    for (size_t a = 0; a < actors.size(); ++a) {
      if (drawn[a].area() == 0) continue;
      const FacePatch& patch = actors[a].patch;
      const float scale = drawn[a].width / static_cast<float>(patch.rgb.cols);
      const cv::Rect2f face(drawn[a].x + patch.face.x * scale, drawn[a].y + patch.face.y * scale, patch.face.width * scale,
                            patch.face.height * scale);
      float uncovered = (face & frame_rect).area();
      for (size_t later = a + 1; later < actors.size(); ++later) uncovered -= (face & frame_rect & drawn[later]).area();
      if (uncovered >= 0.6f * face.area()) truth.push_back({patch.identity, face});
    }
    clip.frames.push_back(frame);
    clip.truth.push_back(std::move(truth));
  }
  return clip;
}

// What a clip's tracks got right and wrong, frame by frame.
struct Score {
  std::map<std::string, int> switches;        // a person's face taken over by another track
  std::map<std::string, int> first_correct;   // frames from first visible to first named correctly (-1: never)
  std::map<std::string, int> false_ids;       // frames on which their track named someone else
  std::map<std::string, int> unmatched;       // visible frames with no track on the face
  std::map<std::string, int> visible;         // frames the face is visible on
  std::map<std::string, int> named;           // visible frames on which their track names them correctly
};

class Scorer {
 public:
  void frame(int64_t index, const std::vector<TruthFace>& truth, const std::vector<facekit::TrackState>& tracks) {
    for (const TruthFace& face : truth) {
      const facekit::TrackState* best = nullptr;
      float best_iou = 0.3f;
      for (const facekit::TrackState& t : tracks)
        if (const float overlap = facekit::iou(t.box, face.box); overlap >= best_iou) std::tie(best, best_iou) = std::pair(&t, overlap);
      first_seen_.emplace(face.identity, index);
      ++score.visible[face.identity];
      score.named[face.identity] += 0;
      score.switches[face.identity] += 0;
      score.false_ids[face.identity] += 0;
      score.first_correct.emplace(face.identity, -1);
      if (!best) {
        ++score.unmatched[face.identity];
        continue;
      }
      if (auto it = track_of_.find(face.identity); it != track_of_.end() && it->second != best->id) ++score.switches[face.identity];
      track_of_[face.identity] = best->id;
      if (best->identity && *best->identity != face.identity) ++score.false_ids[face.identity];
      if (best->identity == face.identity) ++score.named[face.identity];
      if (best->identity == face.identity && score.first_correct[face.identity] < 0)
        score.first_correct[face.identity] = static_cast<int>(index - first_seen_[face.identity]);
    }
  }
  Score score;

 private:
  std::map<std::string, int64_t> first_seen_;
  std::map<std::string, int> track_of_;
};

}  // namespace facekit::testing
