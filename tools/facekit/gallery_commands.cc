#include "gallery_commands.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "facekit/cluster.h"
#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/identify.h"
#include "facekit/image.h"
#include "facekit/limits.h"
#include "facekit/pipeline.h"
#include "image_inputs.h"
#include "in_order_workers.h"
#include "people_folder.h"
#include "progress.h"

namespace facekit::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

double rounded(double value, double per_unit) { return std::round(value * per_unit) / per_unit; }
json box_json(const cv::Rect2f& b) {
  return {{"x", rounded(b.x, 100)}, {"y", rounded(b.y, 100)}, {"width", rounded(b.width, 100)},
          {"height", rounded(b.height, 100)}};
}
// JSON has no infinity: a missing runner-up is null.
json distance_json(double d) { return std::isfinite(d) ? json(rounded(d, 1e6)) : json(nullptr); }

// One line on stderr; on a terminal it first wipes the progress line, which
// the next update redraws.
void report(const std::string& line) {
  if (isatty(STDERR_FILENO) == 1) std::cerr << "\r\033[K";
  std::cerr << "facekit: " << line << "\n";
}

// Every face of the image at `path` (or only the largest) with its vector;
// nullopt, after one report line, when the image is unusable.
std::optional<std::vector<FaceEmbedding>> faces_of(const std::string& path, RecognitionModels& models,
                                                   bool largest_only) {
  try {
    return embed_image(path, models, largest_only);
  } catch (const Error& e) {
    report(std::string(e.what()) + " (skipped)");
    return std::nullopt;
  }
}

// The threshold (user, else calibrated: calibration file, else model card)
// and the logistic fit of the models' (recognizer, metric).
struct Decision {
  double threshold = 0;
  std::optional<Logistic> logistic;
};

Decision decide(const RecognitionModels& m, const std::optional<double>& user_threshold) {
  const Calibration calibration = recognizer_calibration(*m.recognizer, m.metric);
  if (!user_threshold)
    check(calibration.threshold.has_value(), "model " + m.recognizer->name() + ", metric " + metric_name(m.metric),
          "no threshold is known: run `facekit calibrate --model " + m.recognizer->name() + " --metric " +
              metric_name(m.metric) + " ...` or pass --threshold");
  return {user_threshold ? *user_threshold : *calibration.threshold, calibration.logistic};
}

struct EnrollCounts {
  int added = 0, replaced = 0, unchanged = 0, duplicates = 0, faceless = 0, unreadable = 0;
};

// What a worker made of one photo of a people folder.
struct ExaminedPhoto {
  enum class Kind { kUnreadable, kStoredBefore, kEmbedded } kind = Kind::kUnreadable;
  PhotoEnrollment photo;  // kEmbedded: without faces when none was found
  std::string error;      // kUnreadable: why
};

// Hashes the photo and, unless `stored_before` knows its content, embeds its
// largest face.
ExaminedPhoto examine(const LabelledPhoto& labelled, const std::string& model, RecognitionModels& models,
                      const std::function<bool(const std::string& hash)>& stored_before) {
  const std::string file = labelled.file.string();
  ExaminedPhoto out;
  try {
    const std::string hash = content_hash(labelled.file);
    if (stored_before(hash)) {
      out.kind = ExaminedPhoto::Kind::kStoredBefore;
      return out;
    }
    out.photo = {labelled.identity, file, hash, model, {}};
    for (const auto& f : embed_image(file, models, /*largest_only=*/true))
      out.photo.faces.push_back({f.face.box, f.embedding, face_thumbnail(f.crop)});
    out.kind = ExaminedPhoto::Kind::kEmbedded;
  } catch (const Error& e) {
    out.error = e.what();
  }
  return out;
}

