// KMS: the operation table, the factory, key lookups, the ciphertext blob,
// KeyMetadata, and the due work (deletion windows and automatic rotation).
#include "server/services/kms/kms_service.h"

#include <algorithm>

#include "server/services/arn.h"
#include "server/services/kms/kms_crypto.h"
#include "server/services/kms/kms_errors.h"

namespace podstack {
std::unique_ptr<Service> make_kms_service() { return std::make_unique<kms::KmsService>(); }
const kms::KeyRing& kms_key_ring(const Service& kms) { return dynamic_cast<const kms::KmsService&>(kms); }
}  // namespace podstack

namespace podstack::kms {

const KmsService::Table& KmsService::operations() {
  static const Table t = {
      {"CreateKey", write(&KmsService::create_key)},
      {"DescribeKey", read(&KmsService::describe_key)},
      {"ListKeys", read(&KmsService::list_keys)},
      {"EnableKey", write(&KmsService::enable_key)},
      {"DisableKey", write(&KmsService::disable_key)},
      {"UpdateKeyDescription", write(&KmsService::update_key_description)},
      {"ScheduleKeyDeletion", write(&KmsService::schedule_key_deletion)},
      {"CancelKeyDeletion", write(&KmsService::cancel_key_deletion)},
      {"EnableKeyRotation", write(&KmsService::enable_key_rotation)},
      {"DisableKeyRotation", write(&KmsService::disable_key_rotation)},
      {"GetKeyRotationStatus", read(&KmsService::get_key_rotation_status)},
      {"RotateKeyOnDemand", write(&KmsService::rotate_key_on_demand)},
      {"ListKeyRotations", read(&KmsService::list_key_rotations)},
      {"TagResource", write(&KmsService::tag_resource)},
      {"UntagResource", write(&KmsService::untag_resource)},
      {"ListResourceTags", read(&KmsService::list_resource_tags)},
      {"GetKeyPolicy", read(&KmsService::get_key_policy)},
      {"PutKeyPolicy", write(&KmsService::put_key_policy)},
      {"ListKeyPolicies", read(&KmsService::list_key_policies)},
      {"GetPublicKey", read(&KmsService::get_public_key)},
      {"CreateAlias", write(&KmsService::create_alias)},
      {"UpdateAlias", write(&KmsService::update_alias)},
      {"DeleteAlias", write(&KmsService::delete_alias)},
      {"ListAliases", read(&KmsService::list_aliases)},
      {"Encrypt", read(&KmsService::encrypt)},
      {"Decrypt", read(&KmsService::decrypt)},
      {"ReEncrypt", read(&KmsService::re_encrypt)},
      {"GenerateDataKey", read(&KmsService::generate_data_key)},
      {"GenerateDataKeyWithoutPlaintext", read(&KmsService::generate_data_key_without_plaintext)},
      {"GenerateDataKeyPair", read(&KmsService::generate_data_key_pair)},
      {"GenerateDataKeyPairWithoutPlaintext", read(&KmsService::generate_data_key_pair_without_plaintext)},
      {"GenerateRandom", read(&KmsService::generate_random)},
      {"Sign", read(&KmsService::sign)},
      {"Verify", read(&KmsService::verify)},
      {"GenerateMac", read(&KmsService::generate_mac)},
      {"VerifyMac", read(&KmsService::verify_mac)},
      {"DeriveSharedSecret", read(&KmsService::derive_shared_secret)},
      {"CreateGrant", write(&KmsService::create_grant)},
      {"ListGrants", read(&KmsService::list_grants)},
      {"ListRetirableGrants", read(&KmsService::list_retirable_grants)},
      {"RetireGrant", write(&KmsService::retire_grant)},
      {"RevokeGrant", write(&KmsService::revoke_grant)},
  };
  return t;
}

// ---- lookups ----

std::string KmsService::key_arn(const CallContext& ctx, std::string_view key_id) const {
  return arn_prefix(ctx.region) + "kms:" + ctx.region + ":" + ctx.account + ":key/" + std::string(key_id);
}

namespace {

std::string alias_arn(const CallContext& ctx, std::string_view name) {
  return arn_prefix(ctx.region) + "kms:" + ctx.region + ":" + ctx.account + ":" + std::string(name);
}

// A key id as KMS makes them: a UUID, or mrk- and 32 hex digits.
bool key_id_shaped(std::string_view id) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  if (id.rfind("mrk-", 0) == 0) return id.size() == 36 && std::all_of(id.begin() + 4, id.end(), hex);
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !hex(id[i])) return false;
  }
  return true;
}

}  // namespace

