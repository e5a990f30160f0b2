// A SQLite gallery damaged on disk, and one the user may read but not write
// (issue 14, items 5 and 6): damaged bytes inside a vector or a thumbnail
// are an error naming the row, writes refuse a file that fails quick_check,
// `check_gallery` reports both, and a read-only open works where the user
// cannot write the file or its folder; faults mid-enrollment (a full disk,
// a medium turned read-only) fail cleanly and a rerun completes.
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> jpeg_of_shade(int shade) {
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", cv::Mat(16, 16, CV_8UC3, cv::Scalar(shade, 255 - shade, shade / 2)), jpeg);
  return jpeg;
}

// 40 people, one photo each, one 128-D face with a thumbnail: enough rows
// for several pages. Person i's vector is (i + 1, i + 1 + 1/128, ...).
std::vector<PhotoEnrollment> people(int count = 40) {
  std::vector<PhotoEnrollment> batch;
  for (int i = 0; i < count; ++i) {
    PhotoEnrollment p{"person" + std::to_string(i), "p" + std::to_string(i) + ".jpg", "h" + std::to_string(i), "m", {}};
    std::vector<float> v(128);
    for (size_t d = 0; d < v.size(); ++d) v[d] = static_cast<float>(i + 1) + static_cast<float>(d) / 128;
    p.faces.push_back({cv::Rect2f(1, 2, 30, 40), v, jpeg_of_shade(i * 6)});
    batch.push_back(std::move(p));
  }
  return batch;
}

std::vector<char> file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_at(const fs::path& file, size_t offset, const std::vector<char>& bytes) {
  std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
  io.seekp(static_cast<std::streamoff>(offset));
  io.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(io.good());
}

// Where `needle` starts in the file (which must hold it once).
size_t offset_of(const fs::path& file, const std::vector<char>& needle) {
  const std::vector<char> bytes = file_bytes(file);
  const auto at = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  EXPECT_NE(at, bytes.end()) << "not in the file";
  return static_cast<size_t>(at - bytes.begin());
}

std::string sqlite_value(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] ? values[0] : "";
        return 0;
      },
      &value, nullptr);
  sqlite3_close(db);
  return value;
}

using facekit::testing::error_of;

TEST(GalleryDamage, GarbageInsideOneVectorIsAnErrorNamingItNotAnotherIdentity) {
  testing::TempDir dir("gallery_damage_vector");
  const fs::path file = dir.path / "g.db";
  Gallery(file.string()).enroll(people());  // closed: the log is checkpointed into the file
  // 64 bytes of finite floats (person 0's values) over person 7's vector.
  std::vector<float> seven(128);
  for (size_t d = 0; d < seven.size(); ++d) seven[d] = 8.f + static_cast<float>(d) / 128;
  const std::vector<char> needle(reinterpret_cast<char*>(seven.data()), reinterpret_cast<char*>(seven.data() + 32));
  std::vector<float> garbage(16, 1.5f);
  write_at(file, offset_of(file, needle) + 64,
           std::vector<char>(reinterpret_cast<char*>(garbage.data()), reinterpret_cast<char*>(garbage.data() + 16)));

  const std::string message = error_of([&] { Gallery(file.string(), GalleryAccess::kReadOnly).vectors("m"); });
  EXPECT_NE(message.find("vector 8: checksum mismatch"), std::string::npos) << message;
  const GalleryCheck report = check_gallery(file.string());
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0], "vectors: vector 8: checksum mismatch");
  EXPECT_EQ(report.rows_verified, 4 * 40 - 1);
}

// Found by fuzz/gallery_fuzz.cc: a negative user_version indexed the
// migrations out of bounds.
TEST(GalleryDamage, ANegativeSchemaVersionIsRefusedNotMigrated) {
  testing::TempDir dir("gallery_damage_version");
  const fs::path file = dir.path / "g.db";
  Gallery(file.string()).enroll(people());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = -184549373", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  for (const GalleryAccess access : {GalleryAccess::kReadWrite, GalleryAccess::kReadOnly}) {
    const std::string message = error_of([&] { Gallery(file.string(), access).people(); });
    EXPECT_NE(message.find("schema version -184549373 is not one facekit writes"), std::string::npos) << message;
  }
  EXPECT_NE(error_of([&] { check_gallery(file.string()); }).find("is not one facekit writes"), std::string::npos);
}