// Enrolls the people folder into `gallery`, `batch` photos per transaction.
// `jobs` threads examine the photos, the first with `models`, the others
// with their own, loaded from `options`; this thread alone writes, taking
// the photos in the folder's order, so the gallery, the reports and the
// counts do not depend on `jobs`.
EnrollCounts enroll_folder(Gallery& gallery, RecognitionModels& models, const RecognitionOptions& options,
                           const std::string& model, const std::string& folder, int batch, int jobs) {
  const auto photos = people_folder(folder, [](const std::string& note) { report(note + " (skipped)"); });
  EnrollCounts counts;
  Progress bar(photos.size());

  // The incremental check skips what the gallery held before this run. The
  // photos this run stores are left to enroll() (a second copy is then a
  // duplicate), whatever has been committed when a worker asks: that is
  // what keeps the outcome independent of timing and batches. The workers
  // ask through the writer's connection, one at a time.
  std::mutex gallery_mutex;
  std::unordered_set<std::string> stored_now;
  auto stored_before = [&](const std::string& hash) {
    const std::lock_guard lock(gallery_mutex);
    return !stored_now.contains(hash) && gallery.contains_photo(model, hash);
  };

  std::mutex loading_mutex;
  bool lent = false;
  std::vector<std::unique_ptr<RecognitionModels>> loaded;
  auto models_of_worker = [&]() -> RecognitionModels* {
    {
      const std::lock_guard lock(loading_mutex);
      if (!lent) return lent = true, &models;
    }
    auto own = std::make_unique<RecognitionModels>(load_recognition_models(options));
    const std::lock_guard lock(loading_mutex);
    return loaded.emplace_back(std::move(own)).get();
  };

  std::vector<PhotoEnrollment> pending;
  auto flush = [&] {
    std::vector<EnrollReport> reports;
    {
      const std::lock_guard lock(gallery_mutex);
      reports = gallery.enroll(pending);
      for (const PhotoEnrollment& p : pending) stored_now.insert(p.content_hash);
    }
    for (size_t i = 0; i < reports.size(); ++i) {
      switch (reports[i].outcome) {
        case EnrollOutcome::kAdded: ++counts.added; break;
        case EnrollOutcome::kReplaced: ++counts.replaced; break;
        case EnrollOutcome::kUnchanged: ++counts.unchanged; break;
        case EnrollOutcome::kDuplicate:
          ++counts.duplicates;
          report(pending[i].file + ": the same photo as " + reports[i].existing_file + " of " +
                 reports[i].existing_identity + " (skipped)");
          break;
      }
    }
    pending.clear();
  };
  auto take = [&](size_t i, ExaminedPhoto&& examined) {
    switch (examined.kind) {
      case ExaminedPhoto::Kind::kUnreadable:
        report(examined.error + " (skipped)");
        ++counts.unreadable;
        break;
      case ExaminedPhoto::Kind::kStoredBefore: ++counts.unchanged; break;
      case ExaminedPhoto::Kind::kEmbedded:
        if (examined.photo.faces.empty()) {  // remembered, so that a rerun does not read it again
          report(examined.photo.file + ": no face found (skipped)");
          ++counts.faceless;
        }
        pending.push_back(std::move(examined.photo));
        if (static_cast<int>(pending.size()) >= batch) flush();
        break;
    }
    bar.update(i + 1, photos[i].file.string());
  };
  run_in_order<RecognitionModels*, ExaminedPhoto>(
      photos.size(), jobs, 4 * static_cast<size_t>(jobs), models_of_worker,
      [&](RecognitionModels*& m, size_t i) { return examine(photos[i], model, *m, stored_before); }, take);
  if (!pending.empty()) flush();
  return counts;
}

// Writes the thumbnail of `identity`'s stored vector nearest to `query` into
// `dir`, named by the vector's id (never by the identity); its path, or null
// when that vector has none.
json write_thumbnail(const Gallery& gallery, const std::vector<StoredVector>& vectors, const std::string& identity,
                     const std::vector<float>& query, Metric metric, const std::string& dir) {
  const StoredVector* nearest = nullptr;
  double best = 0;
  for (const auto& v : vectors) {
    if (v.identity != identity) continue;
    const double d = distance(query, v.vector, metric);
    if (!nearest || d < best) std::tie(nearest, best) = std::pair(&v, d);
  }
  const std::vector<uint8_t> jpeg = gallery.thumbnail(nearest->id);
  if (jpeg.empty()) return nullptr;
  const std::string path = (fs::path(dir) / ("vector-" + std::to_string(nearest->id) + ".jpg")).string();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  check(out.good(), path, "cannot write the thumbnail");
  return path;
}

// What one enrollment worker holds: its own models and executor scratch,
// and the photo in flight (decoded, resized for the detector); measured in
// docs/gallery.md.
constexpr size_t kEnrollWorkerBytes = size_t{256} << 20;

// Counts a user gives (-k, --top-n, --batch): CLI::PositiveNumber's message
// would print the range of a double, 300 digits.
const CLI::Range kCountRange(1, 1'000'000);

}  // namespace

std::string gallery_model(const RecognitionOptions& options, const Recognizer& recognizer) {
  return recognizer.name() + (options.flip ? "+flip" : "");
}

