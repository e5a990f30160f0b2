#include "facekit/notice.h"

#include <iostream>
#include <mutex>

namespace facekit {
namespace {

std::mutex& notice_mutex() {
  static std::mutex m;
  return m;
}

NoticeHandler& current_handler() {
  static NoticeHandler handler;
  return handler;
}

}  // namespace

void notice(const std::string& line) {
  const std::lock_guard lock(notice_mutex());
  if (current_handler())
    current_handler()(line);
  else
    std::cerr << "facekit: " << line << "\n";
}

NoticeHandler set_notice_handler(NoticeHandler handler) {
  const std::lock_guard lock(notice_mutex());
  NoticeHandler previous = std::move(current_handler());
  current_handler() = std::move(handler);
  return previous;
}

}  // namespace facekit
