// Image reading: every pixel layout becomes 8-bit RGB, EXIF orientation is
// applied, and every bad input — empty, oversized, truncated, not an image —
// ends in one Error naming the file and the reason. The odd files are built
// here, byte by byte where OpenCV cannot write them.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// --- Building files ---------------------------------------------------------

void append_be32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t crc32(const Bytes& data, size_t from) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = from; i < data.size(); ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void append_png_chunk(Bytes& png, const std::string& type, const Bytes& data) {
  append_be32(png, static_cast<uint32_t>(data.size()));
  const size_t start = png.size();
  png.insert(png.end(), type.begin(), type.end());
  png.insert(png.end(), data.begin(), data.end());
  append_be32(png, crc32(png, start));
}

// A zlib stream of one stored (uncompressed) deflate block.
Bytes zlib_stored(const Bytes& data) {
  Bytes z = {0x78, 0x01, 0x01, static_cast<uint8_t>(data.size()), static_cast<uint8_t>(data.size() >> 8),
             static_cast<uint8_t>(~data.size()), static_cast<uint8_t>(~data.size() >> 8)};
  z.insert(z.end(), data.begin(), data.end());
  uint32_t a = 1, b = 0;
  for (uint8_t byte : data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  append_be32(z, (b << 16) | a);
  return z;
}

// An 8-bit PNG of `color_type` (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6
// RGBA) whose rows are `samples` (each row's bytes, unfiltered).
Bytes make_png(uint32_t width, uint32_t height, uint8_t color_type, const std::vector<Bytes>& rows,
               const Bytes& palette = {}) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  append_be32(ihdr, width);
  append_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, color_type, 0, 0, 0});
  append_png_chunk(png, "IHDR", ihdr);
  if (!palette.empty()) append_png_chunk(png, "PLTE", palette);
  Bytes raw;
  for (const Bytes& row : rows) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), row.begin(), row.end());
  }
  append_png_chunk(png, "IDAT", zlib_stored(raw));
  append_png_chunk(png, "IEND", {});
  return png;
}

// An 8×8 baseline JPEG with four components (CMYK, no Adobe marker) of one
// flat colour each: every block holds only a DC coefficient of ±64 which,
// at quantiser 16, puts its samples at 128 ± 128, i.e. 255 (+) or 0 (−).
Bytes make_cmyk_jpeg(const std::array<bool, 4>& full) {
  Bytes j = {0xFF, 0xD8};
  auto segment = [&](uint8_t marker, const Bytes& body) {
    j.insert(j.end(), {0xFF, marker, static_cast<uint8_t>((body.size() + 2) >> 8), static_cast<uint8_t>(body.size() + 2)});
    j.insert(j.end(), body.begin(), body.end());
  };
  Bytes dqt = {0x00};
  dqt.insert(dqt.end(), 64, 16);
  segment(0xDB, dqt);
  segment(0xC0, {8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0});
  // One Huffman code each, "0": DC category 7, AC end-of-block.
  Bytes dc = {0x00, 1}, ac = {0x10, 1};
  dc.insert(dc.end(), 15, 0);
  ac.insert(ac.end(), 15, 0);
  dc.push_back(7);
  ac.push_back(0);
  segment(0xC4, dc);
  segment(0xC4, ac);
  segment(0xDA, {4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0});
  std::string bits;
  for (bool f : full) bits += std::string("0") + (f ? "1000000" : "0111111") + "0";  // +64 / −64
  while (bits.size() % 8) bits += '1';
  for (size_t i = 0; i < bits.size(); i += 8) {
    j.push_back(static_cast<uint8_t>(std::stoi(bits.substr(i, 8), nullptr, 2)));
    if (j.back() == 0xFF) j.push_back(0x00);
  }
  j.insert(j.end(), {0xFF, 0xD9});
  return j;
}

// `jpeg` with an EXIF APP1 segment carrying orientation `value` (1..8).
Bytes with_exif_orientation(const Bytes& jpeg, uint8_t value) {
  const Bytes exif = {'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,  // TIFF header, IFD at 8
                      1, 0,                                                  // one entry
                      0x12, 0x01, 3, 0, 1, 0, 0, 0, value, 0, 0, 0,          // 0x0112 SHORT ×1
                      0, 0, 0, 0};                                           // no next IFD
  Bytes out = {0xFF, 0xD8, 0xFF, 0xE1, 0, static_cast<uint8_t>(exif.size() + 2)};
  out.insert(out.end(), exif.begin(), exif.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

Bytes encode(const std::string& ext, const cv::Mat& image, const std::vector<int>& params = {}) {
  Bytes out;
  EXPECT_TRUE(cv::imencode(ext, image, out, params)) << ext;
  return out;
}

// The message of the Error `f` throws; fails the test when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return "";
}

class ImageIo : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "facekit-image-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const Bytes& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  fs::path dir_;
};

