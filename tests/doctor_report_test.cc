// facekit::doctor: each area's findings against what the test sets up (an
// empty or tampered models folder, galleries good and bad, fake trainers)
// and against the machine as /proc/cpuinfo describes it.
#include "facekit/doctor.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/version.h"
#include "facekit/zoo.h"
#include "temp_dir.h"

namespace {

using facekit::doctor::Finding;
using facekit::doctor::Verdict;
using facekit::testing::TempDir;

// The models folder for the test's scope ($FACEKIT_MODELS), restored after.
class ModelsDir {
 public:
  explicit ModelsDir(const std::filesystem::path& dir) {
    if (const char* old = std::getenv("FACEKIT_MODELS")) old_ = old;
    setenv("FACEKIT_MODELS", dir.c_str(), 1);
  }
  ~ModelsDir() { old_.empty() ? unsetenv("FACEKIT_MODELS") : setenv("FACEKIT_MODELS", old_.c_str(), 1); }

 private:
  std::string old_;
};

std::vector<Finding> in_area(const facekit::doctor::Report& r, const std::string& area) {
  std::vector<Finding> out;
  for (const auto& f : r.findings)
    if (f.area == area) out.push_back(f);
  return out;
}

const Finding* item(const facekit::doctor::Report& r, const std::string& name) {
  for (const auto& f : r.findings)
    if (f.item == name) return &f;
  return nullptr;
}

facekit::doctor::Report examine_quickly(const std::string& db = "", const std::filesystem::path& tools = {}) {
  TempDir models("doctor_models");
  ModelsDir scope(models.path);
  facekit::doctor::Options o;
  o.database = db;
  o.tools_dir = tools;
  return facekit::doctor::examine(o);
}

void write_script(const std::filesystem::path& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  chmod(path.c_str(), 0755);
}

TEST(Doctor, VersionIsTheHeadersVersion) {
  const std::string built = std::to_string(FACEKIT_VERSION_MAJOR) + "." + std::to_string(FACEKIT_VERSION_MINOR) + "." +
                            std::to_string(FACEKIT_VERSION_PATCH);
  EXPECT_EQ(built, FACEKIT_VERSION);
  EXPECT_STREQ(facekit::version(), FACEKIT_VERSION);
  EXPECT_EQ(FACEKIT_VERSION_NUMBER, FACEKIT_VERSION_MAJOR * 10000 + FACEKIT_VERSION_MINOR * 100 + FACEKIT_VERSION_PATCH);
}

TEST(Doctor, EmptyModelsFolderIsANoteNamingEveryModel) {
  const auto report = examine_quickly();
  const auto models = in_area(report, "models");
  ASSERT_EQ(models.size(), facekit::zoo::models().size() + 1);  // the summary, then one per missing model
  EXPECT_EQ(models[0].verdict, Verdict::kNote);
  EXPECT_NE(models[0].detail.find("0 of " + std::to_string(facekit::zoo::models().size())), std::string::npos)
      << models[0].detail;
  for (size_t i = 1; i < models.size(); ++i) {
    EXPECT_EQ(models[i].verdict, Verdict::kNote);
    EXPECT_NE(models[i].detail.find("facekit models install " + models[i].item), std::string::npos);
  }
  EXPECT_TRUE(report.healthy());
}

TEST(Doctor, TamperedModelIsAProblem) {
  TempDir models("doctor_models");
  ModelsDir scope(models.path);
  const auto& m = facekit::zoo::models().front();
  std::filesystem::create_directories(models.path / m.id);
  for (const auto& f : m.files) std::ofstream(facekit::zoo::installed_path(m, f)) << "not the model";
  const auto report = facekit::doctor::examine({});
  const Finding* f = item(report, m.id);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::kProblem);
  EXPECT_NE(f->detail.find("facekit models install " + m.id), std::string::npos) << f->detail;
  EXPECT_FALSE(report.healthy());
  // Without checksums the same files pass as present.
  facekit::doctor::Options unverified;
  unverified.verify_models = false;
  EXPECT_EQ(item(facekit::doctor::examine(unverified), m.id), nullptr);
}

// The kernels' choice against the CPU's flags as the kernel reports them.
TEST(Doctor, CpuFindingsMatchProcCpuinfo) {
  std::ifstream in("/proc/cpuinfo");
  if (!in) GTEST_SKIP() << "no /proc/cpuinfo";
  std::string line, flags;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      flags = line + " ";
      break;
    }
  if (flags.empty()) GTEST_SKIP() << "/proc/cpuinfo lists no flags (not x86)";
  const auto has = [&](const std::string& flag) { return flags.find(" " + flag + " ") != std::string::npos; };
  const auto report = examine_quickly();
  const Finding* kernels = item(report, "distance kernels");
  ASSERT_NE(kernels, nullptr);
  const std::string expected = has("avx512f")                             ? "avx512"
                               : has("avx2") && has("fma") && has("f16c") ? "avx2+fma+f16c"
                                                                          : "baseline";
  EXPECT_EQ(kernels->detail.substr(0, expected.size()), expected);
  const Finding* features = item(report, "features");
  ASSERT_NE(features, nullptr);
  EXPECT_EQ(features->detail.find("avx2") != std::string::npos, has("avx2"));
  EXPECT_EQ(features->detail.find("avx512f") != std::string::npos, has("avx512f"));
  bool onednn = false;
  for (const auto& f : in_area(report, "cpu")) onednn |= f.item.rfind("neural network (oneDNN 2.", 0) == 0 || f.item.rfind("neural network (oneDNN 3.", 0) == 0;
  EXPECT_TRUE(onednn);
}

