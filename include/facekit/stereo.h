// Photometric stereo: the shape (surface normals, depth) and reflectance
// (albedo) of a still face from three or more images, each lit by one distant
// point light, under the Lambertian model  I = albedo · max(0, n · l).
//
// Frame: x to the image's right, y to the image's top, z toward the camera.
// Normals and lights are unit vectors in it; a normal facing the camera is
// (0, 0, 1). Depth z(x, y) is height toward the camera in pixel units,
// defined up to an additive constant (fixed by a zero mean over the mask).
//
// Images are single-channel CV_32F with values in [0, 1] (8-bit ÷ 255).
// Maps are CV_32F (CV_32FC3 for normals) of the images' size; a CV_8U mask
// (255 = reliable) says where they are defined, and they are 0 elsewhere.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/nn/tensor.h"

namespace facekit::stereo {

// ---- Lights (src/stereo/lights.cc) ----------------------------------------

// The unit direction toward a light at `azimuth_deg` and `elevation_deg`,
// Extended Yale B convention: azimuth positive to the subject's right (the
// image's left), elevation positive upward; (0, 0) is the camera axis.
// Throws Error ("light: ...") for an azimuth outside −180..180° or an
// elevation outside −90..90° (NaN and infinity included).
cv::Vec3d light_from_azimuth_elevation(double azimuth_deg, double elevation_deg);

// The light a Yale B file name encodes (`..._P00A+035E-20.pgm` → azimuth 35°,
// elevation −20°), or nullopt when the name does not end in an `A±…E±…` code
// (the `_Ambient` image, say). Only the file name part of `path` is read.
// Throws Error naming the file for a code that is not exactly `A±dddE±dd`
// (E+200) or lies outside the dome (A+400, E+95).
std::optional<cv::Vec3d> yaleb_light(const std::string& path);

// Whether `path` names a Yale B ambient (unlit) image: `..._Ambient.<ext>`.
bool is_yaleb_ambient(const std::string& path);

// Reads a light file: one light per non-blank line, in image order; `#`
// starts a comment. A line holds either three numbers, a direction
// (normalised here), or two, azimuth and elevation in degrees as above.
// Throws Error naming the file and line for anything else, a zero
// direction, an azimuth or elevation outside the dome (as
// light_from_azimuth_elevation), or a file that cannot be read or holds no
// light.
std::vector<cv::Vec3d> read_lights(const std::string& path);

// Writes lights in the format read_lights reads (three numbers a line).
void write_lights(const std::string& path, const std::vector<cv::Vec3d>& lights);

// ---- Input (src/stereo/input.cc) ------------------------------------------

// Memory bounds. Working memory grows with the pixels of one image (the
// depth integrators: a sparse Cholesky factor or FFTs of twice the image) and
// with images × pixels (the input, held as float32). The limits are far above
// a face (Yale B: 168x192, 64 images) and keep a run within the budget
// docs/stereo.md gives.
constexpr int64_t kMaxStereoPixels = 1'000'000;        // per image (1000x1000)
constexpr int64_t kMaxStereoSamples = 256'000'000;     // images × pixels: 1 GiB of float32
// Throws Error naming `context` when `size` is over kMaxStereoPixels or
// `images` of it over kMaxStereoSamples, saying by how much and that the
// images should be downscaled (or fewer given).
void check_stereo_size(cv::Size size, size_t images, const std::string& context);

struct PhotometricInput {
  std::vector<cv::Mat> images;    // CV_32F in [0, 1], one size, one per light
  std::vector<cv::Vec3d> lights;  // unit directions; empty in uncalibrated mode
  std::vector<std::string> names; // for error messages; may be empty
  cv::Mat ambient;                // CV_32F unlit image, subtracted; may be empty
  cv::Mat region;                 // CV_8U where to solve (255); empty = everywhere
};

// Reads an image file as a grey CV_32F image in [0, 1]; throws Error as
// read_image does.
cv::Mat read_grey(const std::string& path);

// Reads image files as grey [0, 1] images. With `lights_file`, the lights
// come from it (one per image); with `yaleb`, from the file names, and a
// `_Ambient` image among `paths` becomes the ambient image — left out, with a
// notice (notice.h), when its size differs from the lit images' (the public
// set has 640x480 ambient frames beside 168x192 crops); with neither, lights
// stay empty (uncalibrated). Any number of lit images is read (solve() needs
// 3). Throws Error naming the file for an unreadable image, a lit image whose
// size differs from the first, a Yale B name without a light code or with one
// outside the dome, or a light count that differs from the image count; and
// as check_stereo_size for too many pixels (checked from the first image's
// size, before the others are read).
PhotometricInput read_input(const std::vector<std::string>& paths, const std::string& lights_file, bool yaleb);

// ---- Calibrated solve (src/stereo/solve.cc) --------------------------------

struct SolveOptions {
  // After ambient subtraction, an observation darker than this is taken to
  // be in attached or cast shadow and left out.
  double dark = 0.02;
  // A raw observation at or above this is taken to be saturated (a highlight
  // or clipping) and left out.
  double saturated = 0.98;
  // After a first solve, observations whose predicted shading is below
  // `dark` are left out too (noise can lift a shadowed pixel above `dark`),
  // and the pixel is solved again; this many times.
  int refinements = 2;
  // A pixel is reliable when its kept lights span 3-D well: the smallest
  // singular value of its kept light matrix over the largest is at least
  // this. The whole light set must meet it too, or solve throws.
  double min_conditioning = 0.05;
};

struct StereoResult {
  cv::Mat normals;   // CV_32FC3 unit normals (x, y, z) in the frame above
  cv::Mat albedo;    // CV_32F, in image units (an albedo-1 face-on pixel lit head-on reads 1)
  cv::Mat mask;      // CV_8U 255 where ≥ 3 well-spread lights were kept and albedo > 0
  cv::Mat residual;  // CV_32F RMS of (observed − rendered) over the kept observations
  cv::Mat kept;      // CV_8U number of observations kept per pixel
};

// Per-pixel least squares for g = albedo · n over the kept observations
// (shadowed and saturated ones get weight 0; see SolveOptions). Throws Error
// as check_stereo_size, and for fewer than 3 images, images of different
// sizes or types, a light count that differs from the image count, a zero
// light, or a light set that does not span 3-D (coplanar or repeated lights).
// Pixels that cannot be solved (too few lit observations, all dark,
// ill-conditioned kept lights) are masked out, not errors.
StereoResult solve(const PhotometricInput& input, const SolveOptions& options = {});

// ---- Depth (src/stereo/integrate.cc) --------------------------------------

// Surface gradients (∂z/∂x, ∂z/∂y) in the frame above from unit normals;
// normals within ~6° of edge-on are clamped so the gradient stays finite.
// Both CV_32F; 0 outside `mask`.
void normals_to_gradients(const cv::Mat& normals, const cv::Mat& mask, cv::Mat& dzdx, cv::Mat& dzdy);

// Frankot–Chellappa: the integrable surface nearest the gradients in the
// least-squares sense, through the FFT. The gradient field is mirrored to
// twice its size so that it is periodic without a seam. Gradients outside
// `mask` count as 0. Returns CV_32F depth, zero mean over the mask, 0 outside.
// Throws Error when the mask is empty, or as check_stereo_size.
cv::Mat integrate_frankot_chellappa(const cv::Mat& normals, const cv::Mat& mask);

// Masked Poisson: least squares over the mask only, each pair of neighbouring
// mask pixels giving one equation (depth difference = mean gradient), solved
// with a sparse Cholesky factorisation; unaffected by what lies outside the
// mask. Each connected part of the mask gets zero mean. Returns CV_32F depth,
// 0 outside the mask. Throws Error when the mask is empty, or as
// check_stereo_size.
cv::Mat integrate_poisson(const cv::Mat& normals, const cv::Mat& mask);

// ---- Re-rendering (src/stereo/render.cc) ----------------------------------

// The Lambertian image of the recovered face under `light` (a direction; its
// length scales the intensity): albedo · max(0, n · light), 0 outside the
// mask. Attached shadows only: cast shadows need the depth and are not drawn.
// Throws Error for a light that is not finite or a result not from solve().
cv::Mat render(const StereoResult& result, const cv::Vec3d& light);

// ---- Outputs (src/stereo/outputs.cc) --------------------------------------

// Normals as 8-bit RGB: channel = (component + 1) / 2 · 255 (x→R, y→G, z→B),
// black outside the mask.
cv::Mat normals_to_rgb(const cv::Mat& normals, const cv::Mat& mask);

// A CV_32F map as 8-bit grey: 0 at 0, 255 at the 99.5th percentile of the
// values inside the mask (so a few highlights do not dim the rest).
cv::Mat map_to_grey(const cv::Mat& map, const cv::Mat& mask);

// Depth as 16-bit grey: the mask's lowest depth at 1, its highest at 65535,
// 0 outside the mask.
cv::Mat depth_to_u16(const cv::Mat& depth, const cv::Mat& mask);

// Writes a CV_32F map of 1 or 3 channels as a NumPy .npy file (version 1.0,
// little-endian float32, shape (H, W) or (H, W, C)). Throws Error naming the
// file when it cannot be written.
void write_npy(const std::string& path, const cv::Mat& map);

// Writes a 16-bit PNG (or other 16-bit format by extension); throws Error
// naming the file on failure.
void write_u16(const std::string& path, const cv::Mat& u16);

// Writes the depth as a binary little-endian PLY triangle mesh: one vertex
// per mask pixel at (column, −row, depth) (so y is up), coloured by the
// albedo (grey, scaled as map_to_grey), and two triangles for each 2×2 block
// of mask pixels, facing the camera.
// Throws Error naming the file when it cannot be written.
void write_ply(const std::string& path, const cv::Mat& depth, const cv::Mat& albedo, const cv::Mat& mask);

// ---- Uncalibrated (src/stereo/uncalibrated.cc) ----------------------------

struct UncalibratedResult {
  std::vector<cv::Vec3d> lights;  // estimated unit directions, one per image
  // Lambertian images fix shape and lights only up to a generalised
  // bas-relief transform G = [[1,0,0],[0,1,0],[μ,ν,λ]] (Belhumeur, Kriegman,
  // Yuille 1999): n ↦ G⁻ᵀn, l ↦ Gl give the same images and an integrable
  // surface. The transform is resolved by assuming every light has the same
  // intensity (true for Yale B's strobe), the sign by the lights facing the
  // camera. These are the fitted μ, ν, λ
  // applied to the integrability solution, up to a common scale.
  double mu = 0, nu = 0, lambda = 1;
  int core_images = 0;  // images of the core (below)
  int pixels_used = 0;  // pixels lit in every core image, from which the SVD is taken
};

// Estimates the lights from the images alone. A core of images is taken —
// those lighting the most pixels, added while a third of the best-lit
// image's pixels stay lit in all of them, at least 6 — and from the pixels
// lit (not dark, not saturated) in every core image: a rank-3 SVD, the 3×3
// ambiguity cut to a GBR by the integrability of the pseudo-normal field
// (Yuille & Snow 1997), the GBR fixed by equal light intensities, and the
// remaining convex/concave flip by taking the face to bulge toward the
// camera (normals point away from the middle of the lit region). Each other
// image's light is then fitted to the core's pseudo-normals over the core
// pixels it lights. solve() with these lights gives the maps. Throws Error
// for fewer than 6 images (the intensity fit has 6 unknowns), fewer than
// 100 pixels lit in every core image, an image lighting fewer than 20 of
// them, or no consistent solution.
UncalibratedResult estimate_lights(const PhotometricInput& input, const SolveOptions& options = {});

// ---- Stacked maps for recognition and training (src/stereo/stack.cc) ------

struct StackOptions {
  SolveOptions solve;
  bool poisson = true;  // depth by the masked Poisson integrator, else Frankot–Chellappa
};

struct FaceMaps {
  StereoResult stereo;
  cv::Mat depth;  // CV_32F, zero mean over stereo.mask
  // [1, H, W, 5] float32, channels: albedo (÷ its 99.5th percentile in the
  // mask, so about [0, 1]), normal x, y, z (in [−1, 1]), depth (÷ its
  // standard deviation in the mask); all 0 outside the mask.
  nn::Tensor stacked;
};

// The preprocessing entry point: images under known lights (or none, then
// estimated as estimate_lights does) → normals, albedo, depth and the
// stacked network input. Throws Error as solve does.
FaceMaps face_maps(const PhotometricInput& input, const StackOptions& options = {});

}  // namespace facekit::stereo