TEST(GalleryDamage, GarbageInsideAThumbnailIsAnErrorNamingIt) {
  testing::TempDir dir("gallery_damage_thumbnail");
  const fs::path file = dir.path / "g.db";
  Gallery(file.string()).enroll(people());
  const std::vector<uint8_t> jpeg = jpeg_of_shade(5 * 6);  // person 5's
  write_at(file, offset_of(file, std::vector<char>(jpeg.begin(), jpeg.end())) + jpeg.size() / 2,
           std::vector<char>(32, '\x5a'));
  Gallery g(file.string(), GalleryAccess::kReadOnly);
  EXPECT_EQ(g.vectors("m").size(), 40u);  // the vectors are sound
  EXPECT_NE(error_of([&] { g.thumbnail(6); }).find("thumbnail of vector 6: checksum mismatch"), std::string::npos);
  EXPECT_EQ(g.thumbnail(7), jpeg_of_shade(6 * 6));
  EXPECT_FALSE(check_gallery(file.string()).ok());
}

TEST(GalleryDamage, WritesRefuseAFileThatFailsQuickCheck) {
  testing::TempDir dir("gallery_damage_pages");
  const fs::path file = dir.path / "g.db";
  Gallery(file.string()).enroll(people());
  // Random bytes over the header of the vectors table's root page.
  const int root = std::stoi(sqlite_value(file, "SELECT rootpage FROM sqlite_master WHERE name = 'vectors'"));
  const int page_size = std::stoi(sqlite_value(file, "PRAGMA page_size"));
  std::vector<char> noise(64);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 97 + 13) % 251);
  write_at(file, static_cast<size_t>(root - 1) * page_size, noise);

  Gallery g(file.string());
  const std::string message = error_of([&] { g.enroll(people(41)); });
  EXPECT_NE(message.find("refusing to write into a damaged database"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { g.add_person("new"); }), "");
  const GalleryCheck report = check_gallery(file.string());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.findings[0].rfind("integrity check: ", 0), 0u) << report.findings[0];
}