const Key* KmsService::find(const CallContext& ctx, std::string_view id, bool aliases) const {
  const KmsPartition* p = part(ctx);
  if (!p) return nullptr;
  if (id.rfind("arn:", 0) == 0) {
    auto a = parse_arn(id);
    if (!a || a->service != "kms" || a->account != ctx.account || a->region != ctx.region) return nullptr;
    if (a->resource.rfind("key/", 0) == 0) return find(ctx, std::string_view(a->resource).substr(4), false);
    if (a->resource.rfind("alias/", 0) == 0 && aliases) return find(ctx, a->resource, true);
    return nullptr;
  }
  if (id.rfind("alias/", 0) == 0) {
    if (!aliases) return nullptr;
    auto it = p->aliases.find(id);
    if (it == p->aliases.end()) return nullptr;
    id = it->second.target_key_id();
  }
  auto it = p->keys.find(id);
  if (it == p->keys.end() || deleted(it->second, ctx)) return nullptr;
  return &it->second;
}

const Key& KmsService::must_find(const CallContext& ctx, std::string_view id, bool aliases) const {
  if (const Key* k = find(ctx, id, aliases)) return *k;
  std::string_view name = id;
  if (id.rfind("arn:", 0) == 0) {
    auto a = parse_arn(id);
    if (!a || a->service != "kms") throw invalid_arn_exception("Invalid arn " + std::string(id));
    // AWS's answer for a key ARN of another Region.
    if (a->region != ctx.region) throw not_found_exception("Invalid arn " + a->region);
    if (a->resource.rfind("alias/", 0) == 0) throw alias_not_found(std::string(id));
    if (a->resource.rfind("key/", 0) != 0) throw invalid_arn_exception("Invalid arn " + std::string(id));
    throw key_not_found(std::string(id));
  }
  if (name.rfind("alias/", 0) == 0) throw alias_not_found(alias_arn(ctx, name));
  if (!key_id_shaped(name)) throw invalid_key_id(name);
  throw key_not_found(key_arn(ctx, name));
}

void KmsService::check_not_pending(const Key& k) {
  if (k.key_state() == "PendingDeletion") throw pending_deletion(k.arn());
}

void KmsService::check_usable(const Key& k) {
  check_not_pending(k);
  if (k.key_state() == "Disabled") throw disabled_exception(k.arn());
}

Key KmsService::new_key(const CallContext& ctx, std::string_view spec, std::string_view usage, bool multi_region) const {
  Key k;
  std::string uuid = random_uuid();
  if (multi_region) {
    uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
    uuid = "mrk-" + uuid;
  }
  k.set_key_id(uuid);
  k.set_arn(key_arn(ctx, uuid));
  k.set_key_spec(std::string(spec));
  k.set_key_usage(std::string(usage));
  k.set_key_state("Enabled");
  k.set_created(ctx.now());
  k.set_key_manager("CUSTOMER");
  k.set_policy(default_policy(ctx));
  k.set_multi_region(multi_region);
  k.set_rotation_period_days(365);
  auto secret = crypto::generate(spec);
  if (!secret) throw unsupported_operation_exception("KeySpec " + std::string(spec) + " is not supported by podstack.");
  KeyMaterial* m = k.add_materials();
  m->set_version(1);
  m->set_secret(std::move(*secret));
  m->set_created(ctx.now());
  m->set_material_id(crypto::hex(crypto::random_bytes(32)));
  return k;
}

