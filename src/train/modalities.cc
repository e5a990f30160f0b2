#include "train/modalities.h"

#include <map>
#include <random>

#include <opencv2/imgproc.hpp>

#include "facekit/align.h"
#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/stereo.h"

namespace facekit::train {

namespace {

cv::Mat resized(const cv::Mat& image, int size) {
  cv::Mat out;
  const bool shrinking = image.cols > size || image.rows > size;
  cv::resize(image, out, cv::Size(size, size), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

// H×W×C float (contiguous) → C×H×W tensor.
torch::Tensor chw(const cv::Mat& hwc) {
  cv::Mat contiguous = hwc.isContinuous() ? hwc : hwc.clone();
  return torch::from_blob(contiguous.data, {contiguous.rows, contiguous.cols, contiguous.channels()}, torch::kFloat32)
      .permute({2, 0, 1})
      .clone();
}

// The image resized, or aligned as the runtime aligns a whole-image face
// when `landmarker` is given.
torch::Tensor image_channels(const std::string& path, int size, Landmarker* landmarker) {
  cv::Mat rgb = read_image(path), f;
  if (landmarker) {
    Face whole;
    whole.box = cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
    landmarker->locate(rgb, whole);
    rgb = align_face(rgb, whole, scaled_template(arcface_template(), size));
  } else {
    rgb = resized(rgb, size);
  }
  rgb.convertTo(f, CV_32FC3, 1 / 255.0);
  return chw(f);
}

// Photometric stereo from `paths` (the first is the sample's own image), at size².
torch::Tensor stereo_channels(const std::vector<std::string>& paths, int size) {
  stereo::PhotometricInput input;
  for (const std::string& path : paths) {
    const auto light = stereo::yaleb_light(path);
    check(light.has_value(), path, "has no Yale B light code (…A+035E-20…) for photometric stereo");
    input.images.push_back(resized(stereo::read_grey(path), size));
    input.lights.push_back(*light);
    input.names.push_back(path);
  }
  stereo::StackOptions options;
  options.poisson = false;  // Frankot–Chellappa: an FFT, fast enough to solve every sample
  const stereo::FaceMaps maps = stereo::face_maps(input, options);
  const nn::Tensor& t = maps.stacked;  // [1, H, W, 5]
  return torch::from_blob(const_cast<float*>(t.data<float>()), {size, size, 5}, torch::kFloat32).permute({2, 0, 1}).clone();
}

}  // namespace

std::vector<ChannelRole> Modalities::roles() const {
  std::vector<ChannelRole> roles;
  if (image) roles.insert(roles.end(), 3, ChannelRole::kIntensity);
  if (stereo)
    roles.insert(roles.end(), {ChannelRole::kIntensity, ChannelRole::kNormalX, ChannelRole::kGeometry,
                               ChannelRole::kGeometry, ChannelRole::kGeometry});
  return roles;
}

Modalities parse_modalities(const std::string& name) {
  if (name == "image") return {true, false};
  if (name == "stereo") return {false, true};
  if (name == "image+stereo") return {true, true};
  throw Error("modalities '" + name + "': unknown (available: image, stereo, image+stereo)");
}

std::vector<torch::Tensor> build_samples(const FaceFolder& folder, const std::vector<int>& members,
                                         const Modalities& modalities, int size, int stereo_images, uint64_t seed,
                                         bool align) {
  check(!align || !modalities.stereo, "align", "applies to the image modality only (stereo maps are not aligned)");
  const std::unique_ptr<Landmarker> landmarker = align ? make_landmarker() : nullptr;
  std::map<int, std::vector<int>> by_identity;  // the members of each identity
  for (int m : members) by_identity[folder.identity[m]].push_back(m);
  std::mt19937_64 rng(seed);
  std::vector<torch::Tensor> samples;
  samples.reserve(members.size());
  for (int m : members) {
    std::vector<torch::Tensor> parts;
    if (modalities.image) parts.push_back(image_channels(folder.images[m].string(), size, landmarker.get()));
    if (modalities.stereo) {
      std::vector<int> others = by_identity[folder.identity[m]];
      std::erase(others, m);
      check(static_cast<int>(others.size()) + 1 >= stereo_images, folder.images[m].string(),
            "its identity has " + std::to_string(others.size() + 1) + " images in this split, fewer than the " +
                std::to_string(stereo_images) + " a stereo solve takes");
      torch::Tensor maps;
      for (int attempt = 0; !maps.defined(); ++attempt) {
        std::shuffle(others.begin(), others.end(), rng);
        std::vector<std::string> paths = {folder.images[m].string()};
        for (int i = 0; i + 1 < stereo_images; ++i) paths.push_back(folder.images[others[i]].string());
        try {
          maps = stereo_channels(paths, size);
        } catch (const Error& e) {
          if (attempt == 7 || std::string(e.what()).find("light code") != std::string::npos) throw;
        }
      }
      parts.push_back(maps);
    }
    samples.push_back(torch::cat(parts, 0));
  }
  return samples;
}

torch::Tensor normalize_batch(const torch::Tensor& batch, const std::vector<ChannelRole>& roles) {
  std::vector<float> scale, offset;
  for (ChannelRole role : roles) {
    const bool intensity = role == ChannelRole::kIntensity;
    scale.push_back(intensity ? 255.f / 128.f : 1.f);
    offset.push_back(intensity ? -127.5f / 128.f : 0.f);
  }
  const auto shape = std::vector<int64_t>{1, static_cast<int64_t>(roles.size()), 1, 1};
  return batch * torch::tensor(scale).view(shape).to(batch.device()) + torch::tensor(offset).view(shape).to(batch.device());
}

}  // namespace facekit::train