cv::Vec3b at(const cv::Mat& m, int y, int x) { return m.at<cv::Vec3b>(y, x); }

// --- Good inputs --------------------------------------------------------------

TEST_F(ImageIo, OnePixelIsRgb) {
  cv::Mat bgr(1, 1, CV_8UC3, cv::Scalar(10, 20, 200));  // OpenCV order: B, G, R
  const cv::Mat rgb = read_image(write("one.png", encode(".png", bgr)));
  ASSERT_EQ(rgb.type(), CV_8UC3);
  ASSERT_EQ(rgb.size(), cv::Size(1, 1));
  EXPECT_EQ(at(rgb, 0, 0), cv::Vec3b(200, 20, 10));
}

// Every header reader gives the right width and height: a 7×5 image passes a
// 35-pixel limit and fails a 34-pixel one.
TEST_F(ImageIo, EveryFormatsHeaderGivesItsSize) {
  const cv::Mat bgr(5, 7, CV_8UC3, cv::Scalar(0, 128, 255)), grey(5, 7, CV_8UC1, cv::Scalar(255));
  const std::vector<std::pair<std::string, Bytes>> files = {
      {".jpg", encode(".jpg", bgr)},   {".png", encode(".png", bgr)},   {".bmp", encode(".bmp", bgr)},
      {".tiff", encode(".tiff", bgr)}, {".webp", encode(".webp", bgr)}, {".ppm", encode(".ppm", bgr)},
      {".pgm", encode(".pgm", grey)},  {".pbm", encode(".pbm", grey)},  {".pam", encode(".pam", bgr)},
      {"-lossless.webp", encode(".webp", bgr, {cv::IMWRITE_WEBP_QUALITY, 101})}};
  for (const auto& [name, bytes] : files) {
    SCOPED_TRACE(name);
    const cv::Mat rgb = decode_image(name, bytes, {.max_pixels = 35});
    EXPECT_EQ(rgb.size(), cv::Size(7, 5));
    EXPECT_EQ(rgb.type(), CV_8UC3);
    EXPECT_NE(error_of([&] { decode_image(name, bytes, {.max_pixels = 34}); }).find("7x5"), std::string::npos);
  }
}

TEST_F(ImageIo, GreyBecomesThreeEqualChannels) {
  const cv::Mat rgb = read_image(write("grey.png", encode(".png", cv::Mat(3, 4, CV_8UC1, cv::Scalar(77)))));
  EXPECT_EQ(at(rgb, 2, 3), cv::Vec3b(77, 77, 77));
}

TEST_F(ImageIo, GreyAlphaDropsAlpha) {
  const Bytes png = make_png(2, 1, 4, {{90, 255, 160, 0}});  // (grey, alpha) pairs
  const cv::Mat rgb = read_image(write("grey_alpha.png", png));
  ASSERT_EQ(rgb.size(), cv::Size(2, 1));
  EXPECT_EQ(at(rgb, 0, 0), cv::Vec3b(90, 90, 90));
  EXPECT_EQ(at(rgb, 0, 1), cv::Vec3b(160, 160, 160));  // transparent, not composited
}

TEST_F(ImageIo, RgbaDropsAlpha) {
  cv::Mat bgra(2, 2, CV_8UC4, cv::Scalar(30, 60, 90, 0));
  const cv::Mat rgb = read_image(write("rgba.png", encode(".png", bgra)));
  EXPECT_EQ(at(rgb, 1, 1), cv::Vec3b(90, 60, 30));
}

TEST_F(ImageIo, SixteenBitKeepsTheHighByte) {
  cv::Mat bgr16(2, 3, CV_16UC3, cv::Scalar(0x1234, 0x5678, 0xABCD));
  const cv::Mat rgb = read_image(write("deep.png", encode(".png", bgr16)));
  ASSERT_EQ(rgb.type(), CV_8UC3);
  EXPECT_EQ(at(rgb, 1, 2), cv::Vec3b(0xAB, 0x56, 0x12));
}

TEST_F(ImageIo, PaletteIsExpanded) {
  const Bytes png = make_png(3, 1, 3, {{1, 0, 1}}, {255, 0, 0, 0, 0, 255});  // palette: red, blue
  const cv::Mat rgb = read_image(write("palette.png", png));
  EXPECT_EQ(at(rgb, 0, 0), cv::Vec3b(0, 0, 255));
  EXPECT_EQ(at(rgb, 0, 1), cv::Vec3b(255, 0, 0));
}

