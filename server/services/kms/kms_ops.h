// Encryption and decryption as the operations (kms_ops.cpp) and the
// KeyRing (key_ring.cpp) share them. Errors are thrown as ApiError.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "server/services/kms/kms_service.h"

namespace podstack::kms {

// `plaintext` encrypted under `k` for operation `op` (named in errors) with `algorithm` (SYMMETRIC_DEFAULT: a
// blob; RSAES_OAEP_*: the RSA ciphertext).
std::string encrypt_with(const Key& k, std::string_view op, std::string_view algorithm, const EncryptionContext& context,
                         std::string_view plaintext);

struct Decrypted {
  const Key* key = nullptr;
  std::string plaintext;
};
// Decrypt's rules: a symmetric blob names its key (KeyId optional; another
// key is IncorrectKeyException); an RSA ciphertext needs KeyId.
Decrypted decrypt_blob(const KmsService& s, const CallContext& ctx, std::string_view op, std::string_view blob,
                       std::optional<std::string_view> key_id, std::string_view algorithm,
                       const EncryptionContext& context);

}  // namespace podstack::kms
