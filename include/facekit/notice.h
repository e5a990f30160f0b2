// Notices: what the library tells the user without failing — a value it had
// to bound, an input it left out — one line each, naming the thing and the
// reason. They go to a handler the application chooses (the command-line
// tool writes them to stderr beside its own messages); by default to stderr,
// prefixed "facekit: ".
#pragma once

#include <functional>
#include <string>

namespace facekit {

using NoticeHandler = std::function<void(const std::string& line)>;

// Sends one line to the current handler. Safe from several threads at once
// (lines are delivered one at a time).
void notice(const std::string& line);

// Installs `handler` (nullptr: the default) and returns the previous one.
NoticeHandler set_notice_handler(NoticeHandler handler);

}  // namespace facekit
