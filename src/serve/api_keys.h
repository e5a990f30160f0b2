// API keys: who may call the service, and what they may do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace facekit::serve {

struct ApiKey {
  std::string secret;
  bool read_only = false;  // no route that writes a gallery
  std::string gallery;     // empty: every gallery; else only this one
};

// The shortest key accepted: shorter ones are guessable.
inline constexpr size_t kMinKeyLength = 16;

// Keys from text, one per line: `KEY [read-only] [gallery=NAME]`; blank
// lines and lines starting with '#' are skipped, and ';' separates lines too
// (for an environment variable). Throws Error naming `source` and the line
// for a key shorter than kMinKeyLength or holding other than printable ASCII,
// an unknown word, an empty gallery name, or a key given twice.
std::vector<ApiKey> parse_api_keys(const std::string& text, const std::string& source);

// The key a request presents: the token of `Authorization: Bearer TOKEN`,
// else the `x-api-key` header; empty for none.
std::string presented_key(std::string_view authorization, std::string_view x_api_key);

class KeyRing {
 public:
  explicit KeyRing(std::vector<ApiKey> keys);
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  // The key equal to `presented`, or nullptr. Compares against every key,
  // in constant time over their SHA-256 digests, so that neither the
  // answer's time nor a key's length tells anything of the keys.
  const ApiKey* find(std::string_view presented) const;

 private:
  std::vector<ApiKey> keys_;
  std::vector<std::string> digests_;
};

}  // namespace facekit::serve
