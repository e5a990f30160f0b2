// Where calibrations live: the model card, overridden by the user's file.
#include <cmath>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "facekit/error.h"
#include "facekit/match.h"
#include "facekit/zoo.h"

namespace facekit {

namespace fs = std::filesystem;

nlohmann::json calibration_to_json(const Calibration& c) {
  nlohmann::json j = nlohmann::json::object();
  if (c.threshold) j["threshold"] = *c.threshold;
  if (!c.far_thresholds.empty()) j["far"] = c.far_thresholds;
  if (c.logistic) j["logistic"] = {{"a", c.logistic->a}, {"b", c.logistic->b}};
  if (c.pairs > 0) j["pairs"] = c.pairs;
  if (!c.dataset.empty()) j["dataset"] = c.dataset;
  return j;
}

namespace {

double finite_number(const nlohmann::json& j, const std::string& context) {
  check(j.is_number(), context, "is not a number");
  const double v = j.get<double>();
  check(std::isfinite(v), context, "is not finite");
  return v;
}

}  // namespace

Calibration calibration_from_json(const nlohmann::json& j, const std::string& model, Metric metric,
                                  const std::string& context) {
  const std::string where = context + ": thresholds." + metric_name(metric);
  check(j.is_object(), where, "is not an object");
  Calibration c;
  c.model = model;
  c.metric = metric;
  if (j.contains("threshold")) {
    c.threshold = finite_number(j["threshold"], where + ".threshold");
    check_threshold(*c.threshold, metric, where + ".threshold");
  }
  if (j.contains("far")) {
    check(j["far"].is_object(), where + ".far", "is not an object of FAR → threshold");
    for (const auto& [far, threshold] : j["far"].items()) {
      c.far_thresholds[far] = finite_number(threshold, where + ".far." + far);
      check_threshold(c.far_thresholds[far], metric, where + ".far." + far);
    }
  }
  if (j.contains("logistic")) {
    const auto& l = j["logistic"];
    check(l.is_object() && l.contains("a") && l.contains("b"), where + ".logistic", "needs an object {\"a\", \"b\"}");
    c.logistic = Logistic{finite_number(l["a"], where + ".logistic.a"), finite_number(l["b"], where + ".logistic.b")};
  }
  if (j.contains("pairs")) {
    check(j["pairs"].is_number_integer() && j["pairs"].get<int64_t>() >= 0, where + ".pairs", "is not a count");
    c.pairs = j["pairs"].get<int64_t>();
  }
  if (j.contains("dataset")) {
    check(j["dataset"].is_string(), where + ".dataset", "is not a string");
    c.dataset = j["dataset"].get<std::string>();
  }
  return c;
}

fs::path calibration_path(const std::string& model) {
  const std::string context = "calibration: model id '" + model + "'";
  check(!model.empty() && model != "." && model != "..", context, "cannot be a file name");
  for (unsigned char ch : model)
    check(ch >= 0x20 && ch != 0x7f && ch != '/' && ch != '\\', context, "cannot be a file name (it holds '/', '\\' or a control character)");
  return zoo::models_dir() / "calibration" / (model + ".json");
}

namespace {

// The user file's JSON, or nullopt when there is none.
std::optional<nlohmann::json> read_user_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  check(in.good(), path.string(), "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": malformed JSON (" + e.what() + ")");
  }
  check(j.is_object() && j.contains("thresholds") && j["thresholds"].is_object(), path.string(),
        "is not a calibration file (needs an object with \"thresholds\": {metric: {...}})");
  return j;
}

// Holds an exclusive flock on the directory `path` for its lifetime, so that
// two `facekit calibrate` runs do not both read, merge and overwrite a file.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    check(fd_ >= 0, path.string(), "cannot be opened to lock it");
    if (::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      throw Error(path.string() + ": cannot be locked");
    }
  }
  ~DirectoryLock() { ::close(fd_); }  // closing releases the lock
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_;
};

// Writes `text` to `path` through a temporary file in the same directory,
// flushed to disk before it is renamed over `path`.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd >= 0, temp.string(), "cannot be created");
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const bool ok = written == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(temp, path, ec);
  if (!ok || ec) {
    fs::remove(temp, ec);
    throw Error(path.string() + ": cannot be written" + (ok ? " (rename failed)" : " (disk full or not writable?)"));
  }
}

}  // namespace

Calibration load_calibration(const std::string& model, Metric metric) {
  const fs::path path = calibration_path(model);
  const std::string metric_key = metric_name(metric);
  if (const auto user = read_user_file(path); user && (*user)["thresholds"].contains(metric_key)) {
    Calibration c = calibration_from_json((*user)["thresholds"][metric_key], model, metric, path.string());
    c.source = "user:" + path.string();
    return c;
  }
  for (const auto& m : zoo::models()) {
    if (m.id != model) continue;
    if (m.card.contains("thresholds") && m.card["thresholds"].contains(metric_key)) {
      Calibration c = calibration_from_json(m.card["thresholds"][metric_key], model, metric,
                                            "model card of '" + model + "'");
      c.source = "card";
      return c;
    }
  }
  Calibration none;
  none.model = model;
  none.metric = metric;
  return none;
}

void save_calibration(const Calibration& c) {
  const fs::path path = calibration_path(c.model);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  check(!ec, path.parent_path().string(), "cannot be created (" + ec.message() + ")");
  const DirectoryLock lock(path.parent_path());
  nlohmann::json file = read_user_file(path).value_or(nlohmann::json{{"thresholds", nlohmann::json::object()}});
  file["model"] = c.model;
  file["thresholds"][metric_name(c.metric)] = calibration_to_json(c);
  write_atomically(path, file.dump(2) + "\n");
}

}  // namespace facekit
