#include "verify_command.h"

#include <cstdio>

#include "facekit/text.h"
#include "output.h"
#include "recognition_options.h"

namespace facekit::cli {

namespace {

void print_text(const VerifyResult& r) {
  const Verification& v = r.decision;
  std::printf("%s vs %s: %s (%s distance %.4f, threshold %.4f", printable(r.image_a).c_str(),
              printable(r.image_b).c_str(), v.verified ? "SAME person" : "DIFFERENT people", r.metric.c_str(),
              v.distance, v.threshold);
  if (v.confidence) std::printf(", confidence %.1f%%", 100 * *v.confidence);
  std::printf("; model %s, detector %s, threshold from %s)\n", printable(r.model).c_str(), r.detector.c_str(),
              r.threshold_source == "user" ? "--threshold" : printable(r.threshold_source).c_str());
}

}  // namespace

CLI::App* add_verify_command(CLI::App& app, VerifyCommandOptions& o) {
  auto* cmd = app.add_subcommand("verify", "are the faces of two images the same person?");
  cmd->add_option("a", o.a, "first image")->required();
  cmd->add_option("b", o.b, "second image")->required();
  o.request.recognition.if_no_face = "whole-image";  // an answer, flagged, rather than none
  add_recognition_options(cmd, o.request.recognition, true);
  add_face_option(cmd, o.request.recognition);
  add_threads_option(cmd, o.engine);
  add_threshold_options(cmd, o.request.threshold, o.request.far, "decision threshold (default: the calibrated one)");
  cmd->add_flag("--all-pairs", o.request.all_pairs,
                "every face of A against every face of B (default: the --face of each)");
  auto* json_flag = cmd->add_flag("--json")->description("JSON (the default)");
  cmd->add_flag("--text", o.text, "a sentence instead of JSON")->excludes(json_flag);
  return cmd;
}

int run_verify(const VerifyCommandOptions& o) {
  Engine engine(o.engine);
  engine.prepare(o.request);  // say what is missing before any image is read
  const VerifyResult r = engine.verify(read_named_image(o.a), read_named_image(o.b), o.request);
  if (r.detector != "none")
    for (const auto& [image, found] : {std::pair{r.image_a, r.face_found_a}, std::pair{r.image_b, r.face_found_b}})
      if (!found)
        report(image + ": no face found, also with a padded border: the whole image is the face (face_found: false; "
                       "--if-no-face refuse makes this an error)");
  if (o.text)
    print_text(r);
  else
    print_json(to_json(r), 1);
  return 0;
}

}  // namespace facekit::cli
