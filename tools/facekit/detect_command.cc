#include "detect_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "image_inputs.h"

namespace facekit::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // keys in the documented order

// Rounds for output: digits past 1/100 pixel and 1/10000 of a score are noise.
double rounded(double value, double per_unit) { return std::round(value * per_unit) / per_unit; }
double px(float value) { return rounded(value, 100); }
double unit(float value) { return rounded(value, 10000); }

json points_json(const std::vector<cv::Point2f>& points) {
  json array = json::array();
  for (const auto& p : points) array.push_back({px(p.x), px(p.y)});
  return array;
}

json face_json(const Face& face) {
  const FaceQuality& q = face.quality;
  json j = {{"box", {{"x", px(face.box.x)}, {"y", px(face.box.y)}, {"width", px(face.box.width)},
                     {"height", px(face.box.height)}}},
            {"score", unit(face.score)},
            {"landmarks", points_json(face.landmarks)},
            {"quality", {{"size", unit(q.size)}, {"sharpness", unit(q.sharpness)}, {"brightness", unit(q.brightness)},
                         {"contrast", unit(q.contrast)}, {"pose", unit(q.pose)}, {"overall", unit(q.overall)}}}};
  if (!face.landmarks68.empty()) j["landmarks68"] = points_json(face.landmarks68);
  return j;
}

void print_json(const std::string& path, const cv::Mat& rgb, const std::string& detector,
                const std::vector<Face>& faces) {
  json faces_json = json::array();
  for (const Face& face : faces) faces_json.push_back(face_json(face));
  const json j = {{"image", path},         {"width", rgb.cols},     {"height", rgb.rows},
                  {"detector", detector}, {"faces", faces_json}};
  std::cout << j.dump() << std::endl;
}

void print_text(const std::string& path, const cv::Mat& rgb, const std::string& detector,
                const std::vector<Face>& faces) {
  std::printf("%s: %dx%d, %zu face%s (%s)\n", path.c_str(), rgb.cols, rgb.rows, faces.size(),
              faces.size() == 1 ? "" : "s", detector.c_str());
  for (size_t i = 0; i < faces.size(); ++i) {
    const Face& f = faces[i];
    const FaceQuality& q = f.quality;
    std::printf("  %zu. box %.0f,%.0f %.0fx%.0f  score %.2f  quality %.2f (size %.2f, sharpness %.2f, "
                "brightness %.2f, contrast %.2f, pose %.2f)\n",
                i + 1, f.box.x, f.box.y, f.box.width, f.box.height, f.score, q.overall, q.size, q.sharpness,
                q.brightness, q.contrast, q.pose);
  }
  std::fflush(stdout);
}

// The image with each face's box, score and landmarks drawn on it, lines
// thick enough to see on a large photo.
cv::Mat drawn(const cv::Mat& rgb, const std::vector<Face>& faces) {
  cv::Mat out = rgb.clone();
  const int thickness = std::max(1, std::min(rgb.cols, rgb.rows) / 400);
  const cv::Scalar box_colour(0, 255, 0), landmark_colour(255, 0, 0);  // RGB
  for (const Face& face : faces) {
    cv::rectangle(out, cv::Rect(face.box), box_colour, thickness);
    char label[16];
    std::snprintf(label, sizeof label, "%.2f", face.score);
    const cv::Point corner(static_cast<int>(face.box.x), std::max(0, static_cast<int>(face.box.y) - 4 * thickness));
    cv::putText(out, label, corner, cv::FONT_HERSHEY_SIMPLEX, 0.5 * thickness, box_colour, thickness);
    for (const auto& p : face.landmarks) cv::circle(out, p, 2 * thickness, landmark_colour, cv::FILLED);
    for (const auto& p : face.landmarks68) cv::circle(out, p, thickness, landmark_colour, cv::FILLED);
  }
  return out;
}

// DIR/<stem>.png, made unique among the names this run has written.
std::string drawing_path(const std::string& dir, const std::string& image, std::set<std::string>& used) {
  const std::string stem = fs::path(image).stem().string();
  std::string name = stem + ".png";
  for (int n = 2; used.count(name); ++n) name = stem + "-" + std::to_string(n) + ".png";
  used.insert(name);
  return (fs::path(dir) / name).string();
}

}  // namespace

CLI::App* add_detect_command(CLI::App& app, DetectCommandOptions& o) {
  auto* cmd = app.add_subcommand("detect", "find faces: box, score, landmarks and quality per face");
  cmd->add_option("images", o.inputs, "image files and folders (their image files, sorted)")->required();
  cmd->add_option("--detector", o.detector, "one of: " + [] {
    std::string names;
    for (const auto& n : detector_names()) names += (names.empty() ? "" : ", ") + n;
    return names;
  }())->capture_default_str();
  cmd->add_option("--min-face", o.detect.min_face, "smallest face side searched for, pixels")->capture_default_str();
  cmd->add_option("--threshold", o.detect.score_threshold, "minimum score (default: the detector's own)");
  cmd->add_option("--max-faces", o.detect.max_faces, "keep the best N faces per image (0: all)")
      ->capture_default_str();
  cmd->add_option("--executor", o.detect.executor, "fast | reference")->capture_default_str();
  cmd->add_option("--threads", o.detect.threads, "threads of the neural executor (0: all cores)")
      ->capture_default_str();
  auto* json_flag = cmd->add_flag("--json")->description("JSON Lines, one object per image (the default)");
  cmd->add_flag("--text", o.text, "a human summary instead of JSON")->excludes(json_flag);
  auto* draw = cmd->add_option("--draw", o.draw, "with one image: write it with the faces drawn (PNG, JPEG, ...)");
  cmd->add_option("--draw-dir", o.draw_dir, "write each image, faces drawn, as DIR/<name>.png")->excludes(draw);
  return cmd;
}

int run_detect(const DetectCommandOptions& options) {
  check(options.detect.executor == "fast" || options.detect.executor == "reference", "--executor",
        "'" + options.detect.executor + "' is neither fast nor reference");
  check(options.detect.min_face >= 1, "--min-face", "must be at least 1 pixel");
  check(options.detect.max_faces >= 0 && options.detect.threads >= 0, "--max-faces/--threads", "must not be negative");
  // A bad image is reported once, by facekit's Error: OpenCV's own warnings
  // about the same file would only repeat it.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  bool failed = false;
  const std::vector<std::string> images = expand_inputs(options.inputs, failed);
  check(options.draw.empty() || images.size() <= 1, "--draw",
        "writes one image but " + std::to_string(images.size()) + " were given: use --draw-dir");
  if (!options.draw_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.draw_dir, ec);
    check(!ec, options.draw_dir, "cannot create the folder: " + ec.message());
  }
  const auto detector = make_detector(options.detector, options.detect);
  std::set<std::string> drawings;
  for (const std::string& path : images) {
    try {
      const cv::Mat rgb = read_image(path);
      const std::vector<Face> faces = detect_with_retry(*detector, rgb);
      if (options.text)
        print_text(path, rgb, detector->name(), faces);
      else
        print_json(path, rgb, detector->name(), faces);
      if (!options.draw.empty()) write_image(options.draw, drawn(rgb, faces));
      if (!options.draw_dir.empty()) write_image(drawing_path(options.draw_dir, path, drawings), drawn(rgb, faces));
    } catch (const Error& e) {
      std::cerr << "facekit: " << e.what() << "\n";
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace facekit::cli
