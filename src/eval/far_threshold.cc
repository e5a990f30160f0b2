// A threshold for a target false accept rate from impostor distances alone.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "facekit/error.h"
#include "facekit/eval.h"

namespace facekit::eval {

FarThreshold threshold_at_far(std::vector<double> impostor_distances, double target_far, const std::string& context) {
  check(target_far > 0 && target_far < 1, context, "a target false accept rate must lie in (0, 1), got " +
                                                        std::to_string(target_far));
  check(!impostor_distances.empty(), context, "has no impostor distances to read a false accept rate from");
  for (double d : impostor_distances)
    check(!std::isnan(d) && d >= 0, context, "holds a NaN or negative distance");
  std::sort(impostor_distances.begin(), impostor_distances.end());
  const auto n = static_cast<int64_t>(impostor_distances.size());
  // Accepting the first `accepted` distances: valid when the next one is larger (no tie split).
  auto accepted = static_cast<int64_t>(std::floor(target_far * static_cast<double>(n)));
  while (accepted > 0 && accepted < n && impostor_distances[accepted] == impostor_distances[accepted - 1]) --accepted;
  std::ostringstream why;
  why << "cannot place a threshold for FAR " << target_far << " on " << n
      << " impostor distances (it needs at least 1 / FAR of them, and no tie at the cut)";
  check(accepted > 0 && std::isfinite(impostor_distances[accepted - 1]), context, why.str());
  const double last = impostor_distances[accepted - 1];
  const double next = impostor_distances[accepted];
  const double threshold = std::isfinite(next) ? last + (next - last) / 2 : last;
  return {target_far, threshold, static_cast<double>(accepted) / static_cast<double>(n), n};
}

}  // namespace facekit::eval