CLI::App* add_enroll_command(CLI::App& app, EnrollCommandOptions& o) {
  auto* cmd = app.add_subcommand("enroll", "add a folder of people's photos to a gallery (incremental)");
  cmd->add_option("folder", o.folder, "people/NAME/*.jpg, or people/NAME.jpg")->required();
  cmd->add_option("--db", o.db, "gallery: a SQLite file (created when absent) or a postgresql:// URI")->required();
  cmd->add_option("--batch", o.batch, "photos per transaction")->capture_default_str()->check(kCountRange);
  cmd->add_option("--jobs", o.jobs, "photos examined at once, each worker with its own models (0: all cores)")
      ->capture_default_str();
  add_recognition_options(cmd, o.recognition, false);
  return cmd;
}

CLI::App* add_find_command(CLI::App& app, FindCommandOptions& o) {
  auto* cmd = app.add_subcommand("find", "who is in each image, against a gallery");
  cmd->add_option("images", o.images, "image files")->required();
  cmd->add_option("--db", o.db, "gallery: a SQLite file, a postgresql:// URI, or a people folder (enrolled in memory)")
      ->required();
  cmd->add_option("-k", o.k, "candidates per face")->capture_default_str()->check(kCountRange);
  cmd->add_option("--aggregation", o.aggregation, "best | mean-top-n | centroid")->capture_default_str();
  cmd->add_option("--top-n", o.top_n, "vectors averaged by mean-top-n")->capture_default_str()->check(kCountRange);
  cmd->add_option("--index", o.index, "exact | exact-fp16 | exact-int8 | hnsw")->capture_default_str();
  cmd->add_flag("--text", o.text, "a human summary instead of JSON Lines");
  cmd->add_option("--thumbnails", o.thumbnails, "write each identified face's matched thumbnail into this folder");
  add_recognition_options(cmd, o.recognition, true);
  cmd->add_option("--threshold", o.threshold, "same person at or below this distance (default: the calibrated one)");
  return cmd;
}

CLI::App* add_cluster_command(CLI::App& app, ClusterCommandOptions& o) {
  auto* cmd = app.add_subcommand("cluster", "group the faces of a folder's images by person");
  cmd->add_option("folder", o.folder, "folder of images")->required();
  cmd->add_flag("--text", o.text, "a human summary instead of JSON");
  add_recognition_options(cmd, o.recognition, true);
  cmd->add_option("--threshold", o.threshold, "same person at or below this distance (default: the calibrated one)");
  return cmd;
}

int run_enroll(const EnrollCommandOptions& o) {
  const int cores = available_cores();
  const int jobs = workers_within_budget(thread_count(o.jobs, "--jobs"), kEnrollWorkerBytes, "--jobs");
  RecognitionOptions options = o.recognition;
  // "All cores" for each of several workers would oversubscribe them.
  if (jobs > 1 && options.threads == 0) options.threads = std::max(1, cores / jobs);
  RecognitionModels models = load_recognition_models(options);
  const std::string model = gallery_model(options, *models.recognizer);
  Gallery gallery(o.db);
  const EnrollCounts c = enroll_folder(gallery, models, options, model, o.folder, o.batch, jobs);
  const json summary = {{"db", gallery.location()},
                        {"model", model},
                        {"added", c.added},
                        {"replaced", c.replaced},
                        {"unchanged", c.unchanged},
                        {"duplicates", c.duplicates},
                        {"faceless", c.faceless},
                        {"unreadable", c.unreadable},
                        {"people", gallery.people().size()},
                        {"vectors", gallery.vector_count(model)}};
  std::cout << summary.dump() << std::endl;
  return 0;
}

