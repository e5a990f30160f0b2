#include "gallery_check_command.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "facekit/gallery.h"

namespace facekit::cli {

CLI::App* add_gallery_command(CLI::App& app, GalleryCommandOptions& o) {
  auto* cmd = app.add_subcommand("gallery", "check or upgrade a gallery");
  cmd->require_subcommand(1);
  auto* check_cmd = cmd->add_subcommand("check", "SQLite's integrity check and every row's checksum (read-only)");
  check_cmd->add_option("db", o.db, "gallery: a SQLite file or a postgresql:// URI")->required();
  auto* upgrade = cmd->add_subcommand("upgrade", "migrate a gallery to this facekit's schema");
  upgrade->add_option("db", o.db, "gallery: a SQLite file or a postgresql:// URI")->required();
  return cmd;
}

int run_gallery(const CLI::App& gallery, const GalleryCommandOptions& o) {
  if (gallery.got_subcommand("upgrade")) {
    const Gallery g(o.db);
    std::cout << nlohmann::ordered_json({{"db", g.location()}, {"schema_version", g.schema_version()}}).dump()
              << std::endl;
    return 0;
  }
  const GalleryCheck report = check_gallery(o.db);
  std::cout << nlohmann::ordered_json({{"db", masked_location(o.db)},
                                       {"schema_version", report.schema_version},
                                       {"rows_verified", report.rows_verified},
                                       {"ok", report.ok()},
                                       {"findings", report.findings}})
                   .dump()
            << std::endl;
  return report.ok() ? 0 : 1;
}

}  // namespace facekit::cli
