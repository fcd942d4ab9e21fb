// STS helpers (see sts_util.h).
#include "server/services/sts/sts_util.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/access_key.h"
#include "base/digest.h"
#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sts/sts_errors.h"

namespace podstack::sts {
namespace {

constexpr std::string_view kSecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kTokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes) {
  std::string s = protocol::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string s(text);
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  return protocol::base64_decode(s);
}

uint64_t random_bits() {
  return std::strtoull(random_chars(15, "0123456789abcdef").c_str(), nullptr, 16);
}

}  // namespace

// The session token: the prefix, the principal (base64url of
// "1\n<account>\n<user id>\n<arn>"), '.', and random characters so that two
// sessions of one principal differ. Not signed: podstack enforces no credentials.
json::object issue_credentials(const CallContext& ctx, const Principal& p, int64_t duration) {
  uint64_t account = std::strtoull(p.account.c_str(), nullptr, 10);
  json::object c;
  c["AccessKeyId"] = make_access_key("ASIA", account, random_bits());
  c["SecretAccessKey"] = random_chars(40, kSecretAlphabet);
  c["SessionToken"] = std::string(kSessionTokenPrefix) + base64url("1\n" + p.account + "\n" + p.user_id + "\n" + p.arn) + "." +
                      random_chars(64, kTokenAlphabet);
  c["Expiration"] = static_cast<double>(ctx.now_ms / 1000 + duration);
  return c;
}

std::optional<Principal> token_principal(std::string_view token) {
  if (!podstack_session_token(token)) return std::nullopt;
  token.remove_prefix(kSessionTokenPrefix.size());
  auto text = from_base64url(token.substr(0, token.find('.')));
  if (!text || text->rfind("1\n", 0) != 0) return std::nullopt;
  std::string_view rest = std::string_view(*text).substr(2);
  size_t a = rest.find('\n'), b = a == std::string_view::npos ? a : rest.find('\n', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  return Principal{std::string(rest.substr(0, a)), std::string(rest.substr(a + 1, b - a - 1)), std::string(rest.substr(b + 1))};
}

Principal caller(const CallContext& ctx) {
  if (!ctx.session_token.empty())
    if (auto p = token_principal(ctx.session_token)) {
      p->account = ctx.account;  // the key names it, as the gateway read it
      return *p;
    }
  return Principal{ctx.account, ctx.access_key.empty() ? "AKIAIOSFODNN7EXAMPLE" : ctx.access_key,
                   arn_prefix(ctx.region) + "iam::" + ctx.account + ":root"};
}

void check_arn(std::string_view arn) {
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, partition, service and
  // resource not empty.
  auto a = parse_arn(arn);
  if (!a || a->partition.empty() || a->service.empty() || a->resource.empty()) throw invalid_arn(arn);
}

RoleRef parse_role_arn(std::string_view arn) {
  check_arn(arn);
  auto a = parse_arn(arn);
  RoleRef r;
  if (a->account.size() == 12 && a->account.find_first_not_of("0123456789") == std::string::npos) r.account = a->account;
  std::string_view res = a->resource;
  r.name = std::string(res.substr(res.rfind('/') == std::string_view::npos ? 0 : res.rfind('/') + 1));
  return r;
}

void check_name_pattern(std::string_view value, std::string_view member) {
  for (char c : value)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("_+=,.@-").find(c) == std::string_view::npos)
      throw pattern_error(value, member, "[\\w+=,.@-]*");
}

std::string role_id(std::string_view role_arn) {
  std::string h = digest(DigestAlgorithm::kSha256, role_arn);
  std::string id = "AROA";
  for (size_t i = 0; i < 17; ++i) id += kBase32Alphabet[static_cast<unsigned char>(h[i]) % 32];
  return id;
}

Principal assumed_role(const CallContext& ctx, std::string_view role_arn, std::string_view session) {
  RoleRef r = parse_role_arn(role_arn);
  Principal p;
  p.account = r.account.empty() ? ctx.account : r.account;
  p.user_id = role_id(role_arn) + ":" + std::string(session);
  p.arn = arn_prefix(ctx.region) + "sts::" + p.account + ":assumed-role/" + r.name + "/" + std::string(session);
  return p;
}

json::object assumed_role_user(const Principal& p) {
  json::object u;
  u["AssumedRoleId"] = p.user_id;
  u["Arn"] = p.arn;
  return u;
}

void packed_policy_size(const Input& in, json::object& out) {
  size_t bytes = in.opt_str("Policy").value_or("").size();
  if (auto* arns = in.array("PolicyArns")) bytes += arns->size() * 64;
  if (!in.has("Policy") && !in.has("PolicyArns")) return;
  // AWS's percentage of its packed limit; the packing itself is not documented.
  out["PackedPolicySize"] = static_cast<int64_t>(std::min<size_t>(100, 6 + bytes * 100 / 2048));
}

}  // namespace podstack::sts
