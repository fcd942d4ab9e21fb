// KMS keys: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey,
// UpdateKeyDescription, ScheduleKeyDeletion, CancelKeyDeletion,
// Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
// ListKeyRotations, TagResource, UntagResource, ListResourceTags,
// Get/PutKeyPolicy, ListKeyPolicies, GetPublicKey.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
#include <string>

#include "server/services/kms/kms_crypto.h"
#include "server/services/kms/kms_errors.h"
#include "server/services/kms/kms_service.h"
#include "server/services/kms/kms_util.h"
#include "server/services/tags.h"

namespace podstack::kms {
namespace {

constexpr double kDay = 86400.0;

// The KeyUsage values a KeySpec takes.
// https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
bool usage_fits(std::string_view spec, std::string_view usage) {
  if (spec == "SYMMETRIC_DEFAULT") return usage == "ENCRYPT_DECRYPT";
  if (spec.rfind("RSA_", 0) == 0) return usage == "ENCRYPT_DECRYPT" || usage == "SIGN_VERIFY";
  if (spec == "ECC_SECG_P256K1") return usage == "SIGN_VERIFY";
  if (spec.rfind("ECC_NIST_P", 0) == 0) return usage == "SIGN_VERIFY" || usage == "KEY_AGREEMENT";
  if (spec.rfind("HMAC_", 0) == 0) return usage == "GENERATE_VERIFY_MAC";
  return true;  // specs podstack does not generate: refused after this check
}

void read_tags(const Input& in, google::protobuf::RepeatedPtrField<Tag>& out) {
  auto* tags = in.array("Tags");
  if (!tags) return;
  for (auto& t : *tags) {
    const auto& o = t.as_object();
    std::string key, value;
    if (auto* k = o.if_contains("TagKey"); k && k->is_string()) key = std::string(k->as_string());
    if (auto* v = o.if_contains("TagValue"); v && v->is_string()) value = std::string(v->as_string());
    if (key.rfind("aws:", 0) == 0) throw tag_exception("Tags beginning with aws: are reserved");
    if (!valid_tag_text(key) || !valid_tag_text(value)) throw tag_exception("Invalid tag");
    Tag* tag = out.Add();
    tag->set_key(std::move(key));
    tag->set_value(std::move(value));
  }
}

json::object key_entry(const Key& k) { return {{"KeyId", k.key_id()}, {"KeyArn", k.arn()}}; }

// The management operations take a key id or ARN, not an alias.
const Key& target(const KmsService& s, const Request& req) { return s.must_find(req.ctx, req.in.str("KeyId"), false); }

void symmetric_only(const Key& k) {
  if (k.key_spec() != "SYMMETRIC_DEFAULT")
    throw unsupported_operation_exception(k.arn() + " key spec " + k.key_spec() + " does not support automatic key rotation.");
}

}  // namespace

void check_policy(std::string_view policy) {
  boost::system::error_code ec;
  json::value v = json::parse(policy, ec);
  if (ec || !v.is_object()) throw malformed_policy_document_exception("The key policy is not valid JSON.");
  auto* st = v.as_object().if_contains("Statement");
  if (!st || !(st->is_array() || st->is_object()))
    throw malformed_policy_document_exception("The key policy has no Statement.");
}

void KmsService::create_key(const Request& req, Decision& d) const {
  const Input& in = req.in;
  if (in.has("KeySpec") && in.has("CustomerMasterKeySpec"))
    throw validation_exception(
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
  std::string spec = in.str_or("KeySpec", in.str_or("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"));
  // KeyUsage defaults to ENCRYPT_DECRYPT, which only symmetric and RSA keys take.
  if (!in.has("KeyUsage") && !usage_fits(spec, "ENCRYPT_DECRYPT"))
    throw validation_exception("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
  std::string usage = in.str_or("KeyUsage", "ENCRYPT_DECRYPT");
  if (!usage_fits(spec, usage)) throw validation_exception("KeyUsage " + usage + " is not compatible with KeySpec " + spec);
  if (std::string origin = in.str_or("Origin", "AWS_KMS"); origin != "AWS_KMS")
    throw unsupported_operation_exception("podstack creates keys of Origin AWS_KMS only, not " + origin + ".");
  if (in.has("CustomKeyStoreId")) throw unsupported_operation_exception("podstack has no custom key stores.");
  std::string policy = in.str_or("Policy", "");
  if (!policy.empty()) check_policy(policy);
  Key k = new_key(req.ctx, spec, usage, in.flag("MultiRegion"));
  if (!policy.empty()) k.set_policy(policy);
  k.set_description(in.str_or("Description", ""));
  read_tags(in, *k.mutable_tags());
  d.output = json::object{{"KeyMetadata", key_metadata(req.ctx, k)}};
  Event ev;
  *ev.mutable_key_created()->mutable_key() = std::move(k);
  d.add(std::move(ev));
}

void KmsService::describe_key(const Request& req, Decision& d) const {
  d.output = json::object{{"KeyMetadata", key_metadata(req.ctx, must_find(req.ctx, req.in.str("KeyId")))}};
}

void KmsService::list_keys(const Request& req, Decision& d) const {
  Page page = marker_page(req.in, 100);
  json::array keys;
  if (const KmsPartition* p = part(req.ctx))
    for (auto it = p->keys.upper_bound(page.after()); it != p->keys.end(); ++it) {
      if (deleted(it->second, req.ctx)) continue;
      if (page.full(keys.size(), it->first)) break;
      keys.push_back(key_entry(it->second));
    }
  json::object out{{"Keys", std::move(keys)}};
  emit_marker(page, out);
  d.output = std::move(out);
}

namespace {
void set_state(const Key& k, std::string_view state, Decision& d) {
  if (k.key_state() == state) return;
  Event ev;
  auto* s = ev.mutable_key_state_set();
  s->set_key_id(k.key_id());
  s->set_state(std::string(state));
  d.add(std::move(ev));
}
}  // namespace

void KmsService::enable_key(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_not_pending(k);
  set_state(k, "Enabled", d);
  d.output = nullptr;
}

void KmsService::disable_key(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_not_pending(k);
  set_state(k, "Disabled", d);
  d.output = nullptr;
}

void KmsService::update_key_description(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_not_pending(k);
  Event ev;
  ev.mutable_description_set()->set_key_id(k.key_id());
  ev.mutable_description_set()->set_description(req.in.str_or("Description", ""));
  d.add(std::move(ev));
  d.output = nullptr;
}

// The key is deleted by a due-work event when the window ends on the clock
// (KmsService::decide_due); until then it is PendingDeletion.
void KmsService::schedule_key_deletion(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_not_pending(k);
  int64_t days = req.in.opt_int("PendingWindowInDays").value_or(30);
  if (days < 7 || days > 30)
    throw validation_exception("1 validation error detected: Value '" + std::to_string(days) +
                               "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than "
                               "or equal to 30 and greater than or equal to 7");
  double deletion = req.ctx.now() + static_cast<double>(days) * kDay;
  Event ev;
  auto* s = ev.mutable_key_state_set();
  s->set_key_id(k.key_id());
  s->set_state("PendingDeletion");
  s->set_deletion_date(deletion);
  s->set_pending_window_days(static_cast<int32_t>(days));
  d.add(std::move(ev));
  d.output = json::object{{"KeyId", k.arn()},
                          {"DeletionDate", deletion},
                          {"KeyState", "PendingDeletion"},
                          {"PendingWindowInDays", days}};
}

// AWS leaves a key whose deletion is cancelled Disabled.
void KmsService::cancel_key_deletion(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  if (k.key_state() != "PendingDeletion") throw invalid_state_exception(k.arn() + " is not pending deletion.");
  set_state(k, "Disabled", d);
  d.output = json::object{{"KeyId", k.arn()}};
}

void KmsService::enable_key_rotation(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_usable(k);
  symmetric_only(k);
  int64_t period = req.in.opt_int("RotationPeriodInDays").value_or(k.rotation_enabled() ? k.rotation_period_days() : 365);
  Event ev;
  auto* r = ev.mutable_rotation_set();
  r->set_key_id(k.key_id());
  r->set_enabled(true);
  r->set_period_days(static_cast<int32_t>(period));
  r->set_next_rotation_date(req.ctx.now() + static_cast<double>(period) * kDay);
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::disable_key_rotation(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_usable(k);
  symmetric_only(k);
  Event ev;
  ev.mutable_rotation_set()->set_key_id(k.key_id());
  ev.mutable_rotation_set()->set_enabled(false);
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::get_key_rotation_status(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  symmetric_only(k);
  json::object out{{"KeyId", k.arn()}, {"KeyRotationEnabled", k.rotation_enabled()}};
  if (k.rotation_enabled()) {
    out["RotationPeriodInDays"] = k.rotation_period_days();
    out["NextRotationDate"] = k.next_rotation_date();
  }
  if (k.on_demand_rotation_date() > 0) out["OnDemandRotationStartDate"] = k.on_demand_rotation_date();
  d.output = std::move(out);
}

// New material now (AWS rotates within moments); ciphertexts name their
// material version, so older ones still decrypt.
void KmsService::rotate_key_on_demand(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_usable(k);
  if (k.key_spec() != "SYMMETRIC_DEFAULT")
    throw unsupported_operation_exception(k.arn() + " key spec " + k.key_spec() + " does not support on-demand rotation.");
  int on_demand = 0;
  for (auto& r : k.rotations()) on_demand += r.type() == "ON_DEMAND";
  if (on_demand >= 10)
    throw ApiError::bad_request("LimitExceededException",
                                "The on-demand rotations limit has been reached for the given keyId. No more on-demand "
                                "rotations can be performed for this key: " + k.arn());
  Event ev;
  auto* r = ev.mutable_material_rotated();
  r->set_key_id(k.key_id());
  KeyMaterial* m = r->mutable_material();
  m->set_version(k.materials(k.materials_size() - 1).version() + 1);
  m->set_secret(*crypto::generate(k.key_spec()));
  m->set_created(req.ctx.now());
  m->set_material_id(crypto::hex(crypto::random_bytes(32)));
  r->mutable_rotation()->set_date(req.ctx.now());
  r->mutable_rotation()->set_type("ON_DEMAND");
  r->mutable_rotation()->set_material_id(m->material_id());
  d.add(std::move(ev));
  d.output = json::object{{"KeyId", k.key_id()}};
}

void KmsService::list_key_rotations(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  symmetric_only(k);
  Page page = marker_page(req.in, 100);
  json::array rotations;
  for (int i = 0; i < k.rotations_size(); ++i) {
    std::string key = index_key(i);
    if (!page.after().empty() && key <= page.after()) continue;
    if (page.full(rotations.size(), key)) break;
    const Rotation& r = k.rotations(i);
    rotations.push_back(json::object{{"KeyId", k.key_id()},
                                     {"RotationDate", r.date()},
                                     {"RotationType", r.type()},
                                     {"KeyMaterialId", r.material_id()}});
  }
  json::object out{{"Rotations", std::move(rotations)}};
  emit_marker(page, out);
  d.output = std::move(out);
}

void KmsService::tag_resource(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_not_pending(k);
  Event ev;
  ev.mutable_tags_added()->set_key_id(k.key_id());
  read_tags(req.in, *ev.mutable_tags_added()->mutable_tags());
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::untag_resource(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_not_pending(k);
  Event ev;
  ev.mutable_tags_removed()->set_key_id(k.key_id());
  if (auto* keys = req.in.array("TagKeys"))
    for (auto& t : *keys)
      if (t.is_string()) ev.mutable_tags_removed()->add_keys(std::string(t.as_string()));
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::list_resource_tags(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  Page page = marker_page(req.in, 50);
  json::array tags;
  for (int i = 0; i < k.tags_size(); ++i) {
    std::string key = index_key(i);
    if (!page.after().empty() && key <= page.after()) continue;
    if (page.full(tags.size(), key)) break;
    tags.push_back(json::object{{"TagKey", k.tags(i).key()}, {"TagValue", k.tags(i).value()}});
  }
  json::object out{{"Tags", std::move(tags)}};
  emit_marker(page, out);
  d.output = std::move(out);
}

namespace {
// KMS keys have one policy, named "default".
void check_policy_name(const Input& in) {
  if (in.str_or("PolicyName", "default") != "default") throw not_found_exception("No such policy exists");
}
}  // namespace

void KmsService::get_key_policy(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_policy_name(req.in);
  d.output = json::object{{"Policy", k.policy()}, {"PolicyName", "default"}};
}

void KmsService::put_key_policy(const Request& req, Decision& d) const {
  const Key& k = target(*this, req);
  check_policy_name(req.in);
  check_not_pending(k);
  std::string policy(req.in.str("Policy"));
  check_policy(policy);
  Event ev;
  ev.mutable_policy_set()->set_key_id(k.key_id());
  ev.mutable_policy_set()->set_policy(std::move(policy));
  d.add(std::move(ev));
  d.output = nullptr;
}

void KmsService::list_key_policies(const Request& req, Decision& d) const {
  target(*this, req);
  d.output = json::object{{"PolicyNames", json::array{"default"}}, {"Truncated", false}};
}

void KmsService::get_public_key(const Request& req, Decision& d) const {
  const Key& k = must_find(req.ctx, req.in.str("KeyId"));
  check_usable(k);
  if (k.key_spec() == "SYMMETRIC_DEFAULT" || k.key_spec().rfind("HMAC_", 0) == 0)
    throw unsupported_operation_exception(k.arn() + " key spec " + k.key_spec() + " has no public key.");
  json::object out{{"KeyId", k.arn()},
                   {"PublicKey", crypto::public_key_der(k.materials(k.materials_size() - 1).secret())},
                   {"CustomerMasterKeySpec", k.key_spec()},
                   {"KeySpec", k.key_spec()},
                   {"KeyUsage", k.key_usage()}};
  if (auto a = encryption_algorithms(k); !a.empty()) out["EncryptionAlgorithms"] = std::move(a);
  if (auto a = signing_algorithms(k); !a.empty()) out["SigningAlgorithms"] = std::move(a);
  if (k.key_usage() == "KEY_AGREEMENT") out["KeyAgreementAlgorithms"] = json::array{"ECDH"};
  d.output = std::move(out);
}

}  // namespace podstack::kms
