// Minimal header readers, one per format OpenCV decodes for facekit. Each
// reads only the few fields that give the dimensions; every read is bounds
// checked, so a hostile header ends in an Error, never in a bad read.
#include "image/image_header.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include "facekit/error.h"

namespace facekit {

namespace {

// Bounds-checked reads of big- and little-endian integers.
class Bytes {
 public:
  Bytes(const std::string& name, const std::string& format, std::span<const uint8_t> data)
      : name_(name), format_(format), data_(data) {}

  size_t size() const { return data_.size(); }
  uint8_t u8(size_t at) const {
    need(at, 1);
    return data_[at];
  }
  uint32_t be(size_t at, int n) const {
    need(at, n);
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | data_[at + i];
    return v;
  }
  uint64_t le(size_t at, int n) const {
    need(at, n);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | data_[at + i];
    return v;
  }
  bool has(size_t at, std::string_view text) const {
    return at + text.size() <= data_.size() &&
           std::equal(text.begin(), text.end(), data_.begin() + at,
                      [](char t, uint8_t d) { return static_cast<uint8_t>(t) == d; });
  }
  [[noreturn]] void fail(const std::string& reason) const { throw Error(name_ + ": " + format_ + " " + reason); }
  // The CRC-32 (ISO-HDLC, as PNG and zlib use it) of [at, at + n).
  uint32_t crc32(size_t at, size_t n) const {
    need(at, n);
    static const std::array<uint32_t, 256> table = [] {
      std::array<uint32_t, 256> t{};
      for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
      }
      return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = at; i < at + n; ++i) c = table[(c ^ data_[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
  }

 private:
  void need(size_t at, size_t n) const {
    if (at > data_.size() || n > data_.size() - at) fail("header is truncated");
  }
  const std::string& name_;
  std::string format_;
  std::span<const uint8_t> data_;
};

bool is_jpeg_frame_marker(uint8_t m) {  // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// Walks the marker segments up to the first scan; the frame header gives the
// size. The compressed data must end with an end-of-image marker: libjpeg
// silently grey-fills a truncated file, which would pass for a valid image.
ImageHeader probe_jpeg(const Bytes& b) {
  ImageHeader h;
  h.format = "JPEG";
  size_t pos = 2;
  for (;;) {
    if (b.u8(pos) != 0xFF) b.fail("data is corrupt (no marker where one is expected)");
    const uint8_t marker = b.u8(pos + 1);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // segments without a length
      pos += 2;
      continue;
    }
    if (marker == 0xD9) b.fail("data has no image frame");
    const size_t length = b.be(pos + 2, 2);
    if (length < 2) b.fail("data is corrupt (segment length below 2)");
    if (is_jpeg_frame_marker(marker)) {
      h.height = b.be(pos + 5, 2);
      h.width = b.be(pos + 7, 2);
    }
    if (marker == 0xDA) break;
    pos += 2 + length;
  }
  if (h.width == 0 || h.height == 0) b.fail("data has no frame header with dimensions before its first scan");
  for (size_t i = pos + 2; i + 1 < b.size(); ++i)
    if (b.u8(i) == 0xFF && b.u8(i + 1) == 0xD9) return h;
  h.truncation = "no end-of-image marker";
  return h;
}

// The first chunk is IHDR; the chunks must then run, each whole, to IEND.
// A critical chunk (its type's first letter upper-case: IHDR, PLTE, IDAT,
// IEND) must match its CRC: libpng refuses it otherwise, printing its own
// line on stderr before facekit could say what is wrong.
ImageHeader probe_png(const Bytes& b) {
  ImageHeader h;
  h.format = "PNG";
  if (!b.has(12, "IHDR") || b.be(8, 4) != 13) b.fail("data is corrupt (IHDR is not the first chunk)");
  h.width = b.be(16, 4);
  h.height = b.be(20, 4);
  uint64_t pos = 8;
  while (pos + 8 <= b.size()) {
    const uint64_t end = pos + 12 + b.be(pos, 4);
    if (end > b.size()) break;
    const bool critical = b.u8(pos + 4) >= 'A' && b.u8(pos + 4) <= 'Z';
    if (critical && b.crc32(pos + 4, end - pos - 8) != b.be(end - 4, 4))
      b.fail("data is corrupt (a CRC error in chunk " +
             std::string(1, static_cast<char>(b.u8(pos + 4))) + static_cast<char>(b.u8(pos + 5)) +
             static_cast<char>(b.u8(pos + 6)) + static_cast<char>(b.u8(pos + 7)) + ")");
    if (b.has(pos + 4, "IEND")) return h;
    pos = end;
  }
  h.truncation = "no IEND chunk";
  return h;
}

ImageHeader probe_bmp(const Bytes& b) {
  ImageHeader h;
  h.format = "BMP";
  if (b.le(14, 4) == 12) {  // OS/2 core header: 16-bit dimensions
    h.width = static_cast<int64_t>(b.le(18, 2));
    h.height = static_cast<int64_t>(b.le(20, 2));
  } else {
    h.width = static_cast<int32_t>(b.le(18, 4));
    h.height = std::abs(static_cast<int64_t>(static_cast<int32_t>(b.le(22, 4))));  // negative: stored top-down
  }
  if (h.width < 0) b.fail("header is corrupt (negative width)");
  return h;
}

// The first image file directory: tags 256 (width) and 257 (height). Classic
// TIFF ("*", 12-byte entries) and BigTIFF ("+", 20-byte entries).
ImageHeader probe_tiff(const Bytes& b) {
  ImageHeader h;
  h.format = "TIFF";
  const bool little = b.has(0, "II");
  auto read = [&](uint64_t at, int n) -> uint64_t { return little ? b.le(at, n) : b.be(at, n); };
  const bool big = read(2, 2) == 43;
  const uint64_t directory = big ? read(8, 8) : read(4, 4);
  const uint64_t count = big ? read(directory, 8) : read(directory, 2);
  const uint64_t first = directory + (big ? 8 : 2), entry_size = big ? 20 : 12;
  for (uint64_t i = 0; i < count && first + i * entry_size < b.size(); ++i) {
    const uint64_t entry = first + i * entry_size;
    const uint64_t tag = read(entry, 2), type = read(entry + 2, 2);
    if (tag != 256 && tag != 257) continue;
    const uint64_t value_at = entry + (big ? 12 : 8);
    int64_t value = 0;
    if (type == 3) value = static_cast<int64_t>(read(value_at, 2));                // SHORT
    else if (type == 4) value = static_cast<int64_t>(read(value_at, 4));           // LONG
    else if (type == 16 && big) value = static_cast<int64_t>(read(value_at, 8));   // LONG8
    else b.fail("header is corrupt (dimension of an unexpected type)");
    (tag == 256 ? h.width : h.height) = value;
  }
  return h;
}

// The first chunk says how the image is coded: lossy (VP8), lossless (VP8L)
// or extended (VP8X, with the canvas size).
ImageHeader probe_webp(const Bytes& b) {
  ImageHeader h;
  h.format = "WebP";
  if (b.has(12, "VP8 ")) {
    if (b.be(23, 3) != 0x9D012A) b.fail("data is corrupt (no VP8 start code)");
    h.width = static_cast<int64_t>(b.le(26, 2) & 0x3FFF);
    h.height = static_cast<int64_t>(b.le(28, 2) & 0x3FFF);
  } else if (b.has(12, "VP8L")) {
    if (b.u8(20) != 0x2F) b.fail("data is corrupt (no VP8L signature)");
    const uint64_t bits = b.le(21, 4);
    h.width = static_cast<int64_t>(bits & 0x3FFF) + 1;
    h.height = static_cast<int64_t>((bits >> 14) & 0x3FFF) + 1;
  } else if (b.has(12, "VP8X")) {
    h.width = static_cast<int64_t>(b.le(24, 3)) + 1;
    h.height = static_cast<int64_t>(b.le(27, 3)) + 1;
  } else {
    b.fail("data is corrupt (unknown first chunk)");
  }
  return h;
}

// P1..P6: "P<n> width height ..." with '#' comments between the fields; P7
// (PAM): "WIDTH <w>" and "HEIGHT <h>" lines up to ENDHDR.
ImageHeader probe_pnm(const Bytes& b) {
  ImageHeader h;
  h.format = "PNM";
  size_t pos = 2;
  auto next_token = [&]() {
    for (;;) {
      if (pos >= b.size()) b.fail("header is truncated");
      const uint8_t c = b.u8(pos);
      if (c == '#') {
        while (pos < b.size() && b.u8(pos) != '\n') ++pos;
      } else if (std::isspace(c)) {
        ++pos;
      } else {
        break;
      }
    }
    std::string token;
    while (pos < b.size() && !std::isspace(b.u8(pos)) && token.size() < 16) token += static_cast<char>(b.u8(pos++));
    return token;
  };
  auto number = [&](const std::string& token) {
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    if (token.empty() || token.size() > 10 || !std::all_of(token.begin(), token.end(), is_digit))
      b.fail("header is corrupt (bad dimension '" + token + "')");
    return std::stoll(token);
  };
  if (b.u8(1) != '7') {
    h.width = number(next_token());
    h.height = number(next_token());
    return h;
  }
  for (std::string token = next_token(); token != "ENDHDR"; token = next_token()) {
    if (token == "WIDTH") h.width = number(next_token());
    if (token == "HEIGHT") h.height = number(next_token());
  }
  return h;
}

}  // namespace

ImageHeader probe_image(const std::string& name, std::span<const uint8_t> bytes) {
  const Bytes b(name, "image", bytes);
  ImageHeader h;
  if (b.has(0, "\xFF\xD8\xFF")) {
    h = probe_jpeg(Bytes(name, "JPEG", bytes));
  } else if (b.has(0, "\x89PNG\r\n\x1A\n")) {
    h = probe_png(Bytes(name, "PNG", bytes));
  } else if (b.has(0, "BM")) {
    h = probe_bmp(Bytes(name, "BMP", bytes));
  } else if (b.has(0, std::string_view("II*\0", 4)) || b.has(0, std::string_view("MM\0*", 4)) ||
             b.has(0, std::string_view("II+\0", 4)) || b.has(0, std::string_view("MM\0+", 4))) {
    h = probe_tiff(Bytes(name, "TIFF", bytes));
  } else if (b.has(0, "RIFF") && b.has(8, "WEBP")) {
    h = probe_webp(Bytes(name, "WebP", bytes));
  } else if (bytes.size() >= 3 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7' && std::isspace(bytes[2])) {
    h = probe_pnm(Bytes(name, "PNM", bytes));
  } else {
    throw Error(name + ": not an image facekit reads (JPEG, PNG, BMP, TIFF, WebP or PNM)");
  }
  if (h.width <= 0 || h.height <= 0)
    throw Error(name + ": " + h.format + " header gives no dimensions (" + std::to_string(h.width) + "x" +
                std::to_string(h.height) + ")");
  return h;
}

}  // namespace facekit
