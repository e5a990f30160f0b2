#include "train_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "facekit/error.h"

namespace facekit::cli {

CLI::App* add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train a recognizer on a folder per identity (runs facekit-train; "
                                          "`facekit train --help` lists its options)");
  cmd->prefix_command();
  cmd->set_help_flag();  // --help goes on to facekit-train
  return cmd;
}

void run_train(const std::vector<std::string>& args) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  check(!ec, "facekit train", "cannot find this executable's folder (" + ec.message() + ")");
  const std::filesystem::path trainer = self.parent_path() / "facekit-train";
  check(std::filesystem::exists(trainer), trainer.string(),
        "not found, so `facekit train` cannot run: build the facekit_train_cli target (it needs libtorch)");
  std::vector<std::string> owned = {trainer.string()};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(trainer.c_str(), argv.data());
  throw Error(trainer.string() + ": cannot be started (" + std::strerror(errno) + ")");
}

}  // namespace facekit::cli