// libjpeg reads 4-component JPEGs as CMYK stored inverted (the Adobe
// convention, 255 = no ink): no cyan, full magenta and yellow, no black is red.
TEST_F(ImageIo, CmykJpegIsConverted) {
  const cv::Mat rgb = read_image(write("cmyk.jpg", make_cmyk_jpeg({true, false, false, true})));
  ASSERT_EQ(rgb.size(), cv::Size(8, 8));
  const cv::Vec3b p = at(rgb, 4, 4);
  EXPECT_GT(p[0], 240);
  EXPECT_LT(p[1], 15);
  EXPECT_LT(p[2], 15);
}

// Orientation 6: the stored image must turn 90° clockwise to be upright, so
// the stored left half (white) becomes the top half.
TEST_F(ImageIo, ExifOrientationIsApplied) {
  cv::Mat bgr(8, 16, CV_8UC3, cv::Scalar(0, 0, 0));
  bgr(cv::Rect(0, 0, 8, 8)).setTo(cv::Scalar(255, 255, 255));
  const cv::Mat rgb = read_image(write("rotated.jpg", with_exif_orientation(encode(".jpg", bgr), 6)));
  ASSERT_EQ(rgb.size(), cv::Size(8, 16));
  EXPECT_GT(at(rgb, 2, 4)[0], 200);
  EXPECT_LT(at(rgb, 13, 4)[0], 50);
}

TEST_F(ImageIo, SamplePhotoHasItsSize) {
  FACEKIT_ZOO_MODEL_OR_SKIP(sample1, "faceapi-samples");
  const cv::Mat rgb = read_image(sample1.string());
  EXPECT_EQ(rgb.size(), cv::Size(1920, 1280));
  EXPECT_EQ(rgb.type(), CV_8UC3);
}

TEST_F(ImageIo, WriteImageRoundTripsRgb) {
  cv::Mat rgb(4, 5, CV_8UC3, cv::Scalar(200, 100, 50));
  const std::string path = (dir_ / "out.png").string();
  write_image(path, rgb);
  EXPECT_EQ(at(cv::imread(path), 3, 4), cv::Vec3b(50, 100, 200));  // BGR on disk
  EXPECT_EQ(at(read_image(path), 3, 4), cv::Vec3b(200, 100, 50));
}

// --- Bad inputs ---------------------------------------------------------------

