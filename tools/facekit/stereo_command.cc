#include "stereo_command.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/engine.h"

namespace facekit::cli {

namespace {

namespace fs = std::filesystem;

// Files as named; folders as the image files in them, sorted.
std::vector<std::string> image_paths(const std::vector<std::string>& inputs) {
  std::vector<std::string> paths;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      paths.push_back(input);
      continue;
    }
    const auto found = list_image_files(input, [](const std::string&) {});
    check(!found.empty(), input, "folder holds no image files");
    paths.insert(paths.end(), found.begin(), found.end());
  }
  return paths;
}

// "AZ,EL" in degrees → a light; Error naming the option otherwise.
cv::Vec3d parse_render_light(const std::string& text) {
  double azimuth = 0, elevation = 0;
  char comma = 0, extra = 0;
  const int fields = std::sscanf(text.c_str(), "%lf %c %lf %c", &azimuth, &comma, &elevation, &extra);
  check(fields == 3 && comma == ',', "--render " + text, "expected AZIMUTH,ELEVATION in degrees, e.g. 35,-20");
  try {
    return stereo::light_from_azimuth_elevation(azimuth, elevation);
  } catch (const Error& e) {
    throw Error("--render " + text + ": " + e.what());
  }
}

void write_grey(const std::string& path, const cv::Mat& grey) {
  cv::Mat rgb;
  cv::cvtColor(grey, rgb, cv::COLOR_GRAY2RGB);
  write_image(path, rgb);
}

}  // namespace

CLI::App* add_stereo_command(CLI::App& app, StereoCommandOptions& options) {
  auto* cmd = app.add_subcommand("stereo", "photometric stereo: normals, albedo and depth from images under known lights");
  cmd->add_option("images", options.inputs, "images (or folders of images) of one still face, one light each")
      ->required();
  auto* lights = cmd->add_option("--lights", options.lights,
                                 "light file: per image, 'x y z' or 'azimuth elevation' (degrees), in image order");
  auto* yaleb = cmd->add_flag("--yaleb", options.yaleb,
                              "lights from Extended Yale B names (..._P00A+035E-20.pgm); _Ambient is subtracted");
  lights->excludes(yaleb);
  cmd->add_option("--ambient", options.ambient, "unlit image of the same face, subtracted from every image");
  cmd->add_option("--out", options.out, "output folder")->required();
  cmd->add_option("--integrator", options.integrator, "depth from normals: poisson | fc (Frankot-Chellappa)")
      ->check(CLI::IsMember({"poisson", "fc"}))
      ->capture_default_str();
  cmd->add_option("--render", options.renders, "also re-render under these lights, AZIMUTH,ELEVATION in degrees");
  cmd->add_option("--dark", options.solve.dark, "observations darker than this (0..1) count as shadow")
      ->capture_default_str();
  cmd->add_option("--saturated", options.solve.saturated, "observations at or above this (0..1) count as saturated")
      ->capture_default_str();
  return cmd;
}

int run_stereo(const StereoCommandOptions& options) {
  std::vector<cv::Vec3d> renders;
  for (const std::string& text : options.renders) renders.push_back(parse_render_light(text));
  stereo::PhotometricInput input = stereo::read_input(image_paths(options.inputs), options.lights, options.yaleb);
  if (!options.ambient.empty()) {
    input.ambient = stereo::read_grey(options.ambient);
    check(input.ambient.size() == input.images.front().size(), options.ambient,
          "the ambient image's size differs from the lit images'");
  }
  const bool calibrated = !input.lights.empty();
  if (!calibrated) input.lights = stereo::estimate_lights(input, options.solve).lights;
  const stereo::StereoResult result = stereo::solve(input, options.solve);
  const int reliable = cv::countNonZero(result.mask);
  check(reliable > 0, "photometric stereo", "no pixel could be solved (all dark, saturated or shadowed)");
  const cv::Mat depth = options.integrator == "fc" ? stereo::integrate_frankot_chellappa(result.normals, result.mask)
                                                   : stereo::integrate_poisson(result.normals, result.mask);

  std::error_code ec;
  fs::create_directories(options.out, ec);
  check(!ec, options.out, "cannot create the folder: " + ec.message());
  const fs::path dir(options.out);
  auto at = [&](const std::string& name) { return (dir / name).string(); };
  write_image(at("normals.png"), stereo::normals_to_rgb(result.normals, result.mask));
  stereo::write_npy(at("normals.npy"), result.normals);
  write_grey(at("albedo.png"), stereo::map_to_grey(result.albedo, result.mask));
  stereo::write_npy(at("albedo.npy"), result.albedo);
  stereo::write_u16(at("depth.png"), stereo::depth_to_u16(depth, result.mask));
  stereo::write_npy(at("depth.npy"), depth);
  stereo::write_ply(at("mesh.ply"), depth, result.albedo, result.mask);
  write_grey(at("residual.png"), stereo::map_to_grey(result.residual, result.mask));
  stereo::write_npy(at("residual.npy"), result.residual);
  write_grey(at("mask.png"), result.mask);
  stereo::write_lights(at("lights.txt"), input.lights);
  for (size_t i = 0; i < renders.size(); ++i) {
    cv::Mat grey;
    stereo::render(result, renders[i]).convertTo(grey, CV_8U, 255);
    write_grey(at("render_" + std::to_string(i + 1) + ".png"), grey);
  }
  std::printf("%zu images, lights %s; %d of %zu pixels reliable (%.0f%%), mean residual %.2f grey levels; wrote %s\n",
              input.images.size(), calibrated ? "given" : "estimated (uncalibrated)", reliable, result.mask.total(),
              100.0 * reliable / static_cast<double>(result.mask.total()), 255 * cv::mean(result.residual, result.mask)[0],
              options.out.c_str());
  return 0;
}

}  // namespace facekit::cli
