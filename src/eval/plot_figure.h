// What the evaluation's plots (ROC, reliability diagram) share: a white RGB
// figure whose plot area sits inside margins left for tick labels and titles,
// grid, labels and legend keys in one style, the curves' colours, and the
// image write.
#pragma once

#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

namespace facekit::eval {

class PlotFigure {
 public:
  // A white `width` × `height` RGB image. Its plot area leaves 70 pixels on
  // the left (tick labels), 40 on top (the titles), 30 on the right and 60 at
  // the bottom (tick labels, the x axis title). The caller checks the size.
  PlotFigure(int width, int height);

  const cv::Rect& area() const { return area_; }
  cv::Mat& image() { return image_; }

  // Black text whose baseline starts at `at`.
  void text(const std::string& s, cv::Point at, double scale = 0.45);
  // A light grey grid line.
  void grid_line(cv::Point2d from, cv::Point2d to);
  // A tick label left of the point `at` on the y axis.
  void y_tick_label(const std::string& label, cv::Point2d at);
  // A tick label below the point `at` on the x axis, moved left by `shift`
  // pixels (about half its width).
  void x_tick_label(const std::string& label, cv::Point2d at, int shift);
  // The plot area's frame, the x axis title below it (moved left from the
  // centre by `x_shift` pixels, about half its width) and the y axis title
  // above the axis.
  void frame(const std::string& x_title, int x_shift, const std::string& y_title);
  // A legend entry at `at`: a short line in the curve's colour, its label right of it.
  void legend_key(cv::Point at, const cv::Scalar& colour, const std::string& label);

  // Writes the image to `file` in the format its extension names. Throws
  // Error naming the file when it cannot be written (no such folder, no
  // permission, an extension no encoder claims).
  void write(const std::filesystem::path& file) const;

 private:
  cv::Mat image_;
  cv::Rect area_;
};

// The colour of curve `index`: RGB, distinct on white, repeating after eight.
cv::Scalar curve_colour(size_t index);

}  // namespace facekit::eval
