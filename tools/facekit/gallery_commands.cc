#include "gallery_commands.h"

#include <cstdio>

#include "facekit/text.h"
#include "output.h"
#include "recognition_options.h"

namespace facekit::cli {

namespace {

// Counts a user gives (-k, --top-n, --batch): CLI::PositiveNumber's message
// would print the range of a double, 300 digits.
const CLI::Range kCountRange(1, 1'000'000);

}  // namespace

CLI::App* add_enroll_command(CLI::App& app, EnrollCommandOptions& o) {
  auto* cmd = app.add_subcommand("enroll", "add a folder of people's photos to a gallery (incremental)");
  cmd->add_option("folder", o.request.folder, "people/NAME/*.jpg, or people/NAME.jpg")->required();
  cmd->add_option("--db", o.request.db, "gallery: a SQLite file (created when absent) or a postgresql:// URI")
      ->required();
  cmd->add_option("--batch", o.request.batch, "photos per transaction")->capture_default_str()->check(kCountRange);
  cmd->add_option("--jobs", o.request.jobs, "photos examined at once, each worker with its own models (0: all cores)")
      ->capture_default_str();
  add_recognition_options(cmd, o.request.recognition, false);
  add_face_option(cmd, o.request.recognition);
  add_threads_option(cmd, o.engine);
  return cmd;
}

CLI::App* add_find_command(CLI::App& app, FindCommandOptions& o) {
  auto* cmd = app.add_subcommand("find", "who is in each image, against a gallery");
  cmd->add_option("images", o.images, "image files")->required();
  cmd->add_option("--db", o.request.db,
                  "gallery: a SQLite file, a postgresql:// URI, or a people folder (enrolled in memory)")
      ->required();
  cmd->add_option("-k", o.request.k, "candidates per face")->capture_default_str()->check(kCountRange);
  cmd->add_option("--aggregation", o.request.aggregation, "best | mean-top-n | centroid")->capture_default_str();
  cmd->add_option("--top-n", o.request.top_n, "vectors averaged by mean-top-n")
      ->capture_default_str()
      ->check(kCountRange);
  cmd->add_option("--index", o.request.index, "exact | exact-fp16 | exact-int8 | hnsw")->capture_default_str();
  cmd->add_flag("--text", o.text, "a human summary instead of JSON Lines");
  cmd->add_option("--thumbnails", o.request.thumbnails,
                  "write each identified face's matched thumbnail into this folder");
  add_recognition_options(cmd, o.request.recognition, true);
  add_threads_option(cmd, o.engine);
  add_threshold_options(cmd, o.request.threshold, o.request.far,
                        "same person at or below this distance (default: the calibrated one)");
  return cmd;
}

CLI::App* add_cluster_command(CLI::App& app, ClusterCommandOptions& o) {
  auto* cmd = app.add_subcommand("cluster", "group the faces of a folder's images by person");
  cmd->add_option("folder", o.request.folder, "folder of images")->required();
  cmd->add_flag("--text", o.text, "a human summary instead of JSON");
  add_recognition_options(cmd, o.request.recognition, true);
  add_threads_option(cmd, o.engine);
  add_threshold_options(cmd, o.request.threshold, o.request.far,
                        "same person at or below this distance (default: the calibrated one)");
  return cmd;
}

int run_enroll(const EnrollCommandOptions& o) {
  Engine engine(o.engine);
  EnrollResult r;
  {
    const ProgressListener progress;
    r = engine.enroll(o.request, progress.listener());
  }
  print_json(to_json(r));
  return r.unreadable > 0 ? 1 : 0;
}

int run_find(const FindCommandOptions& o) {
  Engine engine(o.engine);
  {
    const ProgressListener progress;  // a people folder is enrolled first
    engine.prepare(o.request, progress.listener());
  }
  return for_each_image(o.images, [&](const NamedImage& image) {
    const FindResult r = engine.find(image, o.request);
    if (!o.text) {
      print_json(to_json(r));
      return;
    }
    std::printf("%s: %zu face%s\n", printable(r.image).c_str(), r.faces.size(), r.faces.size() == 1 ? "" : "s");
    for (const FoundFace& f : r.faces) {
      const Identification& id = f.identification;
      std::printf("  %-24s distance %.4f  confidence %.2f  at (%.0f, %.0f %.0fx%.0f)\n",
                  id.identity ? printable(*id.identity).c_str() : "unknown", id.distance, id.confidence,
                  f.face.box.x, f.face.box.y, f.face.box.width, f.face.box.height);
    }
    std::fflush(stdout);
  });
}

int run_cluster(const ClusterCommandOptions& o) {
  Engine engine(o.engine);
  engine.prepare(o.request);
  ClusterResult r;
  {
    const ProgressListener progress;
    r = engine.cluster(o.request, progress.listener());
  }
  if (!o.text) {
    print_json(to_json(r));
  } else {
    for (size_t c = 0; c < r.clustering.clusters.size(); ++c) {
      const Cluster& cluster = r.clustering.clusters[c];
      std::printf("cluster %zu: %zu face%s, e.g. %s\n", c + 1, cluster.members.size(),
                  cluster.members.size() == 1 ? "" : "s", printable(r.faces[cluster.representative].image).c_str());
      for (size_t m : cluster.members)
        std::printf("  %s (%.0f, %.0f %.0fx%.0f)\n", printable(r.faces[m].image).c_str(), r.faces[m].box.x,
                    r.faces[m].box.y, r.faces[m].box.width, r.faces[m].box.height);
    }
  }
  return r.unreadable > 0 ? 1 : 0;
}

}  // namespace facekit::cli
