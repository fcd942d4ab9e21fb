// KMS (JSON 1.1, target prefix TrentService): keys of every KeySpec podstack
// generates (AES-256-GCM, RSA, ECC, HMAC) with real cryptography through
// OpenSSL, aliases, tags, key policies, deletion windows and automatic
// rotation on podstack's clock (due work), on-demand rotation, grants
// (recorded, not enforced), and the cryptographic operations.
// Handlers: kms_keys.cpp, kms_aliases.cpp, kms_ops.cpp, kms_grants.cpp;
// the state in kms_state.h; the cryptography in kms_crypto.h; what other
// services may use of KMS in key_ring.h.
// AWS reference: https://docs.aws.amazon.com/kms/latest/APIReference/
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/service.h"
#include "server/services/kms/key_ring.h"
#include "server/services/kms/kms_state.h"

namespace podstack {
std::unique_ptr<Service> make_kms_service();
}

namespace podstack::kms {

class KmsService final : public StatefulService<KmsService, KmsState>, public KeyRing {
 public:
  static constexpr std::string_view kName = "kms";

  static const Table& operations();

  // ---- due work (kms_service.cpp): a key is deleted by an event when its
  // deletion window ends; an enabled key with rotation on rotates when its
  // rotation period has passed ----
  DueWork next_due() const override;
  void decide_due(const CallContext& ctx, Decision& out) const override;

  // ---- keys (kms_keys.cpp) ----
  void create_key(const Request& req, Decision& out) const;
  void describe_key(const Request& req, Decision& out) const;
  void list_keys(const Request& req, Decision& out) const;
  void enable_key(const Request& req, Decision& out) const;
  void disable_key(const Request& req, Decision& out) const;
  void update_key_description(const Request& req, Decision& out) const;
  void schedule_key_deletion(const Request& req, Decision& out) const;
  void cancel_key_deletion(const Request& req, Decision& out) const;
  void enable_key_rotation(const Request& req, Decision& out) const;
  void disable_key_rotation(const Request& req, Decision& out) const;
  void get_key_rotation_status(const Request& req, Decision& out) const;
  void rotate_key_on_demand(const Request& req, Decision& out) const;
  void list_key_rotations(const Request& req, Decision& out) const;
  void tag_resource(const Request& req, Decision& out) const;
  void untag_resource(const Request& req, Decision& out) const;
  void list_resource_tags(const Request& req, Decision& out) const;
  void get_key_policy(const Request& req, Decision& out) const;
  void put_key_policy(const Request& req, Decision& out) const;
  void list_key_policies(const Request& req, Decision& out) const;
  void get_public_key(const Request& req, Decision& out) const;

  // ---- aliases (kms_aliases.cpp) ----
  void create_alias(const Request& req, Decision& out) const;
  void update_alias(const Request& req, Decision& out) const;
  void delete_alias(const Request& req, Decision& out) const;
  void list_aliases(const Request& req, Decision& out) const;

  // ---- cryptographic operations (kms_ops.cpp): reads, they change nothing ----
  void encrypt(const Request& req, Decision& out) const;
  void decrypt(const Request& req, Decision& out) const;
  void re_encrypt(const Request& req, Decision& out) const;
  void generate_data_key(const Request& req, Decision& out) const;
  void generate_data_key_without_plaintext(const Request& req, Decision& out) const;
  void generate_data_key_pair(const Request& req, Decision& out) const;
  void generate_data_key_pair_without_plaintext(const Request& req, Decision& out) const;
  void generate_random(const Request& req, Decision& out) const;
  void sign(const Request& req, Decision& out) const;
  void verify(const Request& req, Decision& out) const;
  void generate_mac(const Request& req, Decision& out) const;
  void verify_mac(const Request& req, Decision& out) const;
  void derive_shared_secret(const Request& req, Decision& out) const;

  // ---- grants (kms_grants.cpp) ----
  void create_grant(const Request& req, Decision& out) const;
  void list_grants(const Request& req, Decision& out) const;
  void list_retirable_grants(const Request& req, Decision& out) const;
  void retire_grant(const Request& req, Decision& out) const;
  void revoke_grant(const Request& req, Decision& out) const;

  // ---- KeyRing (key_ring.cpp) ----
  std::optional<ResolvedKey> resolve(const CallContext& ctx, std::string_view key) const override;
  KeyRingResult<SealedDataKey> generate_data_key(const CallContext& ctx, std::string_view key, size_t bytes,
                                                 const EncryptionContext& context) const override;
  KeyRingResult<std::string> decrypt_data_key(const CallContext& ctx, std::string_view ciphertext,
                                              const EncryptionContext& context) const override;
  std::string managed_alias_target(const CallContext& ctx, std::string_view service) const override;
  std::string decide_managed_key(const CallContext& ctx, std::string_view service, Decision& out) const override;

  // ---- shared by the handler files (kms_service.cpp) ----
  // The key `id` names (key id, key ARN, and with `aliases` an alias name or
  // alias ARN), or NotFoundException in AWS's words.
  const Key& must_find(const CallContext& ctx, std::string_view id, bool aliases = true) const;
  const Key* find(const CallContext& ctx, std::string_view id, bool aliases = true) const;
  // The key may be used for cryptography: DisabledException, KMSInvalidStateException.
  static void check_usable(const Key& k);
  // The key is not pending deletion: KMSInvalidStateException.
  static void check_not_pending(const Key& k);
  // A new key's record, its first material generated here (decide()).
  Key new_key(const CallContext& ctx, std::string_view spec, std::string_view usage, bool multi_region) const;
  std::string key_arn(const CallContext& ctx, std::string_view key_id) const;

 private:
  const KmsPartition* part(const CallContext& ctx) const { return state().part(ctx); }
};

// The key's deletion window has ended on ctx's clock: it reads as gone
// even before the due-work event that deletes it has been committed.
inline bool deleted(const Key& k, const CallContext& ctx) {
  return k.key_state() == "PendingDeletion" && k.deletion_date() <= ctx.now();
}

// The canonical encryption context (sorted keys, length-prefixed), bound
// into a symmetric ciphertext as GCM additional data.
std::string canonical_context(const EncryptionContext& context);
EncryptionContext read_context(const Input& in, std::string_view member);

// A symmetric ciphertext blob: the key id, its material version, a fresh
// IV, and AES-256-GCM of the plaintext with the blob's header and the
// canonical context as additional data. So Decrypt needs no KeyId, and
// any change of key, version, context or bytes fails the tag.
std::string seal(const Key& k, const EncryptionContext& context, std::string_view plaintext);
struct Opened {
  std::string key_id;
  uint32_t version = 0;
  std::string_view iv, sealed;  // into the blob
};
// The parts of a blob, or nullopt when it is not one of podstack's.
std::optional<Opened> parse_blob(std::string_view blob);
// The plaintext of `blob` (parsed as `o`) under `k`, or nullopt.
std::optional<std::string> open(const Key& k, const Opened& o, std::string_view blob, const EncryptionContext& context);

// KeyMetadata, as DescribeKey and CreateKey answer it.
json::object key_metadata(const CallContext& ctx, const Key& k);
json::array encryption_algorithms(const Key& k);
json::array signing_algorithms(const Key& k);
json::array mac_algorithms(const Key& k);
std::string default_policy(const CallContext& ctx);

}  // namespace podstack::kms
