// Embeddings kept on disk per pipeline configuration (include/facekit/embedding_cache.h).
#include "facekit/embedding_cache.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "facekit/error.h"

namespace facekit::eval {

namespace fs = std::filesystem;

namespace {

// FNV-1a, 64 bits: a stable file name for a configuration on every platform.
std::string hash_name(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.tsv", static_cast<unsigned long long>(h));
  return name;
}

// The image's identity in the cache: its absolute path, which must fit on one
// tab-separated line (else the image is not cached).
std::optional<std::string> image_key(const fs::path& image) {
  std::error_code error;
  const std::string key = fs::absolute(image, error).lexically_normal().string();
  if (error || key.find_first_of("\t\n\r") != std::string::npos) return std::nullopt;
  return key;
}

struct FileStamp {
  uintmax_t size = 0;
  int64_t mtime = 0;
};

std::optional<FileStamp> stamp_of(const fs::path& image) {
  std::error_code error;
  const uintmax_t size = fs::file_size(image, error);
  if (error) return std::nullopt;
  const auto time = fs::last_write_time(image, error);
  if (error) return std::nullopt;
  return FileStamp{size, static_cast<int64_t>(time.time_since_epoch().count())};
}

}  // namespace

EmbeddingCache::EmbeddingCache(const fs::path& folder, const std::string& configuration) {
  check(configuration.find_first_of("\n\r") == std::string::npos, "embedding cache",
        "the configuration must be one line");
  std::error_code error;
  fs::create_directories(folder, error);
  check(!error && fs::is_directory(folder), folder.string(), "cannot be created as the embedding cache's folder");
  file_ = folder / hash_name(configuration);
  if (fs::exists(file_)) {
    std::ifstream in(file_);
    check(in.good(), file_.string(), "cannot be read");
    std::string line;
    std::getline(in, line);
    check(line == configuration, file_.string(),
          "holds the embeddings of '" + line + "', not of '" + configuration + "' (remove the file)");
    while (std::getline(in, line)) {
      // path \t size \t mtime \t (- | found \t v,v,...)
      std::vector<std::string> fields;
      std::stringstream split(line);
      for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
      try {
        Entry entry{std::stoull(fields.at(1)), std::stoll(fields.at(2)), std::nullopt};
        if (fields.at(3) != "-") {
          ImageEmbedding e{{}, fields.at(3) == "1"};
          std::stringstream values(fields.at(4));
          for (std::string v; std::getline(values, v, ',');) e.embedding.push_back(std::stof(v));
          if (e.embedding.empty()) continue;
          entry.embedding = std::move(e);
        }
        entries_[fields[0]] = std::move(entry);
      } catch (const std::exception&) {
        continue;  // a torn line (an interrupted run): embedded again
      }
    }
  }
  const bool fresh = !fs::exists(file_);
  bool torn = false;  // an interrupted run's last line, ended here so that the next starts on its own
  if (!fresh) {
    std::ifstream in(file_, std::ios::binary | std::ios::ate);
    if (in.tellg() > 0) {
      in.seekg(-1, std::ios::end);
      torn = in.get() != '\n';
    }
  }
  out_.open(file_, std::ios::app);
  check(out_.good(), file_.string(), "cannot be opened for appending");
  if (fresh) out_ << configuration << "\n" << std::flush;
  if (torn) out_ << "\n" << std::flush;
}

EmbedImage EmbeddingCache::wrap(EmbedImage embed) {
  return [this, embed = std::move(embed)](const fs::path& image) -> std::optional<ImageEmbedding> {
    const auto key = image_key(image);
    const auto stamp = stamp_of(image);
    if (key && stamp) {
      const std::lock_guard lock(mutex_);
      const auto it = entries_.find(*key);
      if (it != entries_.end() && it->second.size == stamp->size && it->second.mtime == stamp->mtime) {
        ++hits_;
        return it->second.embedding;
      }
    }
    std::optional<ImageEmbedding> result = embed(image);  // an Error passes through, uncached
    const std::lock_guard lock(mutex_);
    ++misses_;
    if (!key || !stamp) return result;
    std::ostringstream line;
    line << *key << '\t' << stamp->size << '\t' << stamp->mtime << '\t';
    if (!result) {
      line << '-';
    } else {
      line << (result->face_found ? '1' : '0') << '\t';
      char value[32];
      for (size_t i = 0; i < result->embedding.size(); ++i) {
        std::snprintf(value, sizeof value, "%.9g", static_cast<double>(result->embedding[i]));
        line << (i ? "," : "") << value;
      }
    }
    out_ << line.str() << "\n" << std::flush;
    entries_[*key] = {stamp->size, stamp->mtime, result};
    return result;
  };
}

}  // namespace facekit::eval
