// libFuzzer target for the gallery file: a real SQLite gallery, built once at
// start, damaged anywhere. The input is a list of patches — 3 bytes of
// offset (modulo the file's size), 1 byte of length (1–32), then the bytes —
// applied to a copy of the file. Opening the copy read-only and reading
// every person, vector and thumbnail must raise facekit::Error or give back
// what was stored: a vector under another identity, a changed vector or a
// changed thumbnail is a bug (abort), as is a crash, a sanitizer report or
// another exception type. check_gallery and a write (which must refuse a
// damaged file or store soundly) run on the copy too.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <vector>

#include "facekit/error.h"
#include "facekit/gallery.h"

namespace {

namespace fs = std::filesystem;

struct Reference {
  fs::path file;                                               // where each input's copy is written
  std::vector<char> bytes;                                     // the undamaged gallery
  std::set<std::pair<std::string, std::vector<float>>> pairs;  // (identity, vector) as enrolled
  std::set<std::vector<uint8_t>> thumbnails;
};

// Not a real JPEG: the store checks only the JPEG signature, and bytes that
// differ per face are what the test needs.
std::vector<uint8_t> thumbnail_of(int i) {
  std::vector<uint8_t> t = {0xFF, 0xD8, 0xFF, 0xE0};
  for (int k = 0; k < 40; ++k) t.push_back(static_cast<uint8_t>(i * 31 + k));
  return t;
}

facekit::PhotoEnrollment photo_of(int i) {
  facekit::PhotoEnrollment p{"person " + std::to_string(i % 6), "p" + std::to_string(i) + ".jpg",
                             "hash" + std::to_string(i), "m", {}};
  std::vector<float> v(8);
  for (size_t d = 0; d < v.size(); ++d) v[d] = static_cast<float>(i) + static_cast<float>(d) / 8;
  p.faces.push_back({cv::Rect2f(1, 2, 3, 4), v, thumbnail_of(i)});
  return p;
}

Reference& reference() {
  static Reference r = [] {
    Reference made;
    const fs::path dir = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    made.file = dir / ("facekit_gallery_fuzz_" + std::to_string(getpid()) + ".db");
    const fs::path built = made.file.string() + ".reference";
    fs::remove(built);
    {
      facekit::Gallery g(built.string());
      std::vector<facekit::PhotoEnrollment> batch;
      for (int i = 0; i < 24; ++i) batch.push_back(photo_of(i));
      g.enroll(batch);
      batch.push_back(photo_of(100));  // the one each input's write adds
      for (const auto& p : batch) {
        made.pairs.insert({p.identity, p.faces[0].vector});
        made.thumbnails.insert(p.faces[0].thumbnail);
      }
    }
    std::ifstream in(built, std::ios::binary);
    made.bytes.assign(std::istreambuf_iterator<char>(in), {});
    fs::remove(built);
    return made;
  }();
  return r;
}

void read_everything(const Reference& r) {
  facekit::Gallery g(r.file.string(), facekit::GalleryAccess::kReadOnly);
  g.people();
  for (const auto& v : g.vectors("m")) {
    if (!r.pairs.contains({v.identity, v.vector})) std::abort();  // a wrong identity or a changed vector
    const std::vector<uint8_t> jpeg = g.thumbnail(v.id);
    if (!jpeg.empty() && !r.thumbnails.contains(jpeg)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Reference& r = reference();
  std::vector<char> bytes = r.bytes;
  for (size_t at = 0; at + 4 <= size;) {
    const size_t offset = (data[at] | data[at + 1] << 8 | data[at + 2] << 16) % bytes.size();
    const size_t length = std::min<size_t>({data[at + 3] % 32 + 1u, size - at - 4, bytes.size() - offset});
    std::copy(data + at + 4, data + at + 4 + length, bytes.begin() + static_cast<std::ptrdiff_t>(offset));
    at += 4 + length;
  }
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(r.file.string() + suffix);
  {
    std::ofstream out(r.file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    read_everything(r);
  } catch (const facekit::Error&) {
  }
  try {
    facekit::check_gallery(r.file.string());
  } catch (const facekit::Error&) {
  }
  try {
    facekit::Gallery(r.file.string()).enroll({photo_of(100)});
    read_everything(r);  // what the write left is sound, or an error
  } catch (const facekit::Error&) {
  }
  return 0;
}
