#include "server/services/sts/sts_service.h"

#include "server/services/sts/sts_errors.h"

namespace podstack {
std::unique_ptr<Service> make_sts_service() { return std::make_unique<sts::StsService>(); }
}  // namespace podstack

namespace podstack::sts {
namespace {

constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kSecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

json::object credentials(const CallContext& ctx, int64_t duration) {
  json::object c;
  c["AccessKeyId"] = "ASIA" + random_chars(16, kUpperAlnum);
  c["SecretAccessKey"] = random_chars(40, kSecretAlphabet);
  c["SessionToken"] = "FQoGZXIvYXdzE" + random_chars(300, kSecretAlphabet);
  c["Expiration"] = static_cast<double>(ctx.now_ms / 1000 + duration);
  return c;
}

}  // namespace

const StsService::Table& StsService::operations() {
  static const Table t = {
      {"GetCallerIdentity", read(&StsService::get_caller_identity)},
      {"AssumeRole", read(&StsService::assume_role)},
      {"GetSessionToken", read(&StsService::get_session_token)},
  };
  return t;
}

void StsService::get_caller_identity(const Request& req, Decision& d) const {
  const CallContext& ctx = req.ctx;
  json::object o;
  o["UserId"] = ctx.access_key.empty() ? "AKIAIOSFODNN7EXAMPLE" : ctx.access_key;
  o["Account"] = ctx.account;
  o["Arn"] = "arn:aws:iam::" + ctx.account + ":root";
  d.output = std::move(o);
}

void StsService::assume_role(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string_view role_arn = in.str("RoleArn");
  std::string_view session = in.str("RoleSessionName");
  int64_t duration = in.opt_int("DurationSeconds").value_or(3600);
  if (duration < 900 || duration > 43200) throw validation_error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  // arn:aws:iam::ACCOUNT:role/path/NAME -> the role name is the last path element.
  std::string role(role_arn.substr(role_arn.rfind('/') == std::string_view::npos ? 0 : role_arn.rfind('/') + 1));
  std::string account = ctx.account;
  if (role_arn.rfind("arn:", 0) == 0) {
    size_t p = 0;
    for (int i = 0; i < 4 && p != std::string_view::npos; ++i) p = role_arn.find(':', p + 1);
    size_t q = p == std::string_view::npos ? p : role_arn.find(':', p + 1);
    if (q != std::string_view::npos && q - p - 1 == 12) account = std::string(role_arn.substr(p + 1, 12));
  }
  json::object o;
  o["Credentials"] = credentials(ctx, duration);
  json::object user;
  user["AssumedRoleId"] = "AROA" + random_chars(17, kUpperAlnum) + ":" + std::string(session);
  user["Arn"] = "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + std::string(session);
  o["AssumedRoleUser"] = std::move(user);
  o["PackedPolicySize"] = 6;
  d.output = std::move(o);
}

void StsService::get_session_token(const Request& req, Decision& d) const {
  int64_t duration = req.in.opt_int("DurationSeconds").value_or(43200);
  json::object o;
  o["Credentials"] = credentials(req.ctx, duration);
  d.output = std::move(o);
}

}  // namespace podstack::sts
