// 1:1 verification: distance, threshold, decision and calibrated confidence.
#include <cmath>

#include "facekit/error.h"
#include "facekit/match.h"

namespace facekit {

Verification verify(std::span<const float> a, std::span<const float> b, Metric metric,
                    std::optional<double> user_threshold, const Calibration& calibration) {
  const std::string context = "verify (model '" + calibration.model + "', metric " + metric_name(metric) + ")";
  check(calibration.source == "none" || calibration.metric == metric, context,
        "the calibration (" + calibration.source + ") is for metric " + metric_name(calibration.metric));
  Verification v;
  v.distance = distance(a, b, metric);
  if (user_threshold) {
    check_threshold(*user_threshold, metric, context);
    v.threshold = *user_threshold;
    v.threshold_source = ThresholdSource::kUser;
  } else {
    check(calibration.threshold.has_value(), context,
          "no threshold is known for this model and metric: run `facekit calibrate` or pass --threshold");
    v.threshold = *calibration.threshold;
    v.threshold_source = ThresholdSource::kCalibration;
  }
  v.verified = v.distance <= v.threshold;
  if (calibration.logistic) {
    v.probability_same = calibration.logistic->probability_same(v.distance);
    v.confidence = v.verified ? *v.probability_same : 1 - *v.probability_same;
  }
  return v;
}

}  // namespace facekit
