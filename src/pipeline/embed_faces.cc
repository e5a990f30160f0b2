// image → faces → aligned crops → embeddings (include/facekit/pipeline.h).
#include <utility>

#include "facekit/error.h"
#include "facekit/pipeline.h"

namespace facekit {

namespace {

// The whole image as the one face (box = the image, score 1).
Face whole_image(const cv::Mat& rgb) {
  check(!rgb.empty() && rgb.type() == CV_8UC3, "embed_faces", "expected a non-empty 8-bit RGB image");
  Face whole;
  whole.box = cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
  whole.score = 1;
  return whole;
}

}  // namespace

FoundFaces find_faces(const cv::Mat& rgb, Detector* detector, const EmbedFacesOptions& options) {
  if (!options.detect) return {{whole_image(rgb)}, false};
  check(detector != nullptr, "embed_faces", "detection is on but no detector was given");
  std::vector<Face> faces = detect_with_retry(*detector, rgb, options.retry_padded);
  if (faces.empty() && options.whole_image_fallback) return {{whole_image(rgb)}, false};
  if (options.one_face && faces.size() > 1) faces = {faces[*choose_face(faces, rgb.size(), *options.one_face)]};
  return {std::move(faces), true};
}

std::vector<FaceEmbedding> embed_found_faces(const cv::Mat& rgb, FoundFaces found_faces, Recognizer& recognizer,
                                             Landmarker* landmarker, const AlignOptions& align) {
  auto& [faces, found] = found_faces;
  std::vector<cv::Mat> crops;
  crops.reserve(faces.size());
  // face-api's crop is placed from the 68 points, the others from 5.
  const bool needs_68 = recognizer.alignment().kind == AlignKind::kFaceapi;
  for (Face& face : faces) {
    const bool located = needs_68 ? face.landmarks68.size() == 68 : face.landmarks.size() == 5;
    if (!located && landmarker) landmarker->locate(rgb, face);
    crops.push_back(align_face(rgb, face, recognizer.alignment(), align));
  }
  const std::vector<std::vector<float>> embeddings = recognizer.embed(crops);

  std::vector<FaceEmbedding> out(faces.size());
  for (size_t i = 0; i < faces.size(); ++i) out[i] = {std::move(faces[i]), embeddings[i], crops[i], found};
  return out;
}

std::vector<FaceEmbedding> embed_faces(const cv::Mat& rgb, Detector* detector, Recognizer& recognizer,
                                       Landmarker* landmarker, const EmbedFacesOptions& options) {
  return embed_found_faces(rgb, find_faces(rgb, detector, options), recognizer, landmarker, options.align);
}

}  // namespace facekit