int run_find(const FindCommandOptions& o) {
  RecognitionModels models = load_recognition_models(o.recognition);
  const std::string model = gallery_model(o.recognition, *models.recognizer);
  const Decision decision = decide(models, o.threshold);  // before any image is read
  std::unique_ptr<Gallery> gallery;
  if (fs::is_directory(o.db)) {  // a people folder: enrolled into a gallery in memory
    gallery = std::make_unique<Gallery>(":memory:");
    enroll_folder(*gallery, models, o.recognition, model, o.db, 64, /*jobs=*/1);
  } else {
    if (!is_postgres_location(o.db))
      check(fs::exists(o.db), o.db,
            "no such gallery (create it with `facekit enroll FOLDER --db " + o.db + "`)");
    gallery = std::make_unique<Gallery>(o.db, GalleryAccess::kReadOnly);
  }
  const auto vectors = gallery->vectors(model);
  check(!vectors.empty(), gallery->location(), "no vectors of model " + model + " here (enroll with --model " + model + ")");
  IdentifyOptions options;
  options.metric = models.metric;
  options.threshold = decision.threshold;
  options.logistic = decision.logistic;
  options.aggregation = parse_aggregation(o.aggregation);
  options.top_n = o.top_n;
  options.index = o.index;
  const Identifier identifier(vectors, options);
  if (!o.thumbnails.empty()) fs::create_directories(o.thumbnails);

  int status = 0;
  for (const std::string& image : o.images) {
    const auto faces = faces_of(image, models, /*largest_only=*/false);
    if (!faces) {
      status = 1;
      continue;
    }
    json faces_json = json::array();
    if (o.text) std::printf("%s: %zu face%s\n", image.c_str(), faces->size(), faces->size() == 1 ? "" : "s");
    for (const auto& f : *faces) {
      const Identification id = identifier.identify(f.embedding, o.k);
      json candidates = json::array();
      for (const auto& c : id.candidates) candidates.push_back({{"identity", c.identity}, {"distance", distance_json(c.distance)}});
      faces_json.push_back({{"face", face_summary_json(f.face)},
                            {"identity", id.identity ? json(*id.identity) : json(nullptr)},
                            {"distance", distance_json(id.distance)},
                            {"margin", distance_json(id.margin)},
                            {"confidence", rounded(id.confidence, 1e4)},
                            {"confidence_is_probability", id.calibrated},
                            {"candidates", candidates}});
      if (!o.thumbnails.empty() && id.identity)
        faces_json.back()["thumbnail"] =
            write_thumbnail(*gallery, vectors, *id.identity, f.embedding, models.metric, o.thumbnails);
      if (o.text)
        std::printf("  %-24s distance %.4f  confidence %.2f  at (%.0f, %.0f %.0fx%.0f)\n",
                    id.identity ? id.identity->c_str() : "unknown", id.distance, id.confidence, f.face.box.x,
                    f.face.box.y, f.face.box.width, f.face.box.height);
    }
    if (!o.text)
      std::cout << json({{"image", image},
                         {"model", model},
                         {"metric", metric_name(models.metric)},
                         {"threshold", decision.threshold},
                         {"aggregation", o.aggregation},
                         {"faces", faces_json}})
                       .dump()
                << std::endl;
  }
  return status;
}

int run_cluster(const ClusterCommandOptions& o) {
  RecognitionModels models = load_recognition_models(o.recognition);
  const Decision decision = decide(models, o.threshold);
  struct Found {
    std::string image;
    cv::Rect2f box;
  };
  std::vector<Found> found;
  std::vector<std::vector<float>> vectors;
  const auto images = list_image_files(o.folder, [](const std::string& note) { report(note + " (skipped)"); });
  Progress bar(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    bar.update(i, images[i]);
    const auto faces = faces_of(images[i], models, /*largest_only=*/false);
    if (!faces) continue;
    if (faces->empty()) report(images[i] + ": no face found (skipped)");
    for (const auto& f : *faces) {
      found.push_back({images[i], f.face.box});
      vectors.push_back(f.embedding);
    }
  }
  bar.update(images.size(), "");
  bar.clear();
  ClusterOptions options;
  options.metric = models.metric;
  options.threshold = decision.threshold;
  const Clustering clustering = cluster_faces(vectors, options);
  auto face_json = [&](size_t i) { return json{{"image", found[i].image}, {"box", box_json(found[i].box)}}; };
  json clusters = json::array();
  for (size_t c = 0; c < clustering.clusters.size(); ++c) {
    const Cluster& cluster = clustering.clusters[c];
    json members = json::array();
    for (size_t m : cluster.members) members.push_back(face_json(m));
    clusters.push_back({{"size", cluster.members.size()}, {"representative", face_json(cluster.representative)},
                        {"faces", members}});
    if (o.text) {
      std::printf("cluster %zu: %zu face%s, e.g. %s\n", c + 1, cluster.members.size(),
                  cluster.members.size() == 1 ? "" : "s", found[cluster.representative].image.c_str());
      for (size_t m : cluster.members)
        std::printf("  %s (%.0f, %.0f %.0fx%.0f)\n", found[m].image.c_str(), found[m].box.x, found[m].box.y,
                    found[m].box.width, found[m].box.height);
    }
  }
  if (!o.text)
    std::cout << json({{"folder", o.folder},
                       {"model", gallery_model(o.recognition, *models.recognizer)},
                       {"metric", metric_name(models.metric)},
                       {"threshold", decision.threshold},
                       {"faces", found.size()},
                       {"clusters", clusters}})
                     .dump()
              << std::endl;
  return 0;
}

}  // namespace facekit::cli
