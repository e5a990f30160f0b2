// The ROC drawn with OpenCV.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "eval/plot_figure.h"
#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

namespace {

// The plot area inside the margins, and FAR/TAR → pixel.
struct Axes {
  cv::Rect area;
  bool log_far = true;
  double log_min = -4;  // log10 of the leftmost FAR on a log axis

  cv::Point2d to_pixel(double far, double tar) const {
    double x = far;
    if (log_far) x = (std::log10(std::max(far, std::pow(10.0, log_min))) - log_min) / -log_min;
    return {area.x + x * area.width, area.y + (1 - tar) * area.height};
  }
};

}  // namespace

void write_roc_plot(const std::filesystem::path& file, const std::vector<RocCurve>& curves, const RocPlotOptions& options) {
  check(!curves.empty(), file.string(), "no ROC curve to plot");
  for (const auto& c : curves) check(!c.roc.empty(), file.string(), "the ROC curve '" + c.label + "' is empty");
  check(options.width >= 200 && options.height >= 150 && options.width <= 10000 && options.height <= 10000, file.string(),
        "plot size " + std::to_string(options.width) + " × " + std::to_string(options.height) +
            " is outside 200 × 150 .. 10000 × 10000");
  PlotFigure figure(options.width, options.height);
  Axes axes;
  axes.area = figure.area();
  axes.log_far = options.log_far;
  if (options.log_far) {  // from the decade of the smallest non-zero FAR
    double smallest = 1;
    for (const auto& c : curves)
      for (const auto& p : c.roc)
        if (p.far > 0) smallest = std::min(smallest, p.far);
    axes.log_min = std::min(-1.0, std::floor(std::log10(smallest)));
  }

  // Grid and tick labels: decades (log) or tenths (linear) on FAR, tenths on TAR.
  char label[32];
  for (int i = 0; i <= 10; ++i) {
    const double tar = i / 10.0;
    const cv::Point2d left = axes.to_pixel(options.log_far ? std::pow(10.0, axes.log_min) : 0, tar);
    figure.grid_line(left, axes.to_pixel(1, tar));
    std::snprintf(label, sizeof label, "%.1f", tar);
    figure.y_tick_label(label, left);
  }
  const int far_ticks = options.log_far ? static_cast<int>(-axes.log_min) : 10;
  for (int i = 0; i <= far_ticks; ++i) {
    const double far = options.log_far ? std::pow(10.0, axes.log_min + i) : i / 10.0;
    const cv::Point2d bottom = axes.to_pixel(far, 0);
    figure.grid_line(axes.to_pixel(far, 1), bottom);
    if (options.log_far) std::snprintf(label, sizeof label, "1e%d", static_cast<int>(axes.log_min) + i);
    else std::snprintf(label, sizeof label, "%.1f", far);
    figure.x_tick_label(label, bottom, 14);
  }
  figure.frame(options.log_far ? "FAR (log)" : "FAR", 30, "TAR");
  figure.text(options.title, cv::Point(axes.area.x, 25), 0.6);

  // Curves as steps (the ROC of a finite sample is a staircase), then the legend.
  for (size_t c = 0; c < curves.size(); ++c) {
    const cv::Scalar colour = curve_colour(c);
    std::vector<cv::Point> points;
    for (size_t i = 0; i < curves[c].roc.size(); ++i) {
      const auto& p = curves[c].roc[i];
      if (i > 0) points.push_back(axes.to_pixel(p.far, curves[c].roc[i - 1].tar));
      points.push_back(axes.to_pixel(p.far, p.tar));
    }
    cv::polylines(figure.image(), points, false, colour, 2, cv::LINE_AA);
    const cv::Point key(axes.area.x + axes.area.width - 220, axes.area.y + axes.area.height - 20 - 20 * static_cast<int>(curves.size() - 1 - c));
    figure.legend_key(key, colour, curves[c].label);
  }
  figure.write(file);
}

}  // namespace facekit::eval
