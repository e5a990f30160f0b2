// Optional parts: training is a binary of its own, facekit-train, beside
// facekit (so that facekit never loads libtorch). Running its --version
// proves that it and libtorch load.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "doctor/checks.h"

namespace facekit::doctor {
namespace {

// The exit status of `program --version` with its output discarded; -1 when
// it could not be started or did not exit normally.
int run_version(const std::filesystem::path& program) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::string path = program.string();
  std::string flag = "--version";
  char* argv[] = {path.data(), flag.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

void check_optional_parts(const std::filesystem::path& tools_dir, std::vector<Finding>& out) {
  if (tools_dir.empty()) return;
  const auto trainer = tools_dir / "facekit-train";
  Finding f{"optional", "training (facekit-train, libtorch)", Verdict::kNote, ""};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(trainer, ec) || access(trainer.c_str(), X_OK) != 0) {
    f.detail = "not installed (no " + trainer.string() + "): `facekit train` unavailable";
  } else if (const int status = run_version(trainer); status == 0) {
    f.verdict = Verdict::kOk;
    f.detail = trainer.string() + " runs";
  } else {
    f.verdict = Verdict::kProblem;
    f.detail = trainer.string() + " fails to start (" +
               (status < 0 ? std::string("killed or not executable") : "exit status " + std::to_string(status)) +
               "): is libtorch installed? run it by hand to see why";
  }
  out.push_back(f);
}

}  // namespace facekit::doctor
