// The reliability diagram drawn with OpenCV.
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/attribute_eval.h"
#include "facekit/error.h"

namespace facekit::eval {

namespace {

constexpr int kWidth = 700, kHeight = 640;

const std::vector<cv::Scalar>& colours() {  // RGB, distinct on white
  static const std::vector<cv::Scalar> c = {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {255, 127, 14},
                                            {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};
  return c;
}

void text(cv::Mat& image, const std::string& s, cv::Point at, double scale = 0.45) {
  cv::putText(image, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
}

}  // namespace

void write_reliability_plot(const std::filesystem::path& file, const std::vector<ReliabilityCurve>& curves,
                            const std::string& title) {
  check(!curves.empty(), file.string(), "no reliability curve to plot");
  cv::Mat image(kHeight, kWidth, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Rect area(70, 40, kWidth - 100, kHeight - 100);
  const auto to_pixel = [&](double confidence, double accuracy) {
    return cv::Point2d(area.x + confidence * area.width, area.y + (1 - accuracy) * area.height);
  };
  const cv::Scalar grid(225, 225, 225);
  char label[32];
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    cv::line(image, to_pixel(0, v), to_pixel(1, v), grid);
    cv::line(image, to_pixel(v, 0), to_pixel(v, 1), grid);
    std::snprintf(label, sizeof label, "%.1f", v);
    const cv::Point2d left = to_pixel(0, v), bottom = to_pixel(v, 0);
    text(image, label, cv::Point(static_cast<int>(left.x) - 35, static_cast<int>(left.y) + 5));
    text(image, label, cv::Point(static_cast<int>(bottom.x) - 12, static_cast<int>(bottom.y) + 18));
  }
  cv::rectangle(image, area, cv::Scalar(0, 0, 0));
  cv::line(image, to_pixel(0, 0), to_pixel(1, 1), cv::Scalar(150, 150, 150), 1, cv::LINE_AA);  // perfect calibration
  text(image, "predicted probability of the answer given", cv::Point(area.x + area.width / 2 - 170, kHeight - 20), 0.5);
  text(image, "share correct", cv::Point(10, area.y - 12), 0.5);
  text(image, title, cv::Point(area.x + 120, 25), 0.55);

  // Each curve joins its non-empty bins; a dot's area follows the bin's share of the faces.
  for (size_t c = 0; c < curves.size(); ++c) {
    const cv::Scalar colour = colours()[c % colours().size()];
    const Reliability& r = curves[c].reliability;
    std::vector<cv::Point> points;
    for (const ReliabilityBin& bin : r.bins) {
      if (bin.count == 0) continue;
      const cv::Point2d p = to_pixel(bin.confidence, bin.accuracy);
      points.push_back(p);
      const int radius = 2 + static_cast<int>(std::lround(10 * std::sqrt(static_cast<double>(bin.count) / r.count)));
      cv::circle(image, p, radius, colour, cv::FILLED, cv::LINE_AA);
    }
    cv::polylines(image, points, false, colour, 2, cv::LINE_AA);
    char legend[160];
    std::snprintf(legend, sizeof legend, "%s (ECE %.3f, n %lld)", curves[c].label.c_str(), r.ece,
                  static_cast<long long>(r.count));
    const cv::Point key(area.x + 15, area.y + 20 + 20 * static_cast<int>(c));  // top left: below the diagonal's far end
    cv::line(image, key, key + cv::Point(25, 0), colour, 2, cv::LINE_AA);
    text(image, legend, key + cv::Point(32, 5));
  }
  cv::Mat bgr;
  cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR);
  bool written = false;
  try {
    written = cv::imwrite(file.string(), bgr);
  } catch (const cv::Exception& e) {  // e.g. an extension no encoder claims
    throw Error(file.string() + ": cannot be written (" + e.what() + ")");
  }
  check(written, file.string(), "cannot be written (missing folder or no permission?)");
}

}  // namespace facekit::eval
