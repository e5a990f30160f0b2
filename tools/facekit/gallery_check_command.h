// `facekit gallery check DB` and `facekit gallery upgrade DB`: a gallery's
// integrity (check_gallery in gallery.h) and its migration to this build's
// schema.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace facekit::cli {

struct GalleryCommandOptions {
  std::string db;
};

// Adds `gallery` with its subcommands `check` and `upgrade` to `app`.
CLI::App* add_gallery_command(CLI::App& app, GalleryCommandOptions& options);

// Runs the subcommand that was parsed. check prints one JSON object
// ({db, schema_version, rows_verified, ok, findings}) and returns 1 when
// something is damaged; upgrade opens the gallery for writing (which
// migrates it) and prints its schema version. Both throw Error when the
// gallery cannot be opened.
int run_gallery(const CLI::App& gallery, const GalleryCommandOptions& options);

}  // namespace facekit::cli
