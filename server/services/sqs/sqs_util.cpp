// SQS helpers shared by the state and the handlers (see sqs_util.h).
#include "server/services/sqs/sqs_util.h"

#include <cctype>
#include <cstdlib>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sqs/sqs_errors.h"

namespace podstack::sqs {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// XML 1.0 characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool valid_chars(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) cp = c, n = 1;
    else if ((c >> 5) == 6) cp = c & 0x1f, n = 2;
    else if ((c >> 4) == 14) cp = c & 0x0f, n = 3;
    else if ((c >> 3) == 30) cp = c & 0x07, n = 4;
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    i += n;
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
              (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return false;
  }
  return true;
}

bool valid_queue_name(std::string_view name) {
  std::string_view base = name;
  if (base.size() > 5 && base.substr(base.size() - 5) == ".fifo") base.remove_suffix(5);
  if (name.empty() || name.size() > 80) return false;
  for (char c : base)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

bool valid_batch_id(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::string arn_of(const std::string& region, const std::string& account, std::string_view name) {
  return arn_prefix(region) + "sqs:" + region + ":" + account + ":" + std::string(name);
}

std::string name_from_arn(std::string_view arn) {
  if (arn.rfind("arn:", 0) != 0) return {};
  size_t colons = 0, p = 0;
  for (; p < arn.size() && colons < 5; ++p)
    if (arn[p] == ':') ++colons;
  if (colons < 5 || arn.find(":sqs:") == std::string_view::npos) return {};
  return std::string(arn.substr(p));
}

// A queue URL in any of the shapes LocalStack and AWS hand out:
//   http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/name
//   http://localhost:4566/000000000000/name, http://localhost:4566/queue/us-east-1/000000000000/name
// -> the queue name (the last path segment).
std::string name_from_url(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    url = url.substr(scheme + 3);
    size_t slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  size_t last = url.rfind('/');
  if (last == std::string_view::npos) return std::string(url);
  return std::string(url.substr(last + 1));
}

// LocalStack's SQS_ENDPOINT_STRATEGY: standard (default), domain, path, off.
// https://docs.localstack.cloud/user-guide/aws/sqs/#queue-urls
std::string endpoint_strategy(std::string_view setting) {
  std::string v = setting.empty() ? "standard" : lower(setting);
  if (v == "dynamic") v = "standard";  // LocalStack's older name for the same URLs
  return v;
}

std::optional<Redrive> parse_redrive(const std::string& text) {
  if (text.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  Redrive r;
  auto* arn = v.as_object().if_contains("deadLetterTargetArn");
  auto* max = v.as_object().if_contains("maxReceiveCount");
  if (!arn || !arn->is_string() || !max) return std::nullopt;
  r.dlq = name_from_arn(arn->as_string());
  if (max->is_string()) r.max_receive_count = std::strtoll(std::string(max->as_string()).c_str(), nullptr, 10);
  else if (max->is_int64()) r.max_receive_count = max->as_int64();
  else if (max->is_uint64()) r.max_receive_count = static_cast<int64_t>(max->as_uint64());
  if (r.dlq.empty() || r.max_receive_count < 1) return std::nullopt;
  return r;
}

std::string redrive_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return text;
  auto* arn = v.as_object().if_contains("deadLetterTargetArn");
  auto* max = v.as_object().if_contains("maxReceiveCount");
  if (!arn || !arn->is_string() || !max) return text;
  json::object out;
  out["deadLetterTargetArn"] = *arn;
  if (max->is_string()) {
    std::string s(max->as_string());
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return text;
    out["maxReceiveCount"] = std::strtoll(s.c_str(), nullptr, 10);
  } else {
    out["maxReceiveCount"] = *max;
  }
  return json::serialize(out);
}

std::string make_handle(std::string_view queue, std::string_view id) {
  return protocol::base64_encode(std::string(queue) + "\n" + std::string(id) + "\n" +
                                 random_chars(24, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));
}
std::optional<Handle> parse_handle(std::string_view h) {
  auto raw = protocol::base64_decode(h);
  if (!raw) return std::nullopt;
  size_t a = raw->find('\n');
  if (a == std::string::npos) return std::nullopt;
  size_t b = raw->find('\n', a + 1);
  if (b == std::string::npos) return std::nullopt;
  return Handle{raw->substr(0, a), raw->substr(a + 1, b - a - 1)};
}

std::string sequence_number(uint64_t seq) {
  std::string s = std::to_string(seq);
  return std::string(s.size() < 20 ? 20 - s.size() : 0, '0') + s;
}

std::string notify_key(const CallContext& ctx, std::string_view queue) {
  return "sqs/" + ctx.account + "/" + ctx.region + "/" + std::string(queue);
}

int64_t int_attr_value(std::string_view name, const std::string& v, const AttrSpec& spec) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) throw invalid_attribute_value(name);
  int64_t n = std::strtoll(v.c_str(), nullptr, 10);
  if (n < spec.min || n > spec.max) throw invalid_attribute_value(name);
  return n;
}

}  // namespace podstack::sqs
