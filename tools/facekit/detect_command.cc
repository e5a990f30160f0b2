#include "detect_command.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/text.h"
#include "output.h"

namespace facekit::cli {

namespace {

namespace fs = std::filesystem;

void print_text(const DetectResult& r) {
  std::printf("%s: %dx%d, %zu face%s (%s)\n", printable(r.image).c_str(), r.width, r.height, r.faces.size(),
              r.faces.size() == 1 ? "" : "s", r.detector.c_str());
  for (size_t i = 0; i < r.faces.size(); ++i) {
    const Face& f = r.faces[i];
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
  cmd->add_option("--detector", o.request.detector, "one of: " + [] {
    std::string names;
    for (const auto& n : detector_names()) names += (names.empty() ? "" : ", ") + n;
    return names;
  }())->capture_default_str();
  cmd->add_option("--min-face", o.request.min_face, "smallest face side searched for, pixels")->capture_default_str();
  cmd->add_option("--threshold", o.request.score_threshold, "minimum score (default: the detector's own)");
  cmd->add_option("--max-faces", o.request.max_faces, "keep the best N faces per image (0: all)")
      ->capture_default_str();
  cmd->add_option("--executor", o.request.executor, "fast | reference")->capture_default_str();
  cmd->add_option("--threads", o.engine.threads, "threads of the neural executor (0: all cores)")
      ->capture_default_str();
  auto* json_flag = cmd->add_flag("--json")->description("JSON Lines, one object per image (the default)");
  cmd->add_flag("--text", o.text, "a human summary instead of JSON")->excludes(json_flag);
  auto* draw = cmd->add_option("--draw", o.draw, "with one image: write it with the faces drawn (PNG, JPEG, ...)");
  cmd->add_option("--draw-dir", o.draw_dir, "write each image, faces drawn, as DIR/<name>.png")->excludes(draw);
  return cmd;
}

int run_detect(const DetectCommandOptions& o) {
  Engine engine(o.engine);
  engine.prepare(o.request);
  int status = 0;
  const std::vector<std::string> images = images_of(o.inputs, status);
  check(o.draw.empty() || images.size() <= 1, "--draw",
        "writes one image but " + std::to_string(images.size()) + " were given: use --draw-dir");
  if (!o.draw_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.draw_dir, ec);
    check(!ec, o.draw_dir, "cannot create the folder: " + ec.message());
  }
  std::set<std::string> drawings;
  const int images_status = for_each_image(images, [&](const NamedImage& image) {
    const DetectResult r = engine.detect(image, o.request);
    if (o.text)
      print_text(r);
    else
      print_json(to_json(r));
    if (!o.draw.empty()) write_image(o.draw, drawn(image.rgb, r.faces));
    if (!o.draw_dir.empty()) write_image(drawing_path(o.draw_dir, image.name, drawings), drawn(image.rgb, r.faces));
  });
  return std::max(status, images_status);
}

}  // namespace facekit::cli
