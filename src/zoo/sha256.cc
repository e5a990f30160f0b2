#include <fstream>
#include <memory>

#include <openssl/evp.h>

#include "facekit/error.h"
#include "facekit/zoo.h"

namespace facekit::zoo {

struct Sha256::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  check(context_->md && EVP_DigestInit_ex(context_->md.get(), EVP_sha256(), nullptr) == 1, "SHA-256",
        "OpenSSL cannot start a digest");
}

Sha256::~Sha256() = default;

Sha256& Sha256::add(const void* data, size_t size) {
  EVP_DigestUpdate(context_->md.get(), data, size);
  return *this;
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->md.get(), digest, &length);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 15];
  }
  return out;
}

std::string sha256_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  check(in.good(), p.string(), "cannot open");
  Sha256 hash;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    hash.add(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return hash.hex();
}

}  // namespace facekit::zoo
