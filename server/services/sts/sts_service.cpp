#include "server/services/sts/sts_service.h"

namespace podstack {
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

class StsService final : public StatelessService<StsService> {
 public:
  std::string_view name() const override { return "sts"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("sts"); }

  static const Table& operations() {
    static const Table t = {
        {"GetCallerIdentity", {false, &StsService::get_caller_identity}},
        {"AssumeRole", {false, &StsService::assume_role}},
        {"GetSessionToken", {false, &StsService::get_session_token}},
    };
    return t;
  }


 private:
  void get_caller_identity(const Input&, const CallContext& ctx, Decision& d) const {
    json::object o;
    o["UserId"] = ctx.access_key.empty() ? "AKIAIOSFODNN7EXAMPLE" : ctx.access_key;
    o["Account"] = ctx.account;
    o["Arn"] = "arn:aws:iam::" + ctx.account + ":root";
    d.output = std::move(o);
  }

  void assume_role(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string_view role_arn = in.str("RoleArn");
    std::string_view session = in.str("RoleSessionName");
    int64_t duration = in.opt_int("DurationSeconds").value_or(3600);
    if (duration < 900 || duration > 43200)
      throw ApiError::bad_request("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
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

  void get_session_token(const Input& in, const CallContext& ctx, Decision& d) const {
    int64_t duration = in.opt_int("DurationSeconds").value_or(43200);
    json::object o;
    o["Credentials"] = credentials(ctx, duration);
    d.output = std::move(o);
  }
};

}  // namespace

std::unique_ptr<Service> make_sts_service() { return std::make_unique<StsService>(); }

}  // namespace podstack
