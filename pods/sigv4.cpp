#include "pods/sigv4.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "base/digest.h"

namespace podstack::pods {

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string amz_date_now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
// Canonical header value: surrounding spaces trimmed, inner runs of spaces collapsed.
std::string trim_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}
}  // namespace

SigV4Signature sigv4_sign(const SigV4Request& r, const AwsCredentials& c, const std::string& region,
                          const std::string& service, const std::string& amz_date) {
  std::vector<std::pair<std::string, std::string>> q;
  for (auto& [k, v] : r.query) q.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(q.begin(), q.end());
  std::string query;
  for (auto& [k, v] : q) query += (query.empty() ? "" : "&") + k + "=" + v;

  std::vector<std::pair<std::string, std::string>> h;
  for (auto& [k, v] : r.headers) h.emplace_back(lower(k), trim_value(v));
  std::sort(h.begin(), h.end());
  std::string canonical_headers, signed_headers;
  for (size_t i = 0; i < h.size(); ++i) {
    // Repeated headers: one line, values joined with commas.
    if (i > 0 && h[i].first == h[i - 1].first) {
      canonical_headers.back() = ',';
      canonical_headers += h[i].second + "\n";
      continue;
    }
    canonical_headers += h[i].first + ":" + h[i].second + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + h[i].first;
  }

  SigV4Signature s;
  s.canonical_request = r.method + "\n" + (r.path.empty() ? "/" : r.path) + "\n" + query + "\n" + canonical_headers + "\n" +
                        signed_headers + "\n" + r.payload_hash;
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  s.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(s.canonical_request);
  std::string key = hmac_sha256("AWS4" + c.secret_key, date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  s.signature = to_hex(hmac_sha256(key, s.string_to_sign));
  s.authorization = "AWS4-HMAC-SHA256 Credential=" + c.access_key + "/" + scope + ", SignedHeaders=" + signed_headers +
                    ", Signature=" + s.signature;
  return s;
}

}  // namespace podstack::pods