TEST_F(ImageIo, MissingFile) {
  const std::string path = (dir_ / "absent.jpg").string();
  const std::string message = error_of([&] { read_image(path); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("no such file"), std::string::npos);
}

// Issue 14, item 9: a symlink loop was reported as a missing file.
TEST_F(ImageIo, SymlinkLoopIsReportedAsSuch) {
  const fs::path a = dir_ / "loop-a.jpg", b = dir_ / "loop-b.jpg";
  fs::create_symlink(b, a);
  fs::create_symlink(a, b);
  const std::string message = error_of([&] { read_image(a.string()); });
  EXPECT_NE(message.find(a.string()), std::string::npos);
  EXPECT_NE(message.find("symbolic links"), std::string::npos) << message;
  EXPECT_EQ(message.find("no such file"), std::string::npos) << message;
}

TEST_F(ImageIo, Folder) {
  EXPECT_NE(error_of([&] { read_image(dir_.string()); }).find("not a regular file"), std::string::npos);
}

TEST_F(ImageIo, EmptyFile) {
  const std::string path = write("empty.jpg", {});
  const std::string message = error_of([&] { read_image(path); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("empty file"), std::string::npos);
}

TEST_F(ImageIo, FileOverTheSizeLimit) {
  const std::string path = write("big.png", encode(".png", cv::Mat(16, 16, CV_8UC3, cv::Scalar(1, 2, 3))));
  EXPECT_NE(error_of([&] { read_image(path, {.max_file_bytes = 20}); }).find("exceeds the limit of 20 bytes"),
            std::string::npos);
}

// A header announcing 20000×20000 is refused by the limit even though its
// data would not even decode: no pixel memory is asked for.
TEST_F(ImageIo, HugePngHeaderIsRefusedByTheLimit) {
  Bytes png = make_png(20000, 20000, 2, {Bytes(60000, 0)});
  png.resize(png.size() - 12);  // no IEND either
  const std::string path = write("huge.png", png);
  const std::string message = error_of([&] { read_image(path); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("20000x20000 pixels exceeds the limit of 100000000 pixels"), std::string::npos) << message;
}

TEST_F(ImageIo, HugeJpegHeaderIsRefusedByTheLimit) {
  Bytes jpeg = encode(".jpg", cv::Mat(8, 8, CV_8UC3, cv::Scalar(9, 9, 9)));
  for (size_t i = 2; i + 8 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {  // SOF0: height, width at +5, +7
      jpeg[i + 5] = jpeg[i + 7] = 20000 >> 8;
      jpeg[i + 6] = jpeg[i + 8] = 20000 & 0xFF;
      break;
    }
  }
  EXPECT_NE(error_of([&] { decode_image("huge.jpg", jpeg); }).find("20000x20000 pixels exceeds the limit"),
            std::string::npos);
}

TEST_F(ImageIo, TruncatedJpeg) {
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 255);
  Bytes jpeg = encode(".jpg", noise);
  jpeg.resize(jpeg.size() / 2);
  const std::string path = write("cut.jpg", jpeg);
  const std::string message = error_of([&] { read_image(path); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("JPEG data is truncated"), std::string::npos) << message;
}

TEST_F(ImageIo, TruncatedPng) {
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 255);
  Bytes png = encode(".png", noise);
  png.resize(png.size() / 2);
  EXPECT_NE(error_of([&] { decode_image("cut.png", png); }).find("cut.png: PNG data is truncated"),
            std::string::npos);
}

// Issue 14, item 9: libpng printed its own "IDAT: CRC error" line on stderr
// before facekit's. The CRC is now checked first (zlib's crc32 of "IEND" is
// the constant AE426082 every PNG ends with: the check's own reference).
TEST_F(ImageIo, PngWithACorruptChunkIsRefusedBeforeLibpngSeesIt) {
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 255);
  Bytes png = encode(".png", noise);
  ASSERT_EQ(png[png.size() - 4], 0xAE);  // IEND's CRC, as libpng wrote it
  EXPECT_NO_THROW(decode_image("whole.png", png));
  const auto idat = std::search(png.begin(), png.end(), std::begin("IDAT"), std::end("IDAT") - 1);
  ASSERT_NE(idat, png.end());
  idat[40] ^= 0x5A;  // inside the compressed data
  const std::string message = error_of([&] { decode_image("flipped.png", png); });
  EXPECT_NE(message.find("flipped.png: PNG data is corrupt (a CRC error in chunk IDAT)"), std::string::npos)
      << message;
}

TEST_F(ImageIo, JpegHeaderCutShort) {
  Bytes jpeg = encode(".jpg", cv::Mat(8, 8, CV_8UC3, cv::Scalar(9, 9, 9)));
  jpeg.resize(40);
  EXPECT_NE(error_of([&] { decode_image("short.jpg", jpeg); }).find("short.jpg: JPEG header is truncated"),
            std::string::npos);
}

TEST_F(ImageIo, RandomBytes) {
  std::mt19937 rng(7);
  Bytes junk(4096);
  for (auto& b : junk) b = static_cast<uint8_t>(rng());
  const std::string path = write("junk.jpg", junk);
  const std::string message = error_of([&] { read_image(path); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("not an image facekit reads"), std::string::npos) << message;
}

// Random bytes behind a valid signature reach the header readers or OpenCV:
// each decodes or ends in an Error, never a crash or another exception.
TEST_F(ImageIo, RandomBytesBehindEachSignature) {
  std::mt19937 rng(11);
  const std::vector<std::string> signatures = {"\xFF\xD8\xFF", "\x89PNG\r\n\x1A\n", "BM", "II*", "MM", "P6\n", "P7\n"};
  for (const std::string& signature : signatures) {
    for (int trial = 0; trial < 50; ++trial) {
      Bytes bytes(signature.begin(), signature.end());
      if (signature == "MM") bytes.insert(bytes.end(), {0, 42});
      if (signature == "II*") bytes.push_back(0);
      for (size_t i = 0, n = rng() % 300; i < n; ++i) bytes.push_back(static_cast<uint8_t>(rng()));
      try {
        const cv::Mat rgb = decode_image("junk", bytes);
        EXPECT_EQ(rgb.type(), CV_8UC3);
      } catch (const Error&) {
      }
    }
  }
}

TEST_F(ImageIo, WriteRefusesOtherFormatsAndUnknownExtensions) {
  EXPECT_NE(error_of([&] { write_image((dir_ / "a.png").string(), cv::Mat(2, 2, CV_8UC1)); }).find("8-bit RGB"),
            std::string::npos);
  const std::string path = (dir_ / "a.unknown").string();
  EXPECT_NE(error_of([&] { write_image(path, cv::Mat(2, 2, CV_8UC3)); }).find(path), std::string::npos);
}

}  // namespace
}  // namespace facekit

namespace facekit {
namespace {

TEST(ImageFiles, ExtensionsReadImageReadsInAnyCase) {
  for (const char* name : {"a.jpg", "b.JPEG", "c.Png", "d.bmp", "e.tif", "f.TIFF", "g.webp", "h.pgm", "dir/i.ppm"})
    EXPECT_TRUE(has_image_extension(name)) << name;
  for (const char* name : {"a.txt", "b", "c.jpg.part", ".jpg", "d.gif", "e.pdf"})
    EXPECT_FALSE(has_image_extension(name)) << name;
}

}  // namespace
}  // namespace facekit
