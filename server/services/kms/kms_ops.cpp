// KMS cryptographic operations: Encrypt, Decrypt, ReEncrypt,
// GenerateDataKey(WithoutPlaintext), GenerateDataKeyPair(WithoutPlaintext),
// GenerateRandom, Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret.
// All are reads: the
// randomness they use (IVs, data keys) is part of the answer, not of the
// state, so they add no events.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html (and the others')
#include <openssl/crypto.h>

#include "server/services/kms/kms_crypto.h"
#include "server/services/kms/kms_errors.h"
#include "server/services/kms/kms_ops.h"
#include "server/services/kms/kms_service.h"

namespace podstack::kms {
namespace {

const std::string& current_secret(const Key& k) { return k.materials(k.materials_size() - 1).secret(); }

void need_usage(const Key& k, std::string_view usage, std::string_view op) {
  if (k.key_usage() != usage)
    throw invalid_key_usage_exception(k.arn() + " key usage is " + k.key_usage() + " which is not valid for " +
                                      std::string(op) + ".");
}

void need_algorithm(const Key& k, const json::array& allowed, std::string_view algorithm) {
  for (auto& a : allowed)
    if (a.as_string() == algorithm) return;
  throw invalid_key_usage_exception("Algorithm " + std::string(algorithm) + " is incompatible with key spec " +
                                    k.key_spec() + ".");
}

// The key a cryptographic operation names: it exists and may be used.
const Key& usable(const KmsService& s, const CallContext& ctx, std::string_view id) {
  const Key& k = s.must_find(ctx, id);
  KmsService::check_usable(k);
  return k;
}

// A symmetric encryption key (GenerateDataKey*, the data key pair's wrapper).
const Key& symmetric(const KmsService& s, const CallContext& ctx, std::string_view id, std::string_view op) {
  const Key& k = usable(s, ctx, id);
  need_usage(k, "ENCRYPT_DECRYPT", op);
  if (k.key_spec() != "SYMMETRIC_DEFAULT")
    throw invalid_key_usage_exception(k.arn() + " key spec " + k.key_spec() + " is not valid for " + std::string(op) +
                                      ". Use a symmetric encryption KMS key.");
  return k;
}

void dry_run(const Input& in) {
  if (in.flag("DryRun")) throw dry_run_exception();
}

}  // namespace

std::string encrypt_with(const Key& k, std::string_view op, std::string_view algorithm, const EncryptionContext& context,
                         std::string_view plaintext) {
  need_usage(k, "ENCRYPT_DECRYPT", op);
  need_algorithm(k, encryption_algorithms(k), algorithm);
  if (k.key_spec() == "SYMMETRIC_DEFAULT") return seal(k, context, plaintext);
  if (plaintext.size() > crypto::rsa_max_plaintext(k.key_spec(), algorithm))
    throw validation_exception("Algorithm " + std::string(algorithm) + " and key spec " + k.key_spec() +
                               " cannot encrypt data larger than " +
                               std::to_string(crypto::rsa_max_plaintext(k.key_spec(), algorithm)) + " bytes.");
  auto ct = crypto::rsa_encrypt(current_secret(k), algorithm, plaintext);
  if (!ct) throw ApiError::internal("RSA encryption failed");
  return *ct;
}

Decrypted decrypt_blob(const KmsService& s, const CallContext& ctx, std::string_view op, std::string_view blob,
                       std::optional<std::string_view> key_id, std::string_view algorithm,
                       const EncryptionContext& context) {
  if (algorithm == "SYMMETRIC_DEFAULT") {
    auto o = parse_blob(blob);
    if (!o) throw invalid_ciphertext_exception();
    const Key* k = nullptr;
    if (key_id) {
      k = &s.must_find(ctx, *key_id);
      if (k->key_id() != o->key_id) throw incorrect_key_exception();
    } else {
      // The blob names its key; one this partition does not hold is not a
      // ciphertext it can open.
      k = s.find(ctx, o->key_id, false);
      if (!k) throw invalid_ciphertext_exception();
    }
    KmsService::check_usable(*k);
    need_usage(*k, "ENCRYPT_DECRYPT", op);
    if (k->key_spec() != "SYMMETRIC_DEFAULT") throw incorrect_key_exception();
    auto pt = open(*k, *o, blob, context);
    if (!pt) throw invalid_ciphertext_exception();
    return {k, std::move(*pt)};
  }
  if (!key_id)
    throw validation_exception("KeyId is required when decrypting with the asymmetric algorithm " + std::string(algorithm) + ".");
  const Key& k = usable(s, ctx, *key_id);
  need_usage(k, "ENCRYPT_DECRYPT", op);
  need_algorithm(k, encryption_algorithms(k), algorithm);
  auto pt = crypto::rsa_decrypt(current_secret(k), algorithm, blob);
  if (!pt) throw invalid_ciphertext_exception();
  return {&k, std::move(*pt)};
}

void KmsService::encrypt(const Request& req, Decision& d) const {
  const Key& k = usable(*this, req.ctx, req.in.str("KeyId"));
  std::string algorithm = req.in.str_or("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
  std::string blob = encrypt_with(k, req.operation, algorithm, read_context(req.in, "EncryptionContext"), req.in.str("Plaintext"));
  dry_run(req.in);
  d.output = json::object{{"CiphertextBlob", std::move(blob)}, {"KeyId", k.arn()}, {"EncryptionAlgorithm", algorithm}};
}

void KmsService::decrypt(const Request& req, Decision& d) const {
  std::string algorithm = req.in.str_or("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
  Decrypted r = decrypt_blob(*this, req.ctx, req.operation, req.in.str("CiphertextBlob"), req.in.opt_str("KeyId"), algorithm,
                             read_context(req.in, "EncryptionContext"));
  dry_run(req.in);
  d.output = json::object{{"KeyId", r.key->arn()}, {"Plaintext", std::move(r.plaintext)}, {"EncryptionAlgorithm", algorithm}};
}

void KmsService::re_encrypt(const Request& req, Decision& d) const {
  std::string src_alg = req.in.str_or("SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
  std::string dst_alg = req.in.str_or("DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
  Decrypted r = decrypt_blob(*this, req.ctx, req.operation, req.in.str("CiphertextBlob"), req.in.opt_str("SourceKeyId"), src_alg,
                             read_context(req.in, "SourceEncryptionContext"));
  const Key& dst = usable(*this, req.ctx, req.in.str("DestinationKeyId"));
  std::string blob = encrypt_with(dst, req.operation, dst_alg, read_context(req.in, "DestinationEncryptionContext"), r.plaintext);
  dry_run(req.in);
  d.output = json::object{{"CiphertextBlob", std::move(blob)},
                          {"SourceKeyId", r.key->arn()},
                          {"KeyId", dst.arn()},
                          {"SourceEncryptionAlgorithm", src_alg},
                          {"DestinationEncryptionAlgorithm", dst_alg}};
}

namespace {

// GenerateDataKey's size: KeySpec (AES_128, AES_256) or NumberOfBytes, one of them.
size_t data_key_bytes(const Input& in) {
  auto spec = in.opt_str("KeySpec");
  auto n = in.opt_int("NumberOfBytes");
  if (spec.has_value() == n.has_value()) throw validation_exception("Please specify either number of bytes or key spec.");
  if (n) return static_cast<size_t>(*n);
  return *spec == "AES_128" ? 16 : 32;
}

}  // namespace

void KmsService::generate_data_key(const Request& req, Decision& d) const {
  const Key& k = symmetric(*this, req.ctx, req.in.str("KeyId"), req.operation);
  size_t n = data_key_bytes(req.in);
  dry_run(req.in);
  std::string plaintext = crypto::random_bytes(n);
  json::object out{{"CiphertextBlob", seal(k, read_context(req.in, "EncryptionContext"), plaintext)}, {"KeyId", k.arn()}};
  if (req.operation == "GenerateDataKey") out["Plaintext"] = std::move(plaintext);
  d.output = std::move(out);
}

void KmsService::generate_data_key_without_plaintext(const Request& req, Decision& d) const {
  generate_data_key(req, d);
}

void KmsService::generate_data_key_pair(const Request& req, Decision& d) const {
  const Key& k = symmetric(*this, req.ctx, req.in.str("KeyId"), req.operation);
  std::string spec(req.in.str("KeyPairSpec"));
  dry_run(req.in);
  auto priv = crypto::generate(spec);
  if (!priv || spec == "SYMMETRIC_DEFAULT" || spec.rfind("HMAC_", 0) == 0)
    throw unsupported_operation_exception("KeyPairSpec " + spec + " is not supported by podstack.");
  json::object out{{"PrivateKeyCiphertextBlob", seal(k, read_context(req.in, "EncryptionContext"), *priv)},
                   {"PublicKey", crypto::public_key_der(*priv)},
                   {"KeyId", k.arn()},
                   {"KeyPairSpec", spec}};
  if (req.operation == "GenerateDataKeyPair") out["PrivateKeyPlaintext"] = std::move(*priv);
  d.output = std::move(out);
}

void KmsService::generate_data_key_pair_without_plaintext(const Request& req, Decision& d) const {
  generate_data_key_pair(req, d);
}

void KmsService::generate_random(const Request& req, Decision& d) const {
  if (req.in.has("CustomKeyStoreId")) throw unsupported_operation_exception("podstack has no custom key stores.");
  auto n = req.in.opt_int("NumberOfBytes");
  if (!n) throw validation_exception("NumberOfBytes is required.");
  d.output = json::object{{"Plaintext", crypto::random_bytes(static_cast<size_t>(*n))}};
}

namespace {

// The digest Sign and Verify work on: MessageType RAW hashes the message
// with the algorithm's hash; DIGEST takes it as that hash, of its length.
std::string signing_digest(const Key& k, const Input& in, std::string_view op, std::string_view algorithm) {
  need_usage(k, "SIGN_VERIFY", op);
  need_algorithm(k, signing_algorithms(k), algorithm);
  std::string_view hash = crypto::signing_hash(algorithm);
  std::string type = in.str_or("MessageType", "RAW");
  std::string_view message = in.str("Message");
  if (type == "RAW") return crypto::digest(hash, message);
  if (type == "DIGEST") {
    if (message.size() != crypto::digest_size(hash))
      throw validation_exception("Digest is invalid length for algorithm " + std::string(algorithm) + ".");
    return std::string(message);
  }
  throw validation_exception("MessageType " + type + " is not supported for key spec " + k.key_spec() + ".");
}

}  // namespace

void KmsService::sign(const Request& req, Decision& d) const {
  const Key& k = usable(*this, req.ctx, req.in.str("KeyId"));
  std::string algorithm(req.in.str("SigningAlgorithm"));
  std::string digest = signing_digest(k, req.in, req.operation, algorithm);
  dry_run(req.in);
  auto sig = crypto::sign(current_secret(k), algorithm, digest);
  if (!sig) throw ApiError::internal("signing failed");
  d.output = json::object{{"KeyId", k.arn()}, {"Signature", std::move(*sig)}, {"SigningAlgorithm", algorithm}};
}

// An invalid signature is KMSInvalidSignatureException, as AWS answers it
// (SignatureValid false is never sent).
void KmsService::verify(const Request& req, Decision& d) const {
  const Key& k = usable(*this, req.ctx, req.in.str("KeyId"));
  std::string algorithm(req.in.str("SigningAlgorithm"));
  std::string digest = signing_digest(k, req.in, req.operation, algorithm);
  dry_run(req.in);
  if (!crypto::verify(current_secret(k), algorithm, digest, req.in.str("Signature"))) throw invalid_signature_exception();
  d.output = json::object{{"KeyId", k.arn()}, {"SignatureValid", true}, {"SigningAlgorithm", algorithm}};
}

namespace {
std::string mac_of(const Key& k, const Input& in, std::string_view op, std::string_view algorithm) {
  need_usage(k, "GENERATE_VERIFY_MAC", op);
  need_algorithm(k, mac_algorithms(k), algorithm);
  return crypto::hmac(algorithm, current_secret(k), in.str("Message"));
}
}  // namespace

void KmsService::generate_mac(const Request& req, Decision& d) const {
  const Key& k = usable(*this, req.ctx, req.in.str("KeyId"));
  std::string algorithm(req.in.str("MacAlgorithm"));
  std::string mac = mac_of(k, req.in, req.operation, algorithm);
  dry_run(req.in);
  d.output = json::object{{"Mac", std::move(mac)}, {"MacAlgorithm", algorithm}, {"KeyId", k.arn()}};
}

void KmsService::verify_mac(const Request& req, Decision& d) const {
  const Key& k = usable(*this, req.ctx, req.in.str("KeyId"));
  std::string algorithm(req.in.str("MacAlgorithm"));
  std::string mac = mac_of(k, req.in, req.operation, algorithm);
  dry_run(req.in);
  std::string_view given = req.in.str("Mac");
  if (given.size() != mac.size() || CRYPTO_memcmp(given.data(), mac.data(), mac.size()) != 0) throw invalid_mac_exception();
  d.output = json::object{{"KeyId", k.arn()}, {"MacValid", true}, {"MacAlgorithm", algorithm}};
}

// ECDH with a KEY_AGREEMENT key; the peer's public key is DER
// SubjectPublicKeyInfo of the same curve (ValidationException otherwise).
void KmsService::derive_shared_secret(const Request& req, Decision& d) const {
  const Key& k = usable(*this, req.ctx, req.in.str("KeyId"));
  need_usage(k, "KEY_AGREEMENT", req.operation);
  std::string algorithm(req.in.str("KeyAgreementAlgorithm"));
  if (algorithm != "ECDH")
    throw invalid_key_usage_exception("Algorithm " + algorithm + " is incompatible with key spec " + k.key_spec() + ".");
  if (req.in.has("Recipient")) throw unsupported_operation_exception("podstack does not support Recipient (Nitro enclaves).");
  auto secret = crypto::ecdh(current_secret(k), req.in.str("PublicKey"));
  if (!secret) throw validation_exception("The PublicKey is not a valid " + k.key_spec() + " public key.");
  dry_run(req.in);
  d.output = json::object{{"KeyId", k.arn()},
                          {"SharedSecret", std::move(*secret)},
                          {"KeyAgreementAlgorithm", algorithm},
                          {"KeyOrigin", "AWS_KMS"}};
}

}  // namespace podstack::kms
