// Light directions: azimuth/elevation, Yale B file names, light files.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <regex>
#include <sstream>

#include "facekit/error.h"
#include "facekit/stereo.h"

namespace facekit::stereo {

cv::Vec3d light_from_azimuth_elevation(double azimuth_deg, double elevation_deg) {
  check(std::isfinite(azimuth_deg) && azimuth_deg >= -180 && azimuth_deg <= 180, "light",
        "azimuth " + std::to_string(azimuth_deg) + "° is outside -180..180°");
  check(std::isfinite(elevation_deg) && elevation_deg >= -90 && elevation_deg <= 90, "light",
        "elevation " + std::to_string(elevation_deg) + "° is outside -90..90°");
  const double a = azimuth_deg * std::numbers::pi / 180, e = elevation_deg * std::numbers::pi / 180;
  // Yale B's positive azimuth lights the image's left half (checked on the
  // shading of yaleB01 at ±70°), so it points along −x.
  return {-std::cos(e) * std::sin(a), std::sin(e), std::cos(e) * std::cos(a)};
}

std::optional<cv::Vec3d> yaleb_light(const std::string& path) {
  // The code ends the name (yaleB01_P00A+035E-20.pgm); its digits are read
  // whole, so that E+200 is not taken for E+20.
  static const std::regex code(R"(A([+-]\d+)E([+-]\d+)$)");
  const std::string stem = std::filesystem::path(path).stem().string();
  std::smatch m;
  if (!std::regex_search(stem, m, code)) return std::nullopt;
  const std::string azimuth = m[1].str(), elevation = m[2].str();
  check(azimuth.size() == 4 && elevation.size() == 3, path,
        "the Yale B light code A" + azimuth + "E" + elevation + " is not A±dddE±dd");
  try {
    return light_from_azimuth_elevation(std::stod(azimuth), std::stod(elevation));
  } catch (const Error& e) {
    throw Error(path + ": the Yale B light code A" + azimuth + "E" + elevation + ": " + e.what());
  }
}

bool is_yaleb_ambient(const std::string& path) {
  return std::filesystem::path(path).stem().string().ends_with("_Ambient");
}

std::vector<cv::Vec3d> read_lights(const std::string& path) {
  std::ifstream in(path);
  check(in.good(), path, "cannot open the light file");
  std::vector<cv::Vec3d> lights;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number);
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::vector<double> values;
    std::string field;
    while (fields >> field) {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(field, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      check(used == field.size() && std::isfinite(v), where, "'" + field + "' is not a number");
      values.push_back(v);
    }
    if (values.empty()) continue;
    if (values.size() == 2) {
      try {
        lights.push_back(light_from_azimuth_elevation(values[0], values[1]));
      } catch (const Error& e) {
        throw Error(where + ": " + e.what());
      }
    } else if (values.size() == 3) {
      const cv::Vec3d d(values[0], values[1], values[2]);
      check(cv::norm(d) > 1e-12, where, "the light direction is zero");
      lights.push_back(d / cv::norm(d));
    } else {
      throw Error(where + ": expected 3 numbers (x y z) or 2 (azimuth elevation in degrees), found " +
                  std::to_string(values.size()));
    }
  }
  check(!lights.empty(), path, "the light file holds no light");
  return lights;
}

void write_lights(const std::string& path, const std::vector<cv::Vec3d>& lights) {
  std::ofstream out(path);
  out << "# light directions x y z (x right, y up, z toward the camera), one per image\n";
  out.precision(6);
  for (const cv::Vec3d& l : lights) out << l[0] << " " << l[1] << " " << l[2] << "\n";
  check(out.good(), path, "cannot write the light file");
}

}  // namespace facekit::stereo
