#include "eval/plot_figure.h"

#include <array>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"

namespace facekit::eval {

PlotFigure::PlotFigure(int width, int height)
    : image_(height, width, CV_8UC3, cv::Scalar(255, 255, 255)), area_(70, 40, width - 100, height - 100) {}

void PlotFigure::text(const std::string& s, cv::Point at, double scale) {
  cv::putText(image_, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
}

void PlotFigure::grid_line(cv::Point2d from, cv::Point2d to) { cv::line(image_, from, to, cv::Scalar(225, 225, 225)); }

void PlotFigure::y_tick_label(const std::string& label, cv::Point2d at) {
  text(label, cv::Point(static_cast<int>(at.x) - 35, static_cast<int>(at.y) + 5));
}

void PlotFigure::x_tick_label(const std::string& label, cv::Point2d at, int shift) {
  text(label, cv::Point(static_cast<int>(at.x) - shift, static_cast<int>(at.y) + 18));
}

void PlotFigure::frame(const std::string& x_title, int x_shift, const std::string& y_title) {
  cv::rectangle(image_, area_, cv::Scalar(0, 0, 0));
  text(x_title, cv::Point(area_.x + area_.width / 2 - x_shift, image_.rows - 20), 0.5);
  text(y_title, cv::Point(10, area_.y - 12), 0.5);
}

void PlotFigure::legend_key(cv::Point at, const cv::Scalar& colour, const std::string& label) {
  cv::line(image_, at, at + cv::Point(25, 0), colour, 2, cv::LINE_AA);
  text(label, at + cv::Point(32, 5));
}

void PlotFigure::write(const std::filesystem::path& file) const {
  cv::Mat bgr;
  cv::cvtColor(image_, bgr, cv::COLOR_RGB2BGR);
  bool written = false;
  try {
    written = cv::imwrite(file.string(), bgr);
  } catch (const cv::Exception& e) {  // e.g. an extension no encoder claims
    throw Error(file.string() + ": cannot be written (" + e.what() + ")");
  }
  check(written, file.string(), "cannot be written (missing folder or no permission?)");
}

cv::Scalar curve_colour(size_t index) {
  static const std::array<cv::Scalar, 8> colours = {cv::Scalar(31, 119, 180), cv::Scalar(214, 39, 40),
                                                    cv::Scalar(44, 160, 44),  cv::Scalar(255, 127, 14),
                                                    cv::Scalar(148, 103, 189), cv::Scalar(140, 86, 75),
                                                    cv::Scalar(227, 119, 194), cv::Scalar(127, 127, 127)};
  return colours[index % colours.size()];
}

}  // namespace facekit::eval
