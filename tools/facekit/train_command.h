// `facekit train ...`: runs the sibling binary facekit-train (the libtorch
// side lives there, so that facekit itself never loads libtorch).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace facekit::cli {

// A subcommand that passes every argument after `train` on, unparsed.
CLI::App* add_train_command(CLI::App& app);

// Replaces this process with facekit-train from the directory of this
// executable, with `args`. Returns only by throwing Error: facekit-train is
// missing (naming where it was looked for) or cannot be started.
[[noreturn]] void run_train(const std::vector<std::string>& args);

}  // namespace facekit::cli
