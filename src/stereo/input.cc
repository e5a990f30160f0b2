// Reading a photometric stereo input from image files.
#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/stereo.h"

namespace facekit::stereo {

cv::Mat read_grey(const std::string& path) {
  const cv::Mat rgb = read_image(path);
  cv::Mat grey, unit;
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  grey.convertTo(unit, CV_32F, 1.0 / 255);
  return unit;
}

PhotometricInput read_input(const std::vector<std::string>& paths, const std::string& lights_file, bool yaleb) {
  PhotometricInput input;
  for (const std::string& path : paths) {
    cv::Mat image = read_grey(path);
    const cv::Mat& first = input.images.empty() ? input.ambient : input.images.front();
    if (!first.empty() && first.size() != image.size())
      throw Error(path + ": image is " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                  ", the others " + std::to_string(first.cols) + "x" + std::to_string(first.rows));
    if (yaleb && is_yaleb_ambient(path)) {
      input.ambient = image;
      continue;
    }
    if (yaleb) {
      const auto light = yaleb_light(path);
      check(light.has_value(), path, "the name has no Yale B light code (A±dddE±dd)");
      input.lights.push_back(*light);
    }
    input.images.push_back(image);
    input.names.push_back(path);
  }
  if (!lights_file.empty()) {
    input.lights = read_lights(lights_file);
    check(input.lights.size() == input.images.size(), lights_file,
          std::to_string(input.lights.size()) + " lights for " + std::to_string(input.images.size()) + " images");
  }
  return input;
}

}  // namespace facekit::stereo
