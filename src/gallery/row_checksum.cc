#include "gallery/row_checksum.h"

#include <openssl/evp.h>

#include <bit>

#include "facekit/error.h"

namespace facekit::store {

RowChecksum& RowChecksum::add(int64_t value) {
  char bytes[8];
  const auto u = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(u >> (8 * i));  // little-endian on every host
  buffer_.append(bytes, 8);
  return *this;
}

RowChecksum& RowChecksum::add(double value) { return add(std::bit_cast<int64_t>(value)); }

RowChecksum& RowChecksum::add(std::string_view bytes) {
  add(static_cast<int64_t>(bytes.size()));
  buffer_.append(bytes);
  return *this;
}

int64_t RowChecksum::value() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_Digest(buffer_.data(), buffer_.size(), digest, &length, EVP_sha256(), nullptr) == 1 && length >= 8,
        "gallery", "SHA-256 failed (OpenSSL)");
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | digest[i];
  return static_cast<int64_t>(v);
}

int64_t person_checksum(int64_t id, std::string_view name) { return RowChecksum("people").add(id).add(name).value(); }

int64_t photo_checksum(int64_t id, int64_t person_id, std::string_view model, std::string_view file,
                       std::string_view content_hash, int64_t enrolled_at) {
  return RowChecksum("photos").add(id).add(person_id).add(model).add(file).add(content_hash).add(enrolled_at).value();
}

int64_t vector_checksum(int64_t id, int64_t photo_id, double x, double y, double width, double height,
                        int64_t dimension, std::span<const uint8_t> data) {
  return RowChecksum("vectors")
      .add(id)
      .add(photo_id)
      .add(x)
      .add(y)
      .add(width)
      .add(height)
      .add(dimension)
      .add(data)
      .value();
}

int64_t thumbnail_checksum(int64_t vector_id, std::span<const uint8_t> jpeg) {
  return RowChecksum("thumbnails").add(vector_id).add(jpeg).value();
}

}  // namespace facekit::store