// ---- the ciphertext blob ----

std::string canonical_context(const EncryptionContext& context) {
  std::string out;
  auto put = [&](std::string_view s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
    out += s;
  };
  for (auto& [k, v] : context) {  // std::map: sorted by key
    put(k);
    put(v);
  }
  return out;
}

EncryptionContext read_context(const Input& in, std::string_view member) {
  EncryptionContext c;
  if (auto* o = in.object(member))
    for (auto& [k, v] : *o)
      if (v.is_string()) c[std::string(k)] = std::string(v.as_string());
  return c;
}

namespace {
constexpr char kBlobFormat = 0x01;
constexpr size_t kIvSize = 12, kTagSize = 16;

std::string blob_header(std::string_view key_id, uint32_t version) {
  std::string h;
  h += kBlobFormat;
  h += static_cast<char>(key_id.size());
  h += key_id;
  for (int shift = 24; shift >= 0; shift -= 8) h += static_cast<char>((version >> shift) & 0xff);
  return h;
}
}  // namespace

std::string seal(const Key& k, const EncryptionContext& context, std::string_view plaintext) {
  const KeyMaterial& m = k.materials(k.materials_size() - 1);
  std::string blob = blob_header(k.key_id(), m.version());
  std::string iv = crypto::random_bytes(kIvSize);
  std::string aad = blob + canonical_context(context);
  blob += iv;
  blob += crypto::gcm_seal(m.secret(), iv, aad, plaintext);
  return blob;
}

std::optional<Opened> parse_blob(std::string_view blob) {
  if (blob.size() < 2 || blob[0] != kBlobFormat) return std::nullopt;
  size_t id_len = static_cast<unsigned char>(blob[1]);
  if (blob.size() < 2 + id_len + 4 + kIvSize + kTagSize) return std::nullopt;
  Opened o;
  o.key_id = std::string(blob.substr(2, id_len));
  if (!key_id_shaped(o.key_id)) return std::nullopt;
  for (size_t i = 0; i < 4; ++i) o.version = (o.version << 8) | static_cast<unsigned char>(blob[2 + id_len + i]);
  o.iv = blob.substr(2 + id_len + 4, kIvSize);
  o.sealed = blob.substr(2 + id_len + 4 + kIvSize);
  return o;
}

std::optional<std::string> open(const Key& k, const Opened& o, std::string_view blob, const EncryptionContext& context) {
  if (k.key_spec() != "SYMMETRIC_DEFAULT" || o.key_id != k.key_id()) return std::nullopt;
  for (auto& m : k.materials()) {
    if (m.version() != o.version) continue;
    size_t header = 2 + o.key_id.size() + 4;
    std::string aad = std::string(blob.substr(0, header)) + canonical_context(context);
    return crypto::gcm_open(m.secret(), o.iv, aad, o.sealed);
  }
  return std::nullopt;
}

// ---- KeyMetadata ----

