#include "serve/http_error.h"

namespace facekit::serve {

std::string error_name(int status, int code) {
  if (code == kNoFaceCode) return "no_face";
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 422: return "unprocessable";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal_error" : "error";
  }
}

Json error_body(int status, int code, const std::string& message) {
  Json j;
  j["error"] = error_name(status, code);
  put_name(j, "message", message);
  j["code"] = code;
  return j;
}

}  // namespace facekit::serve
