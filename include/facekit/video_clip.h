// A clip given as its encoded bytes (an upload to `facekit serve`) as a
// VideoSource, within limits on what it may make the decoder and the engine do.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "facekit/video.h"

namespace facekit {

// What one clip given as bytes (clip_video) may make the decoder and the
// engine do: frames decoded, seconds of video, pixels per frame. The frames
// are decoded one at a time (Engine::watch keeps none), so the pixels bound
// the memory and the frames the work.
struct ClipLimits {
  int64_t max_frames = 1800;             // in [1, 1'000'000]; 1800: a minute at 30 fps
  double max_seconds = 300;              // of video time; in (0, 86400]
  int64_t max_pixels = int64_t{1920} * 1080;  // width × height of a frame; in [64, 8192 × 8192]
};

// Throws Error naming the field and its range for a value outside it (NaN included).
void check_clip_limits(const ClipLimits& limits);

// A video given as its encoded bytes (an upload), named `name` (in its
// frames' names, its errors and WatchSummary::source). Only AVI, MP4 /
// QuickTime and Matroska / WebM containers are taken, known by their first
// bytes: anything else (a playlist, a concat script, an image sequence)
// could make the decoder read other files or URLs. The bytes are written to
// a private temporary file (mode 0600, in $TMPDIR, else /tmp) removed as soon as the
// decoder has opened it, and in every error path; it is decoded with
// OpenCV's FFmpeg backend, else its own Motion JPEG reader. Frame times are
// index / the frame rate the container states. The stated size is checked
// once the decoder has opened the clip, before any frame is read; FFmpeg's
// own probe at opening decodes within its own size limit and the bytes given.
// Throws Error naming `name`, before any frame is decoded, for empty bytes,
// another container, a clip no backend here opens (garbage, or cut before
// its index), no stated frame rate, or a stated size, frame count or
// duration over `limits`; the source's next() throws Error naming `name`
// for a frame over the pixel limit, a frame past max_frames or max_seconds,
// and for a clip that ends more than one frame short of the count its
// container states (truncated, or broken off by a decoding error; one frame
// of slack because some containers state only duration × rate, rounded).
// Throws Error as check_clip_limits, and when the temporary file cannot be
// written.
std::unique_ptr<VideoSource> clip_video(const std::string& name, std::span<const uint8_t> bytes,
                                        const ClipLimits& limits = {});

}  // namespace facekit
