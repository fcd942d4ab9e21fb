// SHA-256 and HMAC-SHA256 (OpenSSL), shared by the state hash, the pod file
// checksum and SigV4 signing.
#pragma once
#include <string>
#include <string_view>

namespace podstack {

std::string sha256(std::string_view data);  // 32 raw bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string to_hex(std::string_view bytes);

}  // namespace podstack
