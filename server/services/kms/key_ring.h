// What KMS publishes to services that encrypt with a KMS key (S3 SSE-KMS,
// SSM SecureString, Secrets Manager): resolve a key id, key ARN or alias,
// and make or open a data key under it, with AWS's errors for a key that
// cannot be used. Obtained with kms_key_ring(kms service) (registry.cpp
// wires it as DynamoDB Streams gets DynamoDB's StreamSource).
//
// Locking: each call takes KMS's shared lock (the KMS service's
// Service::mutex()) for its own duration and holds nothing after it
// returns. A caller runs inside its own service's decide(), holding its own
// lock; the engine locks services in name order and "kms" sorts before
// s3, secretsmanager and ssm, so this is safe only because KMS never
// delivers into another service (no thread holds KMS's lock while waiting
// for theirs). Keep it so. A caller must not already hold KMS's lock.
//
// Replay: a data key's ciphertext is made in the caller's decide() and must
// be carried in the caller's own event; apply() never calls the key ring.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "server/service.h"

namespace podstack::kms {

using EncryptionContext = std::map<std::string, std::string, std::less<>>;

template <class T>
using KeyRingResult = std::variant<T, ApiError>;

struct ResolvedKey {
  std::string key_id;
  std::string arn;
  std::string key_state;  // Enabled | Disabled | PendingDeletion
  std::string key_spec;
  std::string key_usage;
};

struct SealedDataKey {
  std::string key_arn;     // the KMS key's ARN (S3's x-amz-server-side-encryption-aws-kms-key-id)
  std::string plaintext;   // use, never store
  std::string ciphertext;  // store: a KMS ciphertext blob, Decrypt (or decrypt_data_key) opens it
};

class KeyRing {
 public:
  virtual ~KeyRing() = default;
  // The key a key id, key ARN, alias name or alias ARN names in ctx's
  // partition; nullopt when there is none.
  virtual std::optional<ResolvedKey> resolve(const CallContext& ctx, std::string_view key) const = 0;
  // A fresh data key of `bytes` bytes sealed under `key`, or KMS's error
  // (NotFoundException, DisabledException, KMSInvalidStateException,
  // InvalidKeyUsageException) for the caller to translate into its own
  // shape (S3: KMS.DisabledException, ...).
  virtual KeyRingResult<SealedDataKey> generate_data_key(const CallContext& ctx, std::string_view key, size_t bytes,
                                                         const EncryptionContext& context) const = 0;
  // The plaintext of a ciphertext blob made by generate_data_key or
  // Encrypt (the blob names its key), or KMS's error
  // (InvalidCiphertextException, DisabledException, ...).
  virtual KeyRingResult<std::string> decrypt_data_key(const CallContext& ctx, std::string_view ciphertext,
                                                      const EncryptionContext& context) const = 0;
  // The key id alias/aws/<service> targets in ctx's partition; empty when
  // the AWS managed key does not exist yet. Creating it is a KMS write
  // (KmsService::decide_managed_key): see the note in kms_service.cpp.
  virtual std::string managed_alias_target(const CallContext& ctx, std::string_view service) const = 0;
  // Adds to `out` (a KMS decision) the events that create the AWS managed
  // key of `service` and its alias alias/aws/<service>; returns the key id.
  virtual std::string decide_managed_key(const CallContext& ctx, std::string_view service, Decision& out) const = 0;
};

}  // namespace podstack::kms

namespace podstack {
// KMS's KeyRing (the Service must be the one make_kms_service() built).
const kms::KeyRing& kms_key_ring(const Service& kms);
}  // namespace podstack
