// KMS's cryptography through OpenSSL 3's EVP APIs (see kms_crypto.h).
#include "server/services/kms/kms_crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace podstack::kms::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Pkey load_private(std::string_view der) {
  const unsigned char* p = u8(der);
  return Pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
}

std::string pkcs8_der(EVP_PKEY* k) {
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(k);
  if (!p8) return {};
  unsigned char* buf = nullptr;
  int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &buf);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

const EVP_MD* md_of(std::string_view hash) {
  if (hash == "SHA1") return EVP_sha1();
  if (hash == "SHA224") return EVP_sha224();
  if (hash == "SHA256") return EVP_sha256();
  if (hash == "SHA384") return EVP_sha384();
  if (hash == "SHA512") return EVP_sha512();
  return nullptr;
}

// RSA-OAEP's context: the padding and its hash (MGF1 uses the same hash, as KMS).
bool set_oaep(EVP_PKEY_CTX* c, std::string_view algorithm) {
  const EVP_MD* md = algorithm == "RSAES_OAEP_SHA_1" ? EVP_sha1() : algorithm == "RSAES_OAEP_SHA_256" ? EVP_sha256() : nullptr;
  return md && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 && EVP_PKEY_CTX_set_rsa_oaep_md(c, md) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) > 0;
}

// A signing context's padding and digest for a SigningAlgorithmSpec.
bool set_signing(EVP_PKEY_CTX* c, std::string_view algorithm) {
  const EVP_MD* md = md_of(signing_hash(algorithm));
  if (!md || EVP_PKEY_CTX_set_signature_md(c, md) <= 0) return false;
  if (algorithm.rfind("RSASSA_PSS_", 0) == 0)
    return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0;
  if (algorithm.rfind("RSASSA_PKCS1_V1_5_", 0) == 0) return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0;
  return true;  // ECDSA
}

}  // namespace

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::optional<std::string> generate(std::string_view spec) {
  if (spec == "SYMMETRIC_DEFAULT") return random_bytes(32);
  if (spec.rfind("HMAC_", 0) == 0) {
    int bits = std::atoi(std::string(spec.substr(5)).c_str());
    if (bits != 224 && bits != 256 && bits != 384 && bits != 512) return std::nullopt;
    return random_bytes(static_cast<size_t>(bits / 8));
  }
  EVP_PKEY* k = nullptr;
  if (spec == "RSA_2048") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  else if (spec == "RSA_3072") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
  else if (spec == "RSA_4096") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
  else if (spec == "ECC_NIST_P256") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  else if (spec == "ECC_NIST_P384") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  else if (spec == "ECC_NIST_P521") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
  else if (spec == "ECC_SECG_P256K1") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1");
  else return std::nullopt;
  if (!k) throw std::runtime_error("key generation failed");
  Pkey key(k);
  std::string der = pkcs8_der(key.get());
  if (der.empty()) throw std::runtime_error("PKCS#8 encoding failed");
  return der;
}

