// The recognition pipeline in one call: an image in, one embedding per face
// out — detect, locate landmarks where the detector gives none, align each
// face onto the recognizer's template, embed the crops in one batch.
#pragma once

#include <optional>
#include <string>
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

// Which face a verb that takes one face per image uses (--face):
//   kLargest: the face of largest box area — the most prominent face;
//   kCenter: the face whose box centre is nearest the image centre — the
//     subject of a portrait or a photo cropped around its person, and LFW's
//     labelled face (docs/recognition.md, "Face choice", gives the rule's
//     measurements).
enum class FaceChoice { kLargest, kCenter };

// The face a one-face verb takes unless told otherwise (RecognitionRequest::face;
// README, "Which face" says why).
inline constexpr const char* kDefaultFace = "center";

// The face choice named "largest" or "center" (--face). Throws Error naming
// `option` and the value for any other name.
FaceChoice parse_face_choice(const std::string& name, const std::string& option = "--face");
// "largest" or "center".
std::string face_choice_name(FaceChoice choice);

// The index of the face `choice` takes among `faces` of an image of `image`
// pixels (ties: the earlier face), nullopt for none.
std::optional<size_t> choose_face(const std::vector<Face>& faces, cv::Size image, FaceChoice choice);

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
  // Keep only one face (after detection), the one this choice takes; nullopt:
  // every face.
  std::optional<FaceChoice> one_face;
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
// chosen one alone with options.one_face, or the whole image) and whether a
// detector found them; then those faces embedded by one recognizer.
struct FoundFaces {
  std::vector<Face> faces;
  bool found = true;
};
FoundFaces find_faces(const cv::Mat& rgb, Detector* detector, const EmbedFacesOptions& options);
std::vector<FaceEmbedding> embed_found_faces(const cv::Mat& rgb, FoundFaces faces, Recognizer& recognizer,
                                             Landmarker* landmarker = nullptr, const AlignOptions& align = {});

// The index of the face with the largest box area, nullopt for none
// (choose_face with FaceChoice::kLargest).
std::optional<size_t> largest_face(const std::vector<Face>& faces);

}  // namespace facekit
