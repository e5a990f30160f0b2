#include "serve/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <set>
#include <sstream>

#include "facekit/error.h"

namespace facekit::serve {

namespace {

std::string sha256(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) == 1, "API key", "cannot hash");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

bool printable_ascii(const std::string& word) {
  for (const char c : word)
    if (c <= ' ' || c > '~') return false;
  return true;
}

}  // namespace

std::vector<ApiKey> parse_api_keys(const std::string& text, const std::string& source) {
  std::string lines = text;
  for (char& c : lines)
    if (c == ';') c = '\n';
  std::vector<ApiKey> keys;
  std::set<std::string> seen;
  std::istringstream in(lines);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string word;
    if (!(words >> word) || word.front() == '#') continue;
    const std::string where = source + ":" + std::to_string(number);
    check(printable_ascii(word), where, "a key must be printable ASCII");
    check(word.size() >= kMinKeyLength, where,
          "a key must have at least " + std::to_string(kMinKeyLength) + " characters (e.g. `openssl rand -hex 24`)");
    check(seen.insert(word).second, where, "this key is given twice");
    ApiKey key{word, false, ""};
    while (words >> word) {
      if (word == "read-only") {
        key.read_only = true;
      } else if (word.starts_with("gallery=")) {
        key.gallery = word.substr(8);
        check(!key.gallery.empty(), where, "gallery= needs a name");
      } else {
        throw Error(where + ": unknown word '" + word + "' (expected: KEY [read-only] [gallery=NAME])");
      }
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

std::string presented_key(std::string_view authorization, std::string_view x_api_key) {
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.size() > bearer.size() && authorization.substr(0, bearer.size()) == bearer)
    return std::string(authorization.substr(bearer.size()));
  return std::string(x_api_key);
}

KeyRing::KeyRing(std::vector<ApiKey> keys) : keys_(std::move(keys)) {
  for (const ApiKey& k : keys_) digests_.push_back(sha256(k.secret));
}

const ApiKey* KeyRing::find(std::string_view presented) const {
  const std::string digest = sha256(presented);
  const ApiKey* found = nullptr;
  for (size_t i = 0; i < keys_.size(); ++i)  // no early exit: every key costs the same
    if (CRYPTO_memcmp(digest.data(), digests_[i].data(), digest.size()) == 0) found = &keys_[i];
  return found;
}

}  // namespace facekit::serve
