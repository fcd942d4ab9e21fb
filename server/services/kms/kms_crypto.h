// KMS's cryptography, through OpenSSL's EVP APIs: key generation for each
// KeySpec, AES-256-GCM, RSA-OAEP, signatures (RSA PSS and PKCS#1 v1.5,
// ECDSA), HMAC. Pure functions of their inputs, except random_bytes() and
// generate(), which the handlers call in decide() and whose results go into
// events (never in apply()).
// https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace podstack::kms::crypto {

// n bytes from OpenSSL's RAND_bytes.
std::string random_bytes(size_t n);

// New key material for a KeySpec: SYMMETRIC_DEFAULT the 32-byte AES key,
// HMAC_<bits> a key of that many bits, RSA_* and ECC_* the private key as
// DER PKCS#8. nullopt: a spec podstack does not generate.
std::optional<std::string> generate(std::string_view key_spec);

// The public key of a DER PKCS#8 private key, as DER SubjectPublicKeyInfo
// (GetPublicKey's PublicKey); empty when the bytes are not a key.
std::string public_key_der(std::string_view private_der);

// AES-256-GCM: the ciphertext followed by the 16-byte tag.
std::string gcm_seal(std::string_view key, std::string_view iv, std::string_view aad, std::string_view plaintext);
// nullopt: the tag does not match (wrong key, context or bytes).
std::optional<std::string> gcm_open(std::string_view key, std::string_view iv, std::string_view aad,
                                    std::string_view sealed);

// RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256 with the key pair's public half;
// nullopt when the plaintext is too long for the key and padding.
std::optional<std::string> rsa_encrypt(std::string_view private_der, std::string_view algorithm,
                                       std::string_view plaintext);
std::optional<std::string> rsa_decrypt(std::string_view private_der, std::string_view algorithm,
                                       std::string_view ciphertext);
// The largest plaintext rsa_encrypt takes for this key and algorithm.
size_t rsa_max_plaintext(std::string_view key_spec, std::string_view algorithm);

// The hash a SigningAlgorithmSpec uses: "SHA256", "SHA384" or "SHA512"; empty: unknown.
std::string_view signing_hash(std::string_view algorithm);
// Its digest length in bytes (32, 48, 64).
size_t digest_size(std::string_view hash);
// The digest of `message` with `hash` ("SHA224".."SHA512").
std::string digest(std::string_view hash, std::string_view message);

// Signs a digest (already hashed with signing_hash(algorithm)): RSA PSS
// (salt length = digest length, as KMS), PKCS#1 v1.5, or ECDSA (DER).
std::optional<std::string> sign(std::string_view private_der, std::string_view algorithm, std::string_view digest);
bool verify(std::string_view private_der, std::string_view algorithm, std::string_view digest,
            std::string_view signature);

// ECDH between the key pair and a peer's DER SubjectPublicKeyInfo: the raw
// shared secret (the x coordinate); nullopt when the peer key is not a key
// of the same curve.
std::optional<std::string> ecdh(std::string_view private_der, std::string_view peer_public_der);

// HMAC_SHA_224..HMAC_SHA_512 of `message`.
std::string hmac(std::string_view algorithm, std::string_view key, std::string_view message);

// Lowercase hex.
std::string hex(std::string_view bytes);

}  // namespace podstack::kms::crypto
