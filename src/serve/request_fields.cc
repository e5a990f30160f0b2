#include "serve/request_fields.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "facekit/error.h"
#include "facekit/image.h"
#include "serve/http_error.h"

namespace facekit::serve {

namespace {

namespace fs = std::filesystem;

bool body_is(const httplib::Request& request, const std::string& type) {
  const std::string content_type = request.get_header_value("Content-Type");
  return content_type.size() >= type.size() && strncasecmp(content_type.c_str(), type.c_str(), type.size()) == 0;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::vector<uint8_t> read_file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The file `relative` names inside `root`, or HttpError 400.
fs::path file_inside(const std::string& root, const std::string& relative, const std::string& field) {
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  const fs::path file = fs::weakly_canonical(base / relative, ec);
  const auto [root_end, file_it] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
  if (ec || fs::path(relative).is_absolute() || root_end != base.end() || !fs::is_regular_file(file, ec))
    throw HttpError(400, field + ": not a file inside the image root");
  return file;
}

}  // namespace

std::optional<std::vector<uint8_t>> decode_base64(const std::string& text) {
  std::vector<uint8_t> bytes;
  bytes.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0, padding = 0;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padding > 0) return std::nullopt;  // a stray character, or data after the padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count % 4 == 0) {
      bytes.push_back(static_cast<uint8_t>(bits >> 16));
      bytes.push_back(static_cast<uint8_t>(bits >> 8));
      bytes.push_back(static_cast<uint8_t>(bits));
      bits = 0;
    }
  }
  switch (count % 4) {
    case 0: break;
    case 1: return std::nullopt;  // 6 bits cannot end a byte
    case 2: bytes.push_back(static_cast<uint8_t>(bits >> 4)); break;
    case 3:
      bytes.push_back(static_cast<uint8_t>(bits >> 10));
      bytes.push_back(static_cast<uint8_t>(bits >> 2));
      break;
  }
  if (padding > 2 || count == 0) return std::nullopt;
  return bytes;
}

RequestFields::RequestFields(const httplib::Request& request, bool takes_raw_body) : request_(request) {
  if (takes_raw_body && (body_is(request, "application/octet-stream") || body_is(request, "video/"))) {
    raw_ = true;
  } else if (body_is(request, "application/json")) {
    json_ = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (json_->is_discarded()) throw HttpError(400, "the body is not valid JSON");
    if (!json_->is_object()) throw HttpError(400, "the JSON body must be an object of fields");
  } else if (!request.body.empty() && !request.is_multipart_form_data() &&
             !body_is(request, "application/x-www-form-urlencoded")) {
    throw HttpError(415, "unsupported Content-Type '" + request.get_header_value("Content-Type") +
                             "' (send multipart/form-data, application/json or application/x-www-form-urlencoded" +
                             (takes_raw_body ? "; or the file itself as application/octet-stream or video/*)" : ")"));
  }
}

std::optional<ImageUpload> RequestFields::raw_body() const {
  if (!raw_) return std::nullopt;
  return ImageUpload{"request body", {request_.body.begin(), request_.body.end()}};
}

std::optional<std::string> RequestFields::text(const std::string& name, bool list) const {
  if (json_ && json_->contains(name)) {
    const Json& v = (*json_)[name];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) return v.dump();
    if (v.is_null()) return std::nullopt;
    if (list && v.is_array()) {
      std::string joined;
      for (const Json& item : v) {
        if (!item.is_string()) throw HttpError(400, name + ": must be a list of strings");
        joined += (joined.empty() ? "" : ",") + item.get<std::string>();
      }
      return joined;
    }
    throw HttpError(400, name + ": must be " + (list ? "a string or a list of strings" : "a string, number or boolean"));
  }
  if (request_.has_file(name)) {
    const auto file = request_.get_file_value(name);
    if (file.filename.empty()) return file.content;  // a plain form field
  }
  if (request_.has_param(name)) return request_.get_param_value(name);
  return std::nullopt;
}

bool RequestFields::flag(const std::string& name, bool fallback) const {
  const auto v = text(name);
  if (!v) return fallback;
  std::string lower;
  for (const char c : *v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  throw HttpError(400, name + ": '" + *v + "' is neither true nor false");
}

std::optional<double> RequestFields::number(const std::string& name) const {
  const auto v = text(name);
  if (!v) return std::nullopt;
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(*v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v->size() || !std::isfinite(value)) throw HttpError(400, name + ": '" + *v + "' is not a number");
  return value;
}

int RequestFields::integer(const std::string& name, int fallback, int low, int high) const {
  const auto v = number(name);
  if (!v) return fallback;
  if (*v != std::floor(*v) || *v < low || *v > high)
    throw HttpError(400, name + ": must be an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  return static_cast<int>(*v);
}

ImageUpload RequestFields::image(const std::vector<std::string>& names, const std::string& image_root) const {
  for (const std::string& name : names) {
    if (request_.has_file(name)) {
      const auto file = request_.get_file_value(name);
      if (!file.filename.empty()) {
        if (file.content.empty()) throw HttpError(400, name + ": the uploaded file is empty");
        return {file.filename, {file.content.begin(), file.content.end()}};
      }
    }
    const auto value = text(name);
    if (!value) continue;
    std::string payload = *value;
    if (payload.starts_with("data:")) {  // data:[<type>][;base64],<data>
      const size_t comma = payload.find(',');
      if (comma == std::string::npos || payload.substr(0, comma).find(";base64") == std::string::npos)
        throw HttpError(400, name + ": a data URI must be base64 (data:image/...;base64,...)");
      payload = payload.substr(comma + 1);
    } else if (payload.find("://") != std::string::npos) {
      throw HttpError(400, name + ": image URLs are not fetched (upload the image, or send it as base64)");
    } else if (!image_root.empty() && payload.find('.') != std::string::npos) {  // base64 has no '.'
      return {payload, read_file_bytes(file_inside(image_root, payload, name))};
    }
    auto bytes = decode_base64(payload);
    if (!bytes) {
      if (image_root.empty() && (payload.find('.') != std::string::npos || payload.starts_with("/")))
        throw HttpError(400, name + ": server-side paths are not accepted (upload the image, or send it as base64)");
      throw HttpError(400, name + ": not valid base64 (send a file, a data URI or base64)");
    }
    return {name, std::move(*bytes)};
  }
  throw HttpError(400, "no image: send it as " + names.front() + " (a multipart file, a data URI or base64)");
}

NamedImage decode_upload(const ImageUpload& upload) {
  try {
    return {upload.name, decode_image(upload.name, upload.bytes)};
  } catch (const Error& e) {
    throw HttpError(400, e.what());
  }
}

}  // namespace facekit::serve
