// deepface's names and result shapes over facekit's, for the front-ends that
// deepface users call (the Python module and the HTTP service).
// Each shape is made from the one JSON form of a result (json.h), so that it
// carries exactly the values `facekit VERB --json` prints; only names and
// units change:
//
//   facekit (json.h)                  deepface
//   box {x, y, width, height}         facial_area {x, y, w, h, left_eye, right_eye}:
//                                     pixels rounded to integers, halves
//                                     away from zero (deepface's are ints,
//                                     used to slice arrays); the eyes are
//                                     the person's own left and right
//                                     ([x, y], integers) where the result
//                                     has landmarks, else null
//   score                             face_confidence (represent, analyze),
//                                     confidence (detect)
//   metric, detector                  similarity_metric, detector_backend
//   probabilities in [0, 1]           percentages in [0, 100] (analyze)
//   gender {value: male|female}       dominant_gender Man|Woman, gender {Woman, Man}
//
// facekit's own fields that deepface lacks are kept beside deepface's
// (confidence, threshold_source, face_found, quality, ...).
#pragma once

#include <string>

#include "facekit/json.h"

namespace facekit {

// Sets `detector` and `no_detect` from deepface's detector_backend: "skip"
// (the image is the face) sets no_detect, "opencv" is facekit's "haar" (both
// OpenCV's Haar cascade), any other name is a facekit detector name, passed
// through (checked when the models are loaded).
void apply_detector_backend(const std::string& backend, std::string& detector, bool& no_detect);

// deepface's facial_area of one face of facekit's JSON ({box, landmarks?}).
Json deepface_facial_area(const Json& face);

// `verify`: to_json(VerifyResult). {verified, distance, threshold, model,
// detector_backend, similarity_metric, facial_areas: {img1, img2}, time,
// confidence, probability_same, threshold_source, face_found: {img1, img2}}.
// `seconds`: the time the caller measured.
Json deepface_verify(const Json& verify, double seconds);

// `represent`: to_json(RepresentResult). [{embedding, facial_area,
// face_confidence, face_found}], one per face.
Json deepface_represent(const Json& represent);

// `analyze`: to_json(AnalyzeResult). [{region, face_confidence, age,
// dominant_gender, gender, dominant_emotion, emotion, dominant_race, race,
// real_probability, confidence}] with the keys of the heads that ran; a face
// the analyzer refused carries `refused` (the reason) instead.
Json deepface_analyze(const Json& analyze);

// `detect`: to_json(DetectResult). deepface's extract_faces without the face
// pixels: [{facial_area, confidence, landmarks, quality}].
Json deepface_detect(const Json& detect);

// `find`: to_json(FindResult). One list per face of the image, like
// deepface.find's one table per face: the candidates within the threshold,
// nearest first ([] = unknown), each {identity, distance, threshold, source_x,
// source_y, source_w, source_h}.
Json deepface_find(const Json& find);

}  // namespace facekit
