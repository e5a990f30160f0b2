// Reading a photometric stereo input from image files.
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/notice.h"
#include "facekit/stereo.h"

namespace facekit::stereo {
namespace {

std::string size_text(cv::Size size) { return std::to_string(size.width) + "x" + std::to_string(size.height); }
std::string size_text(const cv::Mat& image) { return size_text(image.size()); }

}  // namespace

void check_stereo_size(cv::Size size, size_t images, const std::string& context) {
  const int64_t pixels = static_cast<int64_t>(size.width) * size.height;
  auto megapixels = [](double n) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MP", n / 1e6);
    return std::string(text);
  };
  check(pixels <= kMaxStereoPixels, context,
        size_text(size) + " images (" + megapixels(static_cast<double>(pixels)) +
            ") are over photometric stereo's memory bound of " + megapixels(kMaxStereoPixels) +
            " per image: downscale them (a face needs far fewer pixels)");
  check(pixels * static_cast<int64_t>(images) <= kMaxStereoSamples, context,
        std::to_string(images) + " images of " + size_text(size) + " are over photometric stereo's memory bound of " +
            std::to_string(kMaxStereoSamples / 1'000'000) + " M samples (images × pixels): give fewer or smaller images");
}

cv::Mat read_grey(const std::string& path) {
  const cv::Mat rgb = read_image(path);
  cv::Mat grey, unit;
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  grey.convertTo(unit, CV_32F, 1.0 / 255);
  return unit;
}

PhotometricInput read_input(const std::vector<std::string>& paths, const std::string& lights_file, bool yaleb) {
  PhotometricInput input;
  std::string ambient_path;
  for (const std::string& path : paths) {
    cv::Mat image = read_grey(path);
    if (yaleb && is_yaleb_ambient(path)) {
      input.ambient = image;
      ambient_path = path;
      continue;
    }
    if (input.images.empty()) check_stereo_size(image.size(), paths.size(), path);
    if (!input.images.empty() && input.images.front().size() != image.size())
      throw Error(path + ": image is " + size_text(image) + ", the others " + size_text(input.images.front()));
    if (yaleb) {
      const auto light = yaleb_light(path);
      check(light.has_value(), path, "the name has no Yale B light code (A±dddE±dd)");
      input.lights.push_back(*light);
    }
    input.images.push_back(image);
    input.names.push_back(path);
  }
  // The public Cropped Extended Yale B keeps some subjects' uncropped
  // 640x480 ambient frame beside their 168x192 crops: it cannot be
  // subtracted, and the lit images are usable without it.
  if (!input.ambient.empty() && !input.images.empty() && input.ambient.size() != input.images.front().size()) {
    notice(ambient_path + ": the ambient image is " + size_text(input.ambient) + ", the lit images " +
           size_text(input.images.front()) + ": left out (nothing subtracted)");
    input.ambient.release();
  }
  if (!lights_file.empty()) {
    input.lights = read_lights(lights_file);
    check(input.lights.size() == input.images.size(), lights_file,
          std::to_string(input.lights.size()) + " lights for " + std::to_string(input.images.size()) + " images");
  }
  return input;
}

}  // namespace facekit::stereo
