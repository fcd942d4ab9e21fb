// KMS pieces below the wire: the ciphertext blob (context bound, version
// named, damage detected), OpenSSL signatures, the log summary that never
// shows key material, and the KeyRing the integrations will use, across a
// replay of the log.
#include <doctest/doctest.h>

#include "../../../service_harness.h"
#include "server/services/kms/kms_crypto.h"
#include "server/services/kms/kms_service.h"

using namespace podstack;
using namespace podstack::kms;

namespace {
Key symmetric_key(std::string secret) {
  Key k;
  k.set_key_id("11111111-2222-3333-4444-555555555555");
  k.set_key_spec("SYMMETRIC_DEFAULT");
  k.set_key_usage("ENCRYPT_DECRYPT");
  KeyMaterial* m = k.add_materials();
  m->set_version(1);
  m->set_secret(std::move(secret));
  return k;
}
}  // namespace

TEST_CASE("a blob opens only with its key, its material version and its context") {
  Key k = symmetric_key(std::string(32, 'k'));
  EncryptionContext ctx{{"b", "2"}, {"a", "1"}};
  std::string blob = seal(k, ctx, "plain");
  auto o = parse_blob(blob);
  REQUIRE(o);
  CHECK(o->key_id == k.key_id());
  CHECK(o->version == 1);
  CHECK(open(k, *o, blob, ctx) == std::optional<std::string>("plain"));
  CHECK_FALSE(open(k, *o, blob, EncryptionContext{{"a", "1"}}));
  CHECK_FALSE(open(symmetric_key(std::string(32, 'x')), *o, blob, ctx));
  // A new material version: the old blob still opens with version 1.
  Key rotated = k;
  KeyMaterial* m2 = rotated.add_materials();
  m2->set_version(2);
  m2->set_secret(std::string(32, 'z'));
  CHECK(open(rotated, *o, blob, ctx) == std::optional<std::string>("plain"));
  CHECK(parse_blob(seal(rotated, ctx, "p"))->version == 2);
  std::string flipped = blob;
  flipped[3] ^= 1;  // in the key id
  auto parsed = parse_blob(flipped);
  bool opened = parsed.has_value() && open(k, *parsed, flipped, ctx).has_value();
  CHECK_FALSE(opened);
  CHECK_FALSE(parse_blob(blob.substr(0, 20)));
  CHECK_FALSE(parse_blob("garbage"));
}

TEST_CASE("canonical contexts differ when a key or value moves between members") {
  CHECK(canonical_context({{"ab", "c"}}) != canonical_context({{"a", "bc"}}));
  CHECK(canonical_context({}) == "");
}

TEST_CASE("OpenSSL signatures verify, and fail on another digest") {
  for (std::string spec : {"ECC_NIST_P256", "RSA_2048"}) {
    auto priv = crypto::generate(spec);
    REQUIRE(priv);
    CHECK_FALSE(crypto::public_key_der(*priv).empty());
    std::string alg = spec == "RSA_2048" ? "RSASSA_PSS_SHA_256" : "ECDSA_SHA_256";
    std::string digest = crypto::digest("SHA256", "message");
    auto sig = crypto::sign(*priv, alg, digest);
    REQUIRE(sig);
    CHECK(crypto::verify(*priv, alg, digest, *sig));
    CHECK_FALSE(crypto::verify(*priv, alg, crypto::digest("SHA256", "other"), *sig));
  }
  CHECK_FALSE(crypto::generate("SM2"));
}

TEST_CASE("the log summary of a key never shows its material") {
  KmsState st;
  Event ev;
  Key k = symmetric_key("MATERIAL-SECRET-0123456789abcdef");
  *ev.mutable_key_created()->mutable_key() = k;
  std::string line = st.summarize(ev);
  CHECK(line.find(k.key_id()) != std::string::npos);
  CHECK(line.find("MATERIAL") == std::string::npos);
  CHECK(line.find(crypto::hex("MATERIAL")) == std::string::npos);
  Event rot;
  rot.mutable_material_rotated()->set_key_id(k.key_id());
  rot.mutable_material_rotated()->mutable_material()->set_secret("MATERIAL-TWO");
  CHECK(st.summarize(rot).find("MATERIAL") == std::string::npos);
}