// Fault injection (issue 14): the disk fills up in the middle of an
// enrollment (RLIMIT_FSIZE, as a full disk answers: EFBIG on write). The
// run fails with an Error, the file stays sound with whole batches only, and
// a rerun completes it with every photo once.
TEST(GalleryFaults, DiskFullMidRunFailsCleanlyAndARerunCompletes) {
  constexpr int kPhotos = 200, kBatch = 5;
  testing::TempDir dir("gallery_disk_full");
  const fs::path file = dir.path / "g.db";
  const std::vector<PhotoEnrollment> all = people(kPhotos);
  auto enroll_missing = [&](Gallery& g) {
    std::vector<PhotoEnrollment> pending;
    for (const auto& p : all) {
      if (g.contains_photo("m", p.content_hash)) continue;
      pending.push_back(p);
      if (static_cast<int>(pending.size()) == kBatch) {
        g.enroll(pending);
        pending.clear();
      }
    }
    if (!pending.empty()) g.enroll(pending);
  };
  Gallery(file.string()).enroll({all.begin(), all.begin() + kBatch});
  const auto size = fs::file_size(file);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG instead of killing us
    const rlimit limit{size + (64 << 10), size + (64 << 10)};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(3);
    try {
      Gallery g(file.string());
      enroll_missing(g);
    } catch (const Error& e) {
      _exit(std::string(e.what()).find(file.string()) != std::string::npos ? 10 : 11);
    } catch (...) {
      _exit(12);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  ASSERT_EQ(WEXITSTATUS(status), 10) << "0: the limit was never reached; 11: an error not naming the gallery";

  {
    Gallery g(file.string());
    EXPECT_TRUE(check_gallery(file.string()).ok());
    const int64_t stored = g.photo_count("m");
    EXPECT_GT(stored, kBatch);
    EXPECT_LT(stored, kPhotos);
    EXPECT_EQ(stored % kBatch, 0) << "a batch was stored in part";
    enroll_missing(g);  // the rerun
  }
  Gallery g(file.string(), GalleryAccess::kReadOnly);
  const auto vectors = g.vectors("m");
  ASSERT_EQ(vectors.size(), static_cast<size_t>(kPhotos));
  std::set<float> firsts;
  for (const auto& v : vectors) firsts.insert(v.vector[0]);
  EXPECT_EQ(firsts.size(), static_cast<size_t>(kPhotos)) << "a photo stored twice";
  EXPECT_TRUE(check_gallery(file.string()).ok());
}

// A SQLite VFS over the default one whose files turn read-only when
// `read_only` is set, as a medium remounted read-only answers (EROFS on every
// write and on opening a file for writing; SQLite reports those as
// SQLITE_IOERR_WRITE and SQLITE_CANTOPEN). The kernel itself will not
// remount a file system read-only while a file on it is open for writing, so
// the fault is injected at SQLite's OS interface, as SQLite's own I/O-error
// tests do.
struct ReadOnlyMediumVfs {
  static inline std::atomic<bool> read_only{false};
  static inline sqlite3_vfs* base = nullptr;
  static inline sqlite3_vfs vfs{};
  static inline sqlite3_io_methods methods{};

  struct File {
    sqlite3_file file;  // first: SQLite sees a sqlite3_file*
    sqlite3_file* real;
  };
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

  static int open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    File* ours = reinterpret_cast<File*>(f);
    ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
    ours->file.pMethods = nullptr;
    if (read_only && (flags & SQLITE_OPEN_READWRITE) && !(flags & SQLITE_OPEN_MAIN_DB)) return SQLITE_CANTOPEN;
    const int rc = base->xOpen(base, name, ours->real, flags, out_flags);
    if (rc == SQLITE_OK) ours->file.pMethods = &methods;
    return rc;
  }

  // Installs it as the default VFS (new connections use it) until destroyed.
  ReadOnlyMediumVfs() {
    base = sqlite3_vfs_find(nullptr);
    vfs = *base;
    vfs.zName = "facekit-read-only-medium";
    vfs.szOsFile = static_cast<int>(sizeof(File)) + base->szOsFile;
    vfs.xOpen = open;
    methods = {};
    methods.iVersion = 3;
    methods.xClose = [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); };
    methods.xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), b, n, o); };
    methods.xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
      return read_only ? SQLITE_IOERR_WRITE : real(f)->pMethods->xWrite(real(f), b, n, o);
    };
    methods.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
      return read_only ? SQLITE_IOERR_TRUNCATE : real(f)->pMethods->xTruncate(real(f), size);
    };
    methods.xSync = [](sqlite3_file* f, int flags) {
      return read_only ? SQLITE_IOERR_FSYNC : real(f)->pMethods->xSync(real(f), flags);
    };
    methods.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); };
    methods.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
    methods.xUnlock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); };
    methods.xCheckReservedLock = [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); };
    methods.xFileControl = [](sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); };
    methods.xSectorSize = [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); };
    methods.xDeviceCharacteristics = [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); };
    methods.xShmMap = [](sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
      return real(f)->pMethods->xShmMap(real(f), pg, sz, extend, p);
    };
    methods.xShmLock = [](sqlite3_file* f, int offset, int n, int flags) {
      return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
    };
    methods.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
    methods.xShmUnmap = [](sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); };
    methods.xFetch = [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
      return real(f)->pMethods->xFetch(real(f), o, n, p);
    };
    methods.xUnfetch = [](sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); };
    sqlite3_vfs_register(&vfs, 1);
  }
  ~ReadOnlyMediumVfs() {
    read_only = false;
    sqlite3_vfs_unregister(&vfs);
  }
};

