// Flags of the benches that hand the rest of argv to Google Benchmark.
#pragma once

#include <cstring>
#include <string>

namespace facekit::bench {

// Removes "--NAME=value" from argv, returning the value (or `fallback`).
inline std::string take_flag(int& argc, char** argv, const std::string& name, const std::string& fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) != 0) continue;
    const std::string value = argv[i] + prefix.size();
    for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
    --argc;
    return value;
  }
  return fallback;
}

}  // namespace facekit::bench
