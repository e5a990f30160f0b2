// The library's messages name options as the command line spells them
// ("--threshold", "--if-no-face whole-image"): the CLI is the front-end
// every option exists in. A caller reached another way (the Python module,
// the HTTP service) renames them in its own terms with in_terms_of(), so
// that a Python user reads "enforce_detection=False" and an HTTP client
// "distance_metric", not a flag they cannot pass.
#pragma once

#include <string>

namespace facekit {

enum class FrontEnd {
  kPython,  // keyword arguments: threshold=, enforce_detection=False
  kHttp,    // request fields: threshold, enforce_detection=false
};

// `message` with each command-line option the front-end has under another
// name renamed (options it lacks stay as the CLI spells them). A command
// quoted in backticks (`facekit calibrate --model ...`) is left as it is.
std::string in_terms_of(const std::string& message, FrontEnd front_end);

}  // namespace facekit
