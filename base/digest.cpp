#include "base/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <stdexcept>

namespace podstack {

const EVP_MD* fetched_md(DigestAlgorithm a) {
  // Fetched on first use and kept for the process (never freed: a static
  // destructor could run while another thread still hashes).
  static const EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static const EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  switch (a) {
    case DigestAlgorithm::kMd5: return md5;
    case DigestAlgorithm::kSha1: return sha1;
    case DigestAlgorithm::kSha256: return sha256;
  }
  return nullptr;
}

std::string digest(DigestAlgorithm a, std::string_view data) {
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  // One context per algorithm: re-initialised with the digest it already
  // holds, OpenSSL keeps its provider context instead of making a new one.
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctxs[3] = {
      std::unique_ptr<EVP_MD_CTX, CtxFree>(EVP_MD_CTX_new()), std::unique_ptr<EVP_MD_CTX, CtxFree>(EVP_MD_CTX_new()),
      std::unique_ptr<EVP_MD_CTX, CtxFree>(EVP_MD_CTX_new())};
  auto& ctx = ctxs[static_cast<int>(a)];
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), fetched_md(a), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    throw std::runtime_error("OpenSSL digest failed");
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string sha256(std::string_view data) { return digest(DigestAlgorithm::kSha256, data); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), fetched_md(DigestAlgorithm::kSha256), nullptr);
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
Sha256::Sha256(const Sha256& other) : ctx_(EVP_MD_CTX_new()) {
  EVP_MD_CTX_copy_ex(static_cast<EVP_MD_CTX*>(ctx_), static_cast<const EVP_MD_CTX*>(other.ctx_));
}
Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) EVP_MD_CTX_copy_ex(static_cast<EVP_MD_CTX*>(ctx_), static_cast<const EVP_MD_CTX*>(other.ctx_));
  return *this;
}
void Sha256::update(std::string_view data) { EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()); }
std::string Sha256::digest() const {
  Sha256 copy(*this);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(copy.ctx_), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(fetched_md(DigestAlgorithm::kSha256), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

}  // namespace podstack
