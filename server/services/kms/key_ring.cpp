// KMS's KeyRing (key_ring.h): what services that encrypt with a KMS key use
// of it, each call under KMS's shared lock. The errors are KMS's own, as
// values, for the caller to put in its shape.
//
// AWS managed keys (alias/aws/<service>) are created on first use. That is
// a KMS write, while the first use happens in another service's decide():
// decide_managed_key() adds the events to a KMS decision, for the
// integration to commit with its cause. The engine delivers only to
// services that sort after the cause (kms sorts before s3, secretsmanager
// and ssm), so that commit needs either a delivery the engine accepts in
// the other direction, or the managed key created ahead of its first use.
#include <mutex>
#include <shared_mutex>

#include "server/services/kms/kms_crypto.h"
#include "server/services/kms/kms_errors.h"
#include "server/services/kms/kms_ops.h"
#include "server/services/kms/kms_service.h"

namespace podstack::kms {

std::optional<ResolvedKey> KmsService::resolve(const CallContext& ctx, std::string_view key) const {
  std::shared_lock lock(mutex());
  const Key* k = find(ctx, key);
  if (!k) return std::nullopt;
  return ResolvedKey{k->key_id(), k->arn(), k->key_state(), k->key_spec(), k->key_usage()};
}

KeyRingResult<SealedDataKey> KmsService::generate_data_key(const CallContext& ctx, std::string_view key, size_t bytes,
                                                           const EncryptionContext& context) const {
  std::shared_lock lock(mutex());
  try {
    const Key& k = must_find(ctx, key);
    check_usable(k);
    if (k.key_usage() != "ENCRYPT_DECRYPT" || k.key_spec() != "SYMMETRIC_DEFAULT")
      throw invalid_key_usage_exception(k.arn() + " key usage is " + k.key_usage() + " which is not valid for GenerateDataKey.");
    SealedDataKey out;
    out.key_arn = k.arn();
    out.plaintext = crypto::random_bytes(bytes);
    out.ciphertext = seal(k, context, out.plaintext);
    return out;
  } catch (ApiError& e) {
    return std::move(e);
  }
}

KeyRingResult<std::string> KmsService::decrypt_data_key(const CallContext& ctx, std::string_view ciphertext,
                                                        const EncryptionContext& context) const {
  std::shared_lock lock(mutex());
  try {
    return decrypt_blob(*this, ctx, "Decrypt", ciphertext, std::nullopt, "SYMMETRIC_DEFAULT", context).plaintext;
  } catch (ApiError& e) {
    return std::move(e);
  }
}

std::string KmsService::managed_alias_target(const CallContext& ctx, std::string_view service) const {
  std::shared_lock lock(mutex());
  const KmsPartition* p = part(ctx);
  if (!p) return {};
  auto it = p->aliases.find("alias/aws/" + std::string(service));
  return it == p->aliases.end() ? std::string() : it->second.target_key_id();
}

// Under KMS's exclusive lock (a KMS decision): no lock taken here.
std::string KmsService::decide_managed_key(const CallContext& ctx, std::string_view service, Decision& out) const {
  std::string alias = "alias/aws/" + std::string(service);
  if (const KmsPartition* p = part(ctx))
    if (auto it = p->aliases.find(alias); it != p->aliases.end()) return it->second.target_key_id();
  Key k = new_key(ctx, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", false);
  k.set_key_manager("AWS");
  k.set_description("Default key that protects my " + std::string(service) + " data when no other key is defined");
  // AWS rotates its managed keys every year.
  k.set_rotation_enabled(true);
  k.set_next_rotation_date(ctx.now() + 365 * 86400.0);
  std::string id = k.key_id();
  Event created;
  *created.mutable_key_created()->mutable_key() = std::move(k);
  out.add(std::move(created));
  Event aliased;
  Alias* a = aliased.mutable_alias_set()->mutable_alias();
  a->set_name(alias);
  a->set_target_key_id(id);
  a->set_created(ctx.now());
  a->set_updated(ctx.now());
  out.add(std::move(aliased));
  return id;
}

}  // namespace podstack::kms
