// `facekit stereo IMG... [--lights FILE | --yaleb] --out DIR`: photometric
// stereo from images of a still face under different lights — normal map,
// albedo, depth, mesh, residuals and re-renderings written to DIR.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "facekit/stereo.h"

namespace facekit::cli {

struct StereoCommandOptions {
  std::vector<std::string> inputs;  // image files and folders
  std::string lights;               // light file (see stereo::read_lights)
  bool yaleb = false;               // lights from Yale B file names, `_Ambient` subtracted
  std::string ambient;              // unlit image to subtract
  std::string out;                  // output folder, created if needed
  std::string integrator = "poisson";  // poisson | fc
  std::vector<std::string> renders;    // "AZ,EL" lights to re-render under (degrees)
  stereo::SolveOptions solve;
};

// Adds the `stereo` subcommand to `app`, filling `options` when parsed.
CLI::App* add_stereo_command(CLI::App& app, StereoCommandOptions& options);

// Runs it: with neither --lights nor --yaleb the lights are estimated
// (uncalibrated, see stereo::estimate_lights). Writes normals.png/.npy,
// albedo.png/.npy, depth.png (16-bit)/.npy, mesh.ply, residual.png/.npy,
// mask.png, lights.txt and render_<n>.png (one per --render, in order),
// prints a summary; returns
// 0. Throws Error naming the file and reason for any bad input.
int run_stereo(const StereoCommandOptions& options);

}  // namespace facekit::cli
