// The LFW benches' cache files (faces found, embeddings, timings): JSON read
// whole and replaced whole, so that a bench killed mid-write leaves the last
// complete cache, and landmarks stored flat ([x0, y0, x1, y1, ...]).
#pragma once

#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace facekit::bench {

// The cache at `file`, or an empty object when there is none yet.
inline nlohmann::json read_cache(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return nlohmann::json::object();
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

// Writes beside `file` and renames over it.
inline void write_cache(const std::filesystem::path& file, const nlohmann::json& j) {
  std::ofstream out(file.string() + ".tmp");
  out << j.dump() << "\n";
  out.close();
  std::filesystem::rename(file.string() + ".tmp", file);
}

inline std::vector<float> flat_points(const std::vector<cv::Point2f>& points) {
  std::vector<float> out;
  for (const auto& p : points) out.insert(out.end(), {p.x, p.y});
  return out;
}

inline std::vector<cv::Point2f> points_of(const std::vector<float>& flat) {
  std::vector<cv::Point2f> out;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) out.emplace_back(flat[i], flat[i + 1]);
  return out;
}

}  // namespace facekit::bench
