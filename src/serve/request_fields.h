// The fields of a request, however the client sent them: a multipart form
// (fields and files), a JSON object, a URL-encoded form, and the URL's query
// parameters (a body field wins over a query parameter of the same name).
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <vector>

#include "facekit/engine.h"
#include "facekit/json.h"

namespace facekit::serve {

// An image as a request carries it, before decoding.
struct ImageUpload {
  std::string name;            // the file name, or the field's name
  std::vector<uint8_t> bytes;  // the encoded image
};

class RequestFields {
 public:
  // Throws HttpError 415 for a body that is none of the forms above, 400
  // for malformed JSON or a JSON body that is not an object. With
  // `takes_raw_body`, a body sent as application/octet-stream or video/* is
  // taken whole as the upload (raw_body()), and the fields are the query's.
  explicit RequestFields(const httplib::Request& request, bool takes_raw_body = false);

  // The body, when it was taken whole (see the constructor).
  std::optional<ImageUpload> raw_body() const;

  // A field as text (JSON numbers and booleans as their text); nullopt when
  // absent. Throws HttpError 400 for a JSON array or object, unless `list`:
  // then an array of strings is joined by commas.
  std::optional<std::string> text(const std::string& name, bool list = false) const;
  // "true" / "false" (any letter case, or JSON booleans), else HttpError 400
  // naming the field; `fallback` when absent.
  bool flag(const std::string& name, bool fallback) const;
  // A finite number, else HttpError 400; nullopt when absent.
  std::optional<double> number(const std::string& name) const;
  // An integer in [low, high], else HttpError 400; `fallback` when absent.
  int integer(const std::string& name, int fallback, int low, int high) const;

  // The image of the first of `names` present: a multipart file, or a text
  // field holding a data URI (data:image/...;base64,...) or plain base64;
  // with `image_root`, a path relative to it naming a file inside it. Throws
  // HttpError 400 naming the field when none is present, for bad base64, a
  // URL, or a path outside the root or without a root.
  ImageUpload image(const std::vector<std::string>& names, const std::string& image_root) const;

 private:
  const httplib::Request& request_;
  std::optional<Json> json_;
  bool raw_ = false;
};

// Decodes an upload (image.h's decoder, with its pixel limit). Throws
// HttpError 400 naming the upload when it is not a readable image.
NamedImage decode_upload(const ImageUpload& upload);

// The bytes `text` encodes in base64 (standard or URL-safe alphabet,
// padding optional, whitespace ignored); nullopt when it is not base64.
std::optional<std::vector<uint8_t>> decode_base64(const std::string& text);

}  // namespace facekit::serve
