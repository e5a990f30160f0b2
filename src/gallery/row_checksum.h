// Checksums of the gallery's rows: each row of people, photos, vectors and
// thumbnails stores one over its own values, its id and the id of the row it
// belongs to, so that a damaged value, or a row that a damaged file pairs
// with another row's parent, is detected when it is read rather than
// answering with someone else's identity.
//
// The checksum is the first 8 bytes of the SHA-256 (OpenSSL; SHA-NI makes it
// ~2 GB/s, well below the cost of reading the rows) of the table's name and
// the values, each length-prefixed, as a signed 64-bit integer (the column
// type both backends share).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace facekit::store {

class RowChecksum {
 public:
  explicit RowChecksum(std::string_view table) { add(table); }
  RowChecksum& add(int64_t value);
  RowChecksum& add(double value);
  RowChecksum& add(std::string_view bytes);
  RowChecksum& add(std::span<const uint8_t> bytes) {
    return add(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  int64_t value() const;

 private:
  std::string buffer_;
};

int64_t person_checksum(int64_t id, std::string_view name);
int64_t photo_checksum(int64_t id, int64_t person_id, std::string_view model, std::string_view file,
                       std::string_view content_hash, int64_t enrolled_at);
int64_t vector_checksum(int64_t id, int64_t photo_id, double x, double y, double width, double height,
                        int64_t dimension, std::span<const uint8_t> data);
int64_t thumbnail_checksum(int64_t vector_id, std::span<const uint8_t> jpeg);

}  // namespace facekit::store
