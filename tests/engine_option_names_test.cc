// The library's messages name command-line flags; the Python module and the
// HTTP service rename them in their own terms (option_names.h). Expected
// strings written by hand from each front-end's argument names.
#include <gtest/gtest.h>

#include "facekit/engine.h"
#include "facekit/option_names.h"

namespace facekit {
namespace {

TEST(OptionNames, EachFrontEndReadsItsOwnNames) {
  const std::string advice = std::string("b.jpg: ") + kNoFaceAdvice;
  EXPECT_EQ(in_terms_of(advice, FrontEnd::kPython),
            "b.jpg: no face found, also with a padded border (crop the image wider around the face, or pass "
            "enforce_detection=False to use the whole image as the face, flagged face_found: False)");
  EXPECT_EQ(in_terms_of(advice, FrontEnd::kHttp),
            "b.jpg: no face found, also with a padded border (crop the image wider around the face, or pass "
            "enforce_detection=false to use the whole image as the face, flagged face_found: false)");
  EXPECT_EQ(in_terms_of("--far: cannot be combined with --threshold (each sets the threshold)", FrontEnd::kHttp),
            "far: cannot be combined with threshold (each sets the threshold)");  // POST /api/v1/video/watch
  EXPECT_EQ(in_terms_of("--far: cannot be combined with --threshold (each sets the threshold)", FrontEnd::kPython),
            "--far: cannot be combined with threshold (each sets the threshold)");  // no far= in Python
  EXPECT_EQ(in_terms_of("TrackerOptions::max_age (--max-age): must be in [0, 100000] frames; --min-iou, "
                        "--decide-confidence, --detect-every",
                        FrontEnd::kHttp),
            "TrackerOptions::max_age (max_age): must be in [0, 100000] frames; min_iou, decide_confidence, detect_every");
  EXPECT_EQ(in_terms_of("no threshold is known: run `facekit calibrate --model x --metric cosine ...` or pass --threshold",
                        FrontEnd::kPython),
            "no threshold is known: run `facekit calibrate --model x --metric cosine ...` or pass threshold=");
  EXPECT_EQ(in_terms_of("--model a+b: --metric does not apply to a fusion", FrontEnd::kPython),
            "model_name a+b: distance_metric does not apply to a fusion");
}

TEST(OptionNames, OnlyWholeFlagsAreRenamed) {
  EXPECT_EQ(in_terms_of("--models-dir and --model-file stay; -k 5 and --top-n too", FrontEnd::kPython),
            "--models-dir and --model-file stay; k 5 and --top-n too");
  EXPECT_EQ(in_terms_of("--threads: must not be negative", FrontEnd::kHttp), "--threads: must not be negative");
  EXPECT_EQ(in_terms_of("--threads: must not be negative", FrontEnd::kPython), "threads: must not be negative");
  EXPECT_EQ(in_terms_of("", FrontEnd::kPython), "");
  EXPECT_EQ(in_terms_of("an unclosed ` --model", FrontEnd::kPython), "an unclosed ` --model");
}

}  // namespace
}  // namespace facekit
