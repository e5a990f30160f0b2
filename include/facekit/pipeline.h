// The recognition pipeline in one call: an image in, one embedding per face
// out — detect, locate landmarks where the detector gives none, align each
// face onto the recognizer's template, embed the crops in one batch.
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/detect.h"
#include "facekit/embed.h"

namespace facekit {

// A face and its raw embedding (embed.h: exactly what the recognizer gives).
struct FaceEmbedding {
  Face face;
  std::vector<float> embedding;
  cv::Mat crop;  // the aligned crop the recognizer embedded (8-bit RGB)
  // A detector found the face; false when the whole image stood in for it
  // (detection off, or the whole-image fallback).
  bool face_found = true;
};

struct EmbedFacesOptions {
  // Skip detection: the whole image is the one face (box = the image, score
  // 1). The landmarker, when given, still locates its landmarks; without one
  // the image is cropped square around its centre, unrotated (align_face).
  bool detect = true;
  // When detection finds no face, detect again on a padded copy
  // (detect_padded: faces cut by the border, tight crops); nullopt: no retry.
  std::optional<PadOptions> retry_padded = PadOptions{};
  // When that finds none either, the whole image is the face (as with
  // detect = false, face_found = false) instead of an empty result: deepface's
  // enforce_detection = false.
  bool whole_image_fallback = false;
  // Keep only the face of largest box area (after detection).
  bool largest_only = false;
  AlignOptions align;
};

// Every face of `rgb` (8-bit RGB), in the detector's order (best score
// first), with its embedding. Faces without 5 landmarks get them from
// `landmarker` when one is given (else they are aligned from their box);
// for a recognizer fed face-api's crop (AlignKind::kFaceapi), faces without
// 68 landmarks get those (without a landmarker align_face then throws).
// An image without faces, also after the padded retry, gives an empty result
// (or, with whole_image_fallback, the whole image as one face). `detector` may be null only
// when options.detect is false. Throws Error as the stages do (bad image, NaN
// embedding, ...) and for a null detector with detection on.
std::vector<FaceEmbedding> embed_faces(const cv::Mat& rgb, Detector* detector, Recognizer& recognizer,
                                       Landmarker* landmarker = nullptr, const EmbedFacesOptions& options = {});

// embed_faces in two steps, for callers that embed the same faces with
// several recognizers (fusion): the faces it would embed (detected, the
// largest alone with options.largest_only, or the whole image) and whether a
// detector found them; then those faces embedded by one recognizer.
struct FoundFaces {
  std::vector<Face> faces;
  bool found = true;
};
FoundFaces find_faces(const cv::Mat& rgb, Detector* detector, const EmbedFacesOptions& options);
std::vector<FaceEmbedding> embed_found_faces(const cv::Mat& rgb, FoundFaces faces, Recognizer& recognizer,
                                             Landmarker* landmarker = nullptr, const AlignOptions& align = {});

// The index of the face with the largest box area, nullopt for none.
std::optional<size_t> largest_face(const std::vector<Face>& faces);

}  // namespace facekit