TEST_CASE("the key ring seals data keys that open again after a replay of the log") {
  testing::ServiceHarness h("kms", /*ignore_checkpoints=*/true);
  const int64_t t0 = 1800000000000;
  ExecResult r = h.call("CreateKey", {}, t0);
  REQUIRE_FALSE(r.error);
  std::string id(r.output.at("KeyMetadata").at("KeyId").as_string());
  REQUIRE_FALSE(h.call("CreateAlias", {{"AliasName", "alias/app"}, {"TargetKeyId", id}}, t0).error);
  CallContext ctx;
  ctx.now_ms = t0;
  EncryptionContext ec{{"bucket", "b"}};
  auto sealed = kms_key_ring(*h.engine->service("kms")).generate_data_key(ctx, "alias/app", 32, ec);
  REQUIRE(std::holds_alternative<SealedDataKey>(sealed));
  SealedDataKey dk = std::get<SealedDataKey>(sealed);
  CHECK(dk.key_arn.find(id) != std::string::npos);
  CHECK(dk.plaintext.size() == 32);

  h.reopen(/*ignore_checkpoints=*/true);
  const KeyRing& ring = kms_key_ring(*h.engine->service("kms"));
  auto opened = ring.decrypt_data_key(ctx, dk.ciphertext, ec);
  REQUIRE(std::holds_alternative<std::string>(opened));
  CHECK(std::get<std::string>(opened) == dk.plaintext);
  auto wrong = ring.decrypt_data_key(ctx, dk.ciphertext, {});
  REQUIRE(std::holds_alternative<ApiError>(wrong));
  CHECK(std::get<ApiError>(wrong).code == "InvalidCiphertextException");
  CHECK(ring.resolve(ctx, "alias/app")->key_id == id);
  CHECK_FALSE(ring.resolve(ctx, "alias/none"));
  CHECK(ring.managed_alias_target(ctx, "s3").empty());

  REQUIRE_FALSE(h.call("DisableKey", {{"KeyId", id}}, t0).error);
  auto disabled = ring.generate_data_key(ctx, id, 16, {});
  REQUIRE(std::holds_alternative<ApiError>(disabled));
  CHECK(std::get<ApiError>(disabled).code == "DisabledException");
}

TEST_CASE("an AWS managed key is decided as a key and its alias/aws/ alias") {
  testing::ServiceHarness h("kms");
  CallContext ctx;
  ctx.now_ms = 1800000000000;
  const KeyRing& ring = kms_key_ring(*h.engine->service("kms"));
  Decision d;
  std::string id = ring.decide_managed_key(ctx, "ssm", d);
  REQUIRE(d.event_count() == 2);
  Event created, aliased;
  REQUIRE(created.ParseFromString(d.events()[0]));
  REQUIRE(aliased.ParseFromString(d.events()[1]));
  CHECK(created.key_created().key().key_id() == id);
  CHECK(created.key_created().key().key_manager() == "AWS");
  CHECK(aliased.alias_set().alias().name() == "alias/aws/ssm");
  CHECK(aliased.alias_set().alias().target_key_id() == id);
}

TEST_CASE("a key past its deletion window reads as deleted before the due work runs, and frees its aliases") {
  testing::ServiceHarness h("kms");
  const int64_t t0 = 1800000000000, day = 86400000;
  std::string id(h.call("CreateKey", {}, t0).output.at("KeyMetadata").at("KeyId").as_string());
  REQUIRE_FALSE(h.call("CreateAlias", {{"AliasName", "alias/a"}, {"TargetKeyId", id}}, t0).error);
  REQUIRE_FALSE(h.call("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}}, t0).error);
  CHECK_FALSE(h.call("DescribeKey", {{"KeyId", id}}, t0 + 6 * day).error);
  ExecResult r = h.call("DescribeKey", {{"KeyId", "alias/a"}}, t0 + 8 * day);
  REQUIRE(r.error);
  CHECK(r.error->code == "NotFoundException");
  CHECK(h.call("ListKeys", {}, t0 + 8 * day).output.at("Keys").as_array().empty());
  CHECK(h.call("ListAliases", {}, t0 + 8 * day).output.at("Aliases").as_array().empty());
  std::string fresh(h.call("CreateKey", {}, t0 + 8 * day).output.at("KeyMetadata").at("KeyId").as_string());
  REQUIRE_FALSE(h.call("CreateAlias", {{"AliasName", "alias/a"}, {"TargetKeyId", fresh}}, t0 + 8 * day).error);
  auto aliases = h.call("ListAliases", {}, t0 + 8 * day).output.at("Aliases").as_array();
  REQUIRE(aliases.size() == 1);
  CHECK(aliases[0].at("TargetKeyId").as_string() == fresh);
}