json::array encryption_algorithms(const Key& k) {
  if (k.key_usage() != "ENCRYPT_DECRYPT") return {};
  if (k.key_spec() == "SYMMETRIC_DEFAULT") return {"SYMMETRIC_DEFAULT"};
  return {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"};
}

json::array signing_algorithms(const Key& k) {
  if (k.key_usage() != "SIGN_VERIFY") return {};
  const std::string& s = k.key_spec();
  if (s.rfind("RSA_", 0) == 0)
    return {"RSASSA_PSS_SHA_256",        "RSASSA_PSS_SHA_384",        "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"};
  if (s == "ECC_NIST_P384") return {"ECDSA_SHA_384"};
  if (s == "ECC_NIST_P521") return {"ECDSA_SHA_512"};
  return {"ECDSA_SHA_256"};  // ECC_NIST_P256, ECC_SECG_P256K1
}

json::array mac_algorithms(const Key& k) {
  if (k.key_usage() != "GENERATE_VERIFY_MAC") return {};
  return {json::string("HMAC_SHA_" + k.key_spec().substr(5))};
}

json::object key_metadata(const CallContext& ctx, const Key& k) {
  json::object m{{"AWSAccountId", ctx.account},
                 {"KeyId", k.key_id()},
                 {"Arn", k.arn()},
                 {"CreationDate", k.created()},
                 {"Enabled", k.key_state() == "Enabled"},
                 {"Description", k.description()},
                 {"KeyUsage", k.key_usage()},
                 {"KeyState", k.key_state()},
                 {"Origin", "AWS_KMS"},
                 {"KeyManager", k.key_manager()},
                 {"CustomerMasterKeySpec", k.key_spec()},
                 {"KeySpec", k.key_spec()},
                 {"MultiRegion", k.multi_region()}};
  if (k.key_state() == "PendingDeletion") m["DeletionDate"] = k.deletion_date();
  if (auto a = encryption_algorithms(k); !a.empty()) m["EncryptionAlgorithms"] = std::move(a);
  if (auto a = signing_algorithms(k); !a.empty()) m["SigningAlgorithms"] = std::move(a);
  if (auto a = mac_algorithms(k); !a.empty()) m["MacAlgorithms"] = std::move(a);
  if (k.key_usage() == "KEY_AGREEMENT") m["KeyAgreementAlgorithms"] = json::array{"ECDH"};
  if (k.key_spec() == "SYMMETRIC_DEFAULT" && k.materials_size())
    m["CurrentKeyMaterialId"] = k.materials(k.materials_size() - 1).material_id();
  if (k.multi_region())
    m["MultiRegionConfiguration"] = json::object{{"MultiRegionKeyType", "PRIMARY"},
                                                 {"PrimaryKey", json::object{{"Arn", k.arn()}, {"Region", ctx.region}}},
                                                 {"ReplicaKeys", json::array{}}};
  return m;
}

// The key policy CreateKey attaches when given none: the account's root may do everything.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
std::string default_policy(const CallContext& ctx) {
  return "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n"
         "    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
         "      \"AWS\" : \"" +
         arn_prefix(ctx.region) + "iam::" + ctx.account +
         ":root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}";
}

// ---- due work ----

DueWork KmsService::next_due() const {
  DueWork w;
  if (state().due().empty()) return w;
  auto& [at_ms, account, region, id] = *state().due().begin();
  w.at_ms = at_ms;
  w.account = account;
  w.region = region;
  return w;
}

// Every key of the partition whose deletion window has ended is deleted;
// every enabled key whose rotation is due gets new material (generated
// here, in decide, and carried in the event), and its next rotation date.
void KmsService::decide_due(const CallContext& ctx, Decision& out) const {
  const KmsPartition* p = part(ctx);
  if (!p) return;
  for (auto& [at_ms, account, region, id] : state().due()) {
    if (at_ms > ctx.now_ms) break;
    if (account != ctx.account || region != ctx.region) continue;
    auto it = p->keys.find(id);
    if (it == p->keys.end()) continue;
    const Key& k = it->second;
    Event ev;
    if (k.key_state() == "PendingDeletion") {
      ev.mutable_key_deleted()->set_key_id(id);
    } else {
      auto* r = ev.mutable_material_rotated();
      r->set_key_id(id);
      KeyMaterial* m = r->mutable_material();
      m->set_version(k.materials(k.materials_size() - 1).version() + 1);
      m->set_secret(*crypto::generate(k.key_spec()));
      m->set_created(ctx.now());
      m->set_material_id(crypto::hex(crypto::random_bytes(32)));
      r->mutable_rotation()->set_date(ctx.now());
      r->mutable_rotation()->set_type("AUTOMATIC");
      r->mutable_rotation()->set_material_id(m->material_id());
      r->set_next_rotation_date(ctx.now() + 86400.0 * k.rotation_period_days());
    }
    out.add(std::move(ev));
  }
}

}  // namespace podstack::kms