std::string public_key_der(std::string_view private_der) {
  Pkey k = load_private(private_der);
  if (!k) return {};
  unsigned char* buf = nullptr;
  int n = i2d_PUBKEY(k.get(), &buf);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

std::string gcm_seal(std::string_view key, std::string_view iv, std::string_view aad, std::string_view plaintext) {
  CipherCtx c(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + 16, '\0');
  int n = 0, fin = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!c || EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_EncryptInit_ex(c.get(), nullptr, nullptr, u8(key), u8(iv)) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(c.get(), nullptr, &n, u8(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(c.get(), o, &n, u8(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(c.get(), o + n, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, 16, o + plaintext.size()) != 1)
    throw std::runtime_error("AES-GCM encryption failed");
  return out;
}

std::optional<std::string> gcm_open(std::string_view key, std::string_view iv, std::string_view aad,
                                    std::string_view sealed) {
  if (sealed.size() < 16 || key.size() != 32) return std::nullopt;
  std::string_view body = sealed.substr(0, sealed.size() - 16), tag = sealed.substr(sealed.size() - 16);
  CipherCtx c(EVP_CIPHER_CTX_new());
  std::string out(body.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int n = 0, fin = 0;
  std::string tag_copy(tag);
  if (!c || EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_DecryptInit_ex(c.get(), nullptr, nullptr, u8(key), u8(iv)) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(c.get(), nullptr, &n, u8(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(c.get(), o, &n, u8(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, 16, tag_copy.data()) != 1 ||
      EVP_DecryptFinal_ex(c.get(), o + n, &fin) != 1)
    return std::nullopt;
  return out;
}

size_t rsa_max_plaintext(std::string_view key_spec, std::string_view algorithm) {
  size_t bytes = key_spec == "RSA_2048" ? 256 : key_spec == "RSA_3072" ? 384 : key_spec == "RSA_4096" ? 512 : 0;
  size_t h = algorithm == "RSAES_OAEP_SHA_1" ? 20 : 32;
  return bytes > 2 * h + 2 ? bytes - 2 * h - 2 : 0;
}

std::optional<std::string> rsa_encrypt(std::string_view private_der, std::string_view algorithm,
                                       std::string_view plaintext) {
  Pkey k = load_private(private_der);
  if (!k) return std::nullopt;
  PkeyCtx c(EVP_PKEY_CTX_new(k.get(), nullptr));
  size_t len = 0;
  if (!c || EVP_PKEY_encrypt_init(c.get()) <= 0 || !set_oaep(c.get(), algorithm) ||
      EVP_PKEY_encrypt(c.get(), nullptr, &len, u8(plaintext), plaintext.size()) <= 0)
    return std::nullopt;
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(c.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(plaintext), plaintext.size()) <= 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

std::optional<std::string> rsa_decrypt(std::string_view private_der, std::string_view algorithm,
                                       std::string_view ciphertext) {
  Pkey k = load_private(private_der);
  if (!k) return std::nullopt;
  PkeyCtx c(EVP_PKEY_CTX_new(k.get(), nullptr));
  size_t len = 0;
  if (!c || EVP_PKEY_decrypt_init(c.get()) <= 0 || !set_oaep(c.get(), algorithm) ||
      EVP_PKEY_decrypt(c.get(), nullptr, &len, u8(ciphertext), ciphertext.size()) <= 0)
    return std::nullopt;
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(c.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(ciphertext), ciphertext.size()) <= 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string_view signing_hash(std::string_view algorithm) {
  auto ends = [&](std::string_view s) {
    return algorithm.size() >= s.size() && algorithm.compare(algorithm.size() - s.size(), s.size(), s) == 0;
  };
  if (algorithm.rfind("RSASSA_", 0) != 0 && algorithm.rfind("ECDSA_", 0) != 0) return {};
  if (ends("SHA_256")) return "SHA256";
  if (ends("SHA_384")) return "SHA384";
  if (ends("SHA_512")) return "SHA512";
  return {};
}

size_t digest_size(std::string_view hash) {
  const EVP_MD* md = md_of(hash);
  return md ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
}

std::string digest(std::string_view hash, std::string_view message) {
  const EVP_MD* md = md_of(hash);
  if (!md) return {};
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(message.data(), message.size(), buf, &n, md, nullptr) != 1) return {};
  return std::string(reinterpret_cast<char*>(buf), n);
}

std::optional<std::string> sign(std::string_view private_der, std::string_view algorithm, std::string_view digest) {
  Pkey k = load_private(private_der);
  if (!k) return std::nullopt;
  PkeyCtx c(EVP_PKEY_CTX_new(k.get(), nullptr));
  size_t len = 0;
  if (!c || EVP_PKEY_sign_init(c.get()) <= 0 || !set_signing(c.get(), algorithm) ||
      EVP_PKEY_sign(c.get(), nullptr, &len, u8(digest), digest.size()) <= 0)
    return std::nullopt;
  std::string out(len, '\0');
  if (EVP_PKEY_sign(c.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(digest), digest.size()) <= 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

bool verify(std::string_view private_der, std::string_view algorithm, std::string_view digest,
            std::string_view signature) {
  Pkey k = load_private(private_der);
  if (!k) return false;
  PkeyCtx c(EVP_PKEY_CTX_new(k.get(), nullptr));
  return c && EVP_PKEY_verify_init(c.get()) > 0 && set_signing(c.get(), algorithm) &&
         EVP_PKEY_verify(c.get(), u8(signature), signature.size(), u8(digest), digest.size()) == 1;
}

std::optional<std::string> ecdh(std::string_view private_der, std::string_view peer_public_der) {
  Pkey k = load_private(private_der);
  const unsigned char* p = u8(peer_public_der);
  Pkey peer(d2i_PUBKEY(nullptr, &p, static_cast<long>(peer_public_der.size())));
  if (!k || !peer || p != u8(peer_public_der) + peer_public_der.size()) return std::nullopt;
  PkeyCtx c(EVP_PKEY_CTX_new(k.get(), nullptr));
  size_t len = 0;
  if (!c || EVP_PKEY_derive_init(c.get()) <= 0 || EVP_PKEY_derive_set_peer(c.get(), peer.get()) <= 0 ||
      EVP_PKEY_derive(c.get(), nullptr, &len) <= 0)
    return std::nullopt;
  std::string out(len, '\0');
  if (EVP_PKEY_derive(c.get(), reinterpret_cast<unsigned char*>(out.data()), &len) <= 0) return std::nullopt;
  out.resize(len);
  return out;
}

std::string hmac(std::string_view algorithm, std::string_view key, std::string_view message) {
  std::string hash = "SHA" + std::string(algorithm.substr(algorithm.rfind('_') + 1));
  const EVP_MD* md = md_of(hash);
  if (!md) return {};
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()), u8(message), message.size(), buf, &n)) return {};
  return std::string(reinterpret_cast<char*>(buf), n);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace podstack::kms::crypto
