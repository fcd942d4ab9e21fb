// SHA-256 and HMAC-SHA256 (OpenSSL), shared by the state hash, the pod file
// checksum and SigV4 signing; MD5/SHA-1/SHA-256 digests for the services
// (SQS attribute MD5s, S3 ETags and checksums).
#pragma once
#include <openssl/types.h>

#include <string>
#include <string_view>

namespace podstack {

enum class DigestAlgorithm { kMd5, kSha1, kSha256 };

// The algorithm's implementation, fetched from OpenSSL's providers once per
// process. EVP_md5() and friends make OpenSSL 3 look it up again on every
// digest (a lock and a hash-table search): that was 4% of an SQS
// SendMessage, for the MD5 of a 100-byte body.
const EVP_MD* fetched_md(DigestAlgorithm a);
// One-shot digest (raw bytes) with a per-thread context and the fetched
// implementation.
std::string digest(DigestAlgorithm a, std::string_view data);

// Incremental SHA-256, for data that streams (pod files).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256& other);  // the state so far: hash on without disturbing the original
  Sha256& operator=(const Sha256& other);
  void update(std::string_view data);
  std::string digest() const;  // 32 raw bytes of everything so far (the state is not consumed)

 private:
  void* ctx_;  // EVP_MD_CTX
};

std::string sha256(std::string_view data);  // 32 raw bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string to_hex(std::string_view bytes);

}  // namespace podstack
