// --far: a calibration's threshold for a target false accept rate.
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "facekit/error.h"
#include "facekit/match.h"

namespace facekit {

namespace {

// "1e-3" → 0.001; nullopt unless the whole key is a number in (0, 1).
std::optional<double> rate_of(const std::string& key) {
  char* end = nullptr;
  const double rate = std::strtod(key.c_str(), &end);
  if (key.empty() || end != key.c_str() + key.size() || !(rate > 0 && rate < 1)) return std::nullopt;
  return rate;
}

}  // namespace

FarChoice threshold_for_far(const Calibration& calibration, double target_far) {
  std::ostringstream target;
  target << target_far;
  check(target_far > 0 && target_far < 1, "--far", "must be a false accept rate in (0, 1), got " + target.str());
  const std::string context = "model " + calibration.model + ", metric " + metric_name(calibration.metric);
  check(!calibration.far_thresholds.empty(), context,
        "has no FAR table to choose a threshold from (pass --threshold, or run `facekit calibrate` on pairs with "
        "enough impostors)");
  std::optional<FarChoice> best;
  double best_rate = 0, smallest = 1;
  for (const auto& [key, threshold] : calibration.far_thresholds) {
    const std::optional<double> rate = rate_of(key);
    check(rate.has_value(), context, "FAR table key '" + key + "' is not a rate in (0, 1)");
    smallest = std::min(smallest, *rate);
    if (*rate <= target_far && *rate > best_rate) best_rate = *rate, best = FarChoice{key, threshold};
  }
  std::ostringstream low;
  low << smallest;
  check(best.has_value(), context,
        "its FAR table goes down to " + low.str() + " only, above --far " + target.str() + " (pass --threshold)");
  return *best;
}

}  // namespace facekit
