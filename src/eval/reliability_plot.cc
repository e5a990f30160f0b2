// The reliability diagram drawn with OpenCV.
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "eval/plot_figure.h"
#include "facekit/attribute_eval.h"
#include "facekit/error.h"

namespace facekit::eval {

void write_reliability_plot(const std::filesystem::path& file, const std::vector<ReliabilityCurve>& curves,
                            const std::string& title) {
  check(!curves.empty(), file.string(), "no reliability curve to plot");
  PlotFigure figure(700, 640);
  const cv::Rect area = figure.area();
  const auto to_pixel = [&](double confidence, double accuracy) {
    return cv::Point2d(area.x + confidence * area.width, area.y + (1 - accuracy) * area.height);
  };
  char label[32];
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    figure.grid_line(to_pixel(0, v), to_pixel(1, v));
    figure.grid_line(to_pixel(v, 0), to_pixel(v, 1));
    std::snprintf(label, sizeof label, "%.1f", v);
    figure.y_tick_label(label, to_pixel(0, v));
    figure.x_tick_label(label, to_pixel(v, 0), 12);
  }
  figure.frame("predicted probability of the answer given", 170, "share correct");
  cv::line(figure.image(), to_pixel(0, 0), to_pixel(1, 1), cv::Scalar(150, 150, 150), 1, cv::LINE_AA);  // perfect calibration
  figure.text(title, cv::Point(area.x + 120, 25), 0.55);

  // Each curve joins its non-empty bins; a dot's area follows the bin's share of the faces.
  for (size_t c = 0; c < curves.size(); ++c) {
    const cv::Scalar colour = curve_colour(c);
    const Reliability& r = curves[c].reliability;
    std::vector<cv::Point> points;
    for (const ReliabilityBin& bin : r.bins) {
      if (bin.count == 0) continue;
      const cv::Point2d p = to_pixel(bin.confidence, bin.accuracy);
      points.push_back(p);
      const int radius = 2 + static_cast<int>(std::lround(10 * std::sqrt(static_cast<double>(bin.count) / r.count)));
      cv::circle(figure.image(), p, radius, colour, cv::FILLED, cv::LINE_AA);
    }
    cv::polylines(figure.image(), points, false, colour, 2, cv::LINE_AA);
    char legend[160];
    std::snprintf(legend, sizeof legend, "%s (ECE %.3f, n %lld)", curves[c].label.c_str(), r.ece,
                  static_cast<long long>(r.count));
    const cv::Point key(area.x + 15, area.y + 20 + 20 * static_cast<int>(c));  // top left: below the diagonal's far end
    figure.legend_key(key, colour, legend);
  }
  figure.write(file);
}

}  // namespace facekit::eval
