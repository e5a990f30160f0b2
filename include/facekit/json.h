// The one JSON form of the Engine's results (engine.h), used by the command
// line's output (and meant for every other front-end), so that all give the
// same shapes. Numbers are rounded where more digits are noise: pixels to
// 1/100, scores and probabilities to 1/10000, distances to 1e-6.
//
// Names (image paths, people, folders, databases, model files) are bytes and
// may not be UTF-8, which JSON requires. Such a name is written twice: under
// its key as readable UTF-8, each byte that is not UTF-8 replaced by U+FFFD,
// and under "<key>_bytes" as the base64 of its exact bytes, which a client
// decodes to get the name back (Python: base64.b64decode(obj["image_bytes"])).
// A valid UTF-8 name has no "_bytes" twin. So the output is always valid
// UTF-8 and loses nothing.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "facekit/attribute_eval.h"
#include "facekit/engine.h"

namespace facekit {

using Json = nlohmann::ordered_json;  // keys in the documented order

// {image, width, height, detector, faces: [{box: {x, y, width, height}, score,
//  landmarks: [[x, y]...], quality: {size, sharpness, brightness, contrast,
//  pose, overall}, landmarks68?}]}
Json to_json(const DetectResult& result);
// {image, model, dimension, l2_normalized, detector, faces: [{box, score, embedding}]}
Json to_json(const RepresentResult& result);
// {verified, distance, threshold, threshold_source, metric, model, detector,
//  confidence, probability_same (null when unknown), faces: [{image, face:
//  {box, score}} × 2], pairs?: [{a, b, verified, distance, confidence}] (all_pairs)}
Json to_json(const VerifyResult& result);
// {image, width, height, detector, heads, faces: [{box, score, quality,
//  refused | age?, gender?, emotion?, race?, real_probability?, agreement,
//  confidence, grayscale, heads: [...]}]}
Json to_json(const AnalyzeResult& result);
// {db, model, added, replaced, unchanged, duplicates, faceless, unreadable, people, vectors}
Json to_json(const EnrollResult& result);
// {image, model, metric, threshold, aggregation, faces: [{face: {box, score},
//  identity (null: unknown), distance, margin (null: no runner-up), confidence,
//  confidence_is_probability, candidates: [{identity, distance}], thumbnail?}]}
Json to_json(const FindResult& result);
// {folder, model, metric, threshold, faces (count), clusters: [{size,
//  representative: {image, box}, faces: [{image, box}]}]}
Json to_json(const ClusterResult& result);

// {event: started|identified|changed|ended, track, frame, time, box,
//  identity (null: unknown or undecided), leading, confidence, evidence,
//  detections, first_frame, last_seen_frame, attributes: {age?: {years,
//  uncertainty, frames}, male_probability?: {mean, uncertainty, frames},
//  emotion?: {<class>: p, ..., frames}, real_probability?: {...}}}
Json to_json(const TrackEvent& event);
// {event: "summary", source, frames, detection_frames, tracks, model, metric,
//  detector, threshold, threshold_source, seconds}
Json to_json(const WatchSummary& summary);

// {faces: {total, found, missed}, attributes: {<attribute>: {labelled,
//  sources: [{source, overall: {total, found, accuracy, balanced_accuracy,
//  ece, recall: {class: share}, confusion: {rows, columns (the classes, then
//  "missed"), counts}, calibration: {count, ece, bins: [{lower, upper, count,
//  confidence, accuracy}]}} or, for age, {total, found, mae, bias, within_5,
//  with_interval, interval_coverage}, breakdowns: [{by, groups: [{group,
//  headline figures}], gap, best, worst}]}]}}, missed: [{image, reason}]}
// (attribute_eval.h); an undefined figure (no faces) is null.
Json to_json(const eval::AttributeReport& report);

// Sets object[key] to `name` as described above (and object[key + "_bytes"]
// when it is not UTF-8).
void put_name(Json& object, const std::string& key, const std::string& name);

// The text of `json` (indent < 0: one line). Never throws for bad UTF-8:
// any that reached it unchecked is replaced by U+FFFD.
std::string dump(const Json& json, int indent = -1);

}  // namespace facekit
