// SHA-256 and HMAC-SHA256 (OpenSSL), shared by the state hash, the pod file
// checksum and SigV4 signing.
#pragma once
#include <string>
#include <string_view>

namespace podstack {

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