TEST(Doctor, ThreadsReportTheEnvironment) {
  setenv("GOMP_SPINCOUNT", "1234", 1);
  const auto report = examine_quickly();
  unsetenv("GOMP_SPINCOUNT");
  const Finding* waiting = item(report, "OpenMP waiting");
  ASSERT_NE(waiting, nullptr);
  EXPECT_NE(waiting->detail.find("GOMP_SPINCOUNT=1234"), std::string::npos) << waiting->detail;
  ASSERT_NE(item(report, "cores"), nullptr);
}

TEST(Doctor, DatabaseBackendsAndAGoodGallery) {
  TempDir dir("doctor_db");
  const auto db = (dir.path / "people.db").string();
  { facekit::Gallery g(db); g.add_person("ada"); }
  const auto report = examine_quickly(db);
  const Finding* sqlite = item(report, "SQLite");
  ASSERT_NE(sqlite, nullptr);
  EXPECT_NE(sqlite->detail.find("3."), std::string::npos);
  ASSERT_NE(item(report, "PostgreSQL client (libpq)"), nullptr);
  const Finding* tried = item(report, "--db (SQLite) " + db);
  ASSERT_NE(tried, nullptr);
  EXPECT_EQ(tried->verdict, Verdict::kOk) << tried->detail;
}

TEST(Doctor, BadGalleriesAreProblemsAndNothingIsCreated) {
  TempDir dir("doctor_db");
  const auto absent = (dir.path / "absent.db").string();
  auto report = examine_quickly(absent);
  EXPECT_EQ(item(report, "--db (SQLite) " + absent)->verdict, Verdict::kProblem);
  EXPECT_FALSE(std::filesystem::exists(absent));  // looked at, never created

  const auto junk = (dir.path / "junk.db").string();
  std::ofstream(junk) << std::string(4096, 'x');
  report = examine_quickly(junk);
  EXPECT_EQ(item(report, "--db (SQLite) " + junk)->verdict, Verdict::kProblem);
  EXPECT_FALSE(report.healthy());

  // Nothing listens on port 1 of the loopback; the password never shows.
  report = examine_quickly("postgresql://ada:s3cret-pw@127.0.0.1:1/people?connect_timeout=2");
  const Finding* pg = item(report, "--db (PostgreSQL)");
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->verdict, Verdict::kProblem);
  EXPECT_NE(pg->detail.find("cannot connect"), std::string::npos) << pg->detail;
  EXPECT_EQ(facekit::doctor::to_text(report).find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(facekit::doctor::to_json(report).dump().find("s3cret-pw"), std::string::npos);

  EXPECT_THROW(examine_quickly(std::string("a\0b", 3)), facekit::Error);
}

TEST(Doctor, TrainerAbsentWorkingOrBroken) {
  TempDir tools("doctor_tools");
  const auto trainer = [&](const facekit::doctor::Report& r) { return *item(r, "training (facekit-train, libtorch)"); };
  EXPECT_EQ(trainer(examine_quickly("", tools.path)).verdict, Verdict::kNote);
  write_script(tools.path / "facekit-train", "[ \"$1\" = --version ] && echo 1.0.0");
  EXPECT_EQ(trainer(examine_quickly("", tools.path)).verdict, Verdict::kOk);
  write_script(tools.path / "facekit-train", "echo 'error while loading shared libraries' >&2; exit 127");
  const Finding broken = trainer(examine_quickly("", tools.path));
  EXPECT_EQ(broken.verdict, Verdict::kProblem);
  EXPECT_NE(broken.detail.find("exit status 127"), std::string::npos) << broken.detail;
  // No tools folder given: training is not looked for.
  EXPECT_EQ(item(examine_quickly(), "training (facekit-train, libtorch)"), nullptr);
}

TEST(Doctor, TextAndJsonCarryEveryFinding) {
  const auto report = examine_quickly();
  const auto json = facekit::doctor::to_json(report);
  ASSERT_EQ(json["findings"].size(), report.findings.size());
  EXPECT_EQ(json["healthy"], report.healthy());
  const std::string text = facekit::doctor::to_text(report);
  std::istringstream lines(text);
  size_t count = 0;
  for (std::string line; std::getline(lines, line);) ++count;
  EXPECT_EQ(count, report.findings.size() + 1);  // one per finding and the summary
  for (size_t i = 0; i < report.findings.size(); ++i) {
    EXPECT_EQ(json["findings"][i]["verdict"], facekit::doctor::verdict_name(report.findings[i].verdict));
    EXPECT_NE(text.find(report.findings[i].item + ": " + report.findings[i].detail), std::string::npos);
  }
}

}  // namespace
