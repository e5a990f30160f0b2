// The service's errors: an HTTP status, a numeric code and a message, always
// answered as JSON {"error", "message", "code"}, never with a stack trace.
#pragma once

#include <stdexcept>
#include <string>

#include "facekit/json.h"

namespace facekit::serve {

// CompreFace's code for "no face is found in the given image"; every other
// error's code is its HTTP status.
inline constexpr int kNoFaceCode = 28;

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message, int code = 0)
      : std::runtime_error(message), status_(status), code_(code == 0 ? status : code) {}
  int status() const { return status_; }
  int code() const { return code_; }

 private:
  int status_;
  int code_;
};

// The short name of an HTTP status ("bad_request", "not_found", ...), or
// "no_face" for kNoFaceCode.
std::string error_name(int status, int code);

// {"error": error_name, "message": message, "code": code}.
Json error_body(int status, int code, const std::string& message);

}  // namespace facekit::serve
