// Learning curves for docs/training.md: the validation AUC per epoch of
// several `facekit train --log` files on one OpenCV plot, and the ROC curves
// of `facekit eval --json` reports of the exported models on one plot
// (eval::write_roc_plot).
//   train_curves --auc auc.png --roc roc.png LABEL=run.jsonl[,report.json] ...
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/eval.h"

namespace {

struct Run {
  std::string label;
  std::vector<double> auc;  // per epoch
  std::vector<facekit::eval::RocPoint> roc;
};

std::vector<double> read_auc(const std::string& path) {
  std::ifstream in(path);
  facekit::check(in.good(), path, "cannot be read");
  std::vector<double> auc;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) auc.push_back(nlohmann::json::parse(line).at("val_auc").get<double>());
  return auc;
}

std::vector<facekit::eval::RocPoint> read_roc(const std::string& path) {
  std::ifstream in(path);
  facekit::check(in.good(), path, "cannot be read");
  std::vector<facekit::eval::RocPoint> roc;
  const nlohmann::json report = nlohmann::json::parse(in);
  for (const auto& p : report.at("roc"))
    roc.push_back({p.at("threshold").get<double>(), p.at("far").get<double>(), p.at("tar").get<double>()});
  return roc;
}

void put(cv::Mat& image, const std::string& s, cv::Point at, double scale = 0.45) {
  cv::putText(image, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
}

// AUC from 0.5 (chance) to 1 against the epoch.
void write_auc_plot(const std::string& file, const std::vector<Run>& runs, const std::string& title) {
  const int width = 800, height = 500;
  const cv::Rect area(70, 40, width - 100, height - 100);
  size_t epochs = 1;
  for (const Run& r : runs) epochs = std::max(epochs, r.auc.size());
  const auto to_pixel = [&](double epoch, double auc) {
    return cv::Point2d(area.x + (epoch - 1) / std::max<double>(double(epochs) - 1, 1) * area.width,
                       area.y + (1 - (std::clamp(auc, 0.5, 1.0) - 0.5) / 0.5) * area.height);
  };
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  char label[32];
  for (int i = 0; i <= 10; ++i) {
    const double auc = 0.5 + i / 20.0;
    cv::line(image, to_pixel(1, auc), to_pixel(double(epochs), auc), cv::Scalar(225, 225, 225));
    std::snprintf(label, sizeof label, "%.2f", auc);
    put(image, label, cv::Point(area.x - 45, static_cast<int>(to_pixel(1, auc).y) + 5));
  }
  for (size_t e = 1; e <= epochs; ++e) {
    const cv::Point2d bottom = to_pixel(double(e), 0.5);
    cv::line(image, to_pixel(double(e), 1), bottom, cv::Scalar(225, 225, 225));
    put(image, std::to_string(e), cv::Point(static_cast<int>(bottom.x) - 5, static_cast<int>(bottom.y) + 18));
  }
  cv::rectangle(image, area, cv::Scalar(0, 0, 0));
  put(image, "epoch", cv::Point(area.x + area.width / 2 - 20, height - 20), 0.5);
  put(image, "validation AUC", cv::Point(10, area.y - 12), 0.5);
  put(image, title, cv::Point(area.x + 150, 25), 0.6);
  const std::vector<cv::Scalar> colours = {{180, 119, 31}, {40, 39, 214}, {44, 160, 44}, {14, 127, 255},
                                           {189, 103, 148}, {75, 86, 140}, {194, 119, 227}, {127, 127, 127}};  // BGR
  for (size_t c = 0; c < runs.size(); ++c) {
    const cv::Scalar colour = colours[c % colours.size()];
    std::vector<cv::Point> points;
    for (size_t e = 0; e < runs[c].auc.size(); ++e) points.push_back(to_pixel(double(e + 1), runs[c].auc[e]));
    cv::polylines(image, points, false, colour, 2, cv::LINE_AA);
    for (const cv::Point& p : points) cv::circle(image, p, 3, colour, cv::FILLED, cv::LINE_AA);
    const cv::Point key(area.x + area.width - 260, area.y + area.height - 20 - 20 * static_cast<int>(runs.size() - 1 - c));
    cv::line(image, key, key + cv::Point(25, 0), colour, 2, cv::LINE_AA);
    put(image, runs[c].label, key + cv::Point(32, 5));
  }
  facekit::check(cv::imwrite(file, image), file, "cannot be written");
}

}  // namespace

int main(int argc, char** argv) {
  std::string auc_out, roc_out, title = "Yale B, held-out identities";
  std::vector<std::string> specs;
  CLI::App app{"learning curves and ROC plots of training runs"};
  app.add_option("--auc", auc_out, "validation AUC per epoch (PNG)");
  app.add_option("--roc", roc_out, "ROC of the exported models (PNG; needs the reports)");
  app.add_option("--title", title, "plot title")->capture_default_str();
  app.add_option("runs", specs, "LABEL=run.jsonl[,eval-report.json]")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    std::vector<Run> runs;
    for (const std::string& spec : specs) {
      const size_t eq = spec.find('='), comma = eq == std::string::npos ? eq : spec.find(',', eq);
      facekit::check(eq != std::string::npos, spec, "expected LABEL=run.jsonl[,report.json]");
      Run r{spec.substr(0, eq), read_auc(spec.substr(eq + 1, comma == std::string::npos ? comma : comma - eq - 1)), {}};
      if (comma != std::string::npos) r.roc = read_roc(spec.substr(comma + 1));
      runs.push_back(std::move(r));
    }
    if (!auc_out.empty()) write_auc_plot(auc_out, runs, title);
    if (!roc_out.empty()) {
      std::vector<facekit::eval::RocCurve> curves;
      for (const Run& r : runs)
        if (!r.roc.empty()) curves.push_back({r.label, r.roc});
      facekit::eval::write_roc_plot(roc_out, curves, {.log_far = false, .title = "ROC: " + title});
    }
  } catch (const std::exception& e) {
    std::cerr << "train_curves: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
