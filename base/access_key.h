// AWS access key ids and the account they name, as AWS encodes it: a
// four-letter type prefix (AKIA long-lived, ASIA temporary) and 16 base32
// characters (80 bits) whose bits 1..40 (from the most significant) are the
// account id. sts:GetAccessKeyInfo decodes it; so does the gateway, for the
// temporary credentials podstack's STS issues (docs/decisions.md, "Assumed
// credentials carry their account").
// https://awsteele.com/blog/2020/09/26/aws-access-key-format.html,
// https://medium.com/@TalBeerySec/a-short-note-on-aws-key-id-f88cc4317489
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace podstack {

inline constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// The 40-bit account of an access key id; nullopt when it is not of AWS's
// form (shorter than 14 characters, or not base32 after the prefix).
inline std::optional<uint64_t> access_key_account(std::string_view key) {
  if (key.size() < 14) return std::nullopt;
  uint64_t bits = 0;  // the first 10 base32 characters: 50 bits
  for (char c : key.substr(4, 10)) {
    uint64_t v;
    if (c >= 'A' && c <= 'Z') v = static_cast<uint64_t>(c - 'A');
    else if (c >= '2' && c <= '7') v = static_cast<uint64_t>(c - '2' + 26);
    else return std::nullopt;
    bits = bits << 5 | v;
  }
  // bits 49..0; the first 48 are the 6 bytes AWS reads, masked 0x7fffffffff80.
  return (bits >> 2) >> 7 & 0xffffffffffull;
}

// Twelve digits, zero-padded: "000000000042".
inline std::string account_digits(uint64_t account) {
  std::string s(12, '0');
  for (int i = 11; i >= 0 && account; --i, account /= 10) s[static_cast<size_t>(i)] = static_cast<char>('0' + account % 10);
  return s;
}

// A key id of `prefix` (4 letters) naming `account`; `noise` fills the 39
// bits AWS does not give a meaning to (the caller's randomness).
inline std::string make_access_key(std::string_view prefix, uint64_t account, uint64_t noise) {
  // 80 bits: [1][40-bit account][39 noise bits], base32 in 16 characters:
  // the first 8 spell bits 79..40, the last 8 bits 39..0. The leading 1
  // marks AWS's current generation of key ids (the account is readable only
  // in those): https://labs.withsecure.com/publications/a-bitwise-analysis-of-aws-access-key-identifiers.html
  account &= 0xffffffffffull;
  const uint64_t hi = 1ull << 39 | account >> 1, lo = (account & 1) << 39 | (noise & ((1ull << 39) - 1));
  std::string out(prefix);
  for (uint64_t half : {hi, lo})
    for (int i = 0; i < 8; ++i) out += kBase32Alphabet[static_cast<size_t>(half >> (35 - 5 * i) & 31)];
  return out;
}

// Session tokens podstack's STS issues start with this: the gateway takes
// the account from an ASIA key id only when its token is one of these (real
// AWS credentials in a developer's environment stay in the default account).
inline constexpr std::string_view kSessionTokenPrefix = "FQoGZXIvYXdzEPodstack1.";

inline bool podstack_session_token(std::string_view token) { return token.rfind(kSessionTokenPrefix, 0) == 0; }

}  // namespace podstack