// Fault injection (issue 14): the medium turns read-only in the middle of an
// enrollment. The batch in flight fails with an Error naming the gallery;
// once the medium is writable again the file is sound with whole batches
// only, and a rerun completes it with every photo once.
TEST(GalleryFaults, MediumTurnedReadOnlyMidRunFailsCleanlyAndARerunCompletes) {
  constexpr int kPhotos = 40, kBatch = 5;
  testing::TempDir dir("gallery_read_only_medium");
  const fs::path file = dir.path / "g.db";
  const std::vector<PhotoEnrollment> all = people(kPhotos);
  auto enroll_missing = [&](Gallery& g, int batches) {
    std::vector<PhotoEnrollment> pending;
    for (const auto& p : all) {
      if (batches == 0) return;
      if (g.contains_photo("m", p.content_hash)) continue;
      pending.push_back(p);
      if (static_cast<int>(pending.size()) == kBatch) {
        g.enroll(pending);
        pending.clear();
        --batches;
      }
    }
    if (!pending.empty()) g.enroll(pending);
  };
  {
    ReadOnlyMediumVfs medium;
    Gallery g(file.string());
    enroll_missing(g, 3);
    ReadOnlyMediumVfs::read_only = true;
    const std::string message = error_of([&] { enroll_missing(g, 1); });
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    ReadOnlyMediumVfs::read_only = false;
  }
  {
    Gallery g(file.string());
    EXPECT_TRUE(check_gallery(file.string()).ok());
    EXPECT_EQ(g.photo_count("m"), 3 * kBatch) << "the failed batch left rows behind, or a stored one was lost";
    enroll_missing(g, -1);  // the rerun
  }
  Gallery g(file.string(), GalleryAccess::kReadOnly);
  const auto vectors = g.vectors("m");
  ASSERT_EQ(vectors.size(), static_cast<size_t>(kPhotos));
  std::set<float> firsts;
  for (const auto& v : vectors) firsts.insert(v.vector[0]);
  EXPECT_EQ(firsts.size(), static_cast<size_t>(kPhotos)) << "a photo stored twice";
  EXPECT_TRUE(check_gallery(file.string()).ok());
}

// Runs `f` in a child process that cannot write `dir` or what is in it: as
// `nobody` when we are root (root bypasses permissions), else after taking
// write permission away. The child's exit status: 0 when f returned true.
int as_reader_without_write_access(const fs::path& dir, const std::function<bool()>& f) {
  const bool root = geteuid() == 0;
  const passwd* nobody = getpwnam("nobody");
  if (!root) {
    for (const auto& entry : fs::directory_iterator(dir)) fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::remove);
    fs::permissions(dir, fs::perms::owner_write, fs::perm_options::remove);
  }
  const pid_t child = fork();
  if (child == 0) {
    if (root && (nobody == nullptr || setgid(nobody->pw_gid) != 0 || setuid(nobody->pw_uid) != 0)) _exit(3);
    _exit(f() ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!root) fs::permissions(dir, fs::perms::owner_write, fs::perm_options::add);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(GalleryReadOnly, FindsWithoutWriteAccessToTheFileOrItsFolder) {
  if (geteuid() == 0 && getpwnam("nobody") == nullptr) GTEST_SKIP() << "running as root without a `nobody` user";
  testing::TempDir dir("gallery_readonly");
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  const fs::path file = dir.path / "g.db";
  Gallery(file.string()).enroll(people());
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);

  // The set-up really denies writing: a read-write open fails.
  EXPECT_EQ(as_reader_without_write_access(dir.path, [&] {
              try {
                Gallery g(file.string());
                g.add_person("x");
                return false;
              } catch (const Error&) {
                return true;
              }
            }),
            0);
  // A read-only open reads every vector, sound.
  EXPECT_EQ(as_reader_without_write_access(dir.path, [&] {
              try {
                Gallery g(file.string(), GalleryAccess::kReadOnly);
                const auto v = g.vectors("m");
                const auto three = std::find_if(v.begin(), v.end(), [](const StoredVector& s) { return s.identity == "person3"; });
                return v.size() == 40 && three != v.end() && three->vector[0] == 4.f && check_gallery(file.string()).ok();
              } catch (const Error& e) {
                fprintf(stderr, "%s\n", e.what());
                return false;
              }
            }),
            0);
  EXPECT_FALSE(fs::exists(file.string() + "-shm"));
}

}  // namespace
}  // namespace facekit
