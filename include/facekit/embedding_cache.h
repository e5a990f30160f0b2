// An on-disk cache of image embeddings for evaluations that re-read the same
// images (eval, calibrate, fitting a fusion): one file per pipeline
// configuration (model, crop, flip, detector, ...), one line per image.
//
// A line holds the image's path, its size and modification time (a changed
// file is embedded again), and either "-" (no face) or face_found and the
// vector. Lines are appended and flushed as they are made, so an interrupted
// run keeps what it computed; a torn last line is ignored on reading. Values
// are written with 9 significant digits, which gives back every float
// exactly. An image that could not be read (an Error) is not cached.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "facekit/eval.h"

namespace facekit::eval {

class EmbeddingCache {
 public:
  // The cache of `configuration` (free text naming everything the embeddings
  // depend on) in `folder` (created when absent): the file is named by a hash
  // of the configuration, whose text is its first line. Throws Error naming
  // the folder or file when it cannot be created, read or opened for
  // appending, or when the file's first line names another configuration.
  EmbeddingCache(const std::filesystem::path& folder, const std::string& configuration);

  // `embed`, answered from the cache where the image is unchanged, its new
  // results stored. The cache must outlive the returned function, which may
  // be called from several threads at once.
  EmbedImage wrap(EmbedImage embed);

  const std::filesystem::path& file() const { return file_; }
  // Images answered from the cache so far, and images embedded.
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }

 private:
  struct Entry {
    uintmax_t size = 0;
    int64_t mtime = 0;
    std::optional<ImageEmbedding> embedding;
  };
  std::filesystem::path file_;
  std::map<std::string, Entry> entries_;
  std::ofstream out_;
  std::mutex mutex_;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace facekit::eval
