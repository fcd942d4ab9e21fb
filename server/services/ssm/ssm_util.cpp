// SSM helpers (see ssm_util.h).
#include "server/services/ssm/ssm_util.h"

#include <cctype>

#include "server/services/arn.h"

namespace podstack::ssm {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string strip_arn(std::string_view name) {
  if (name.rfind("arn:", 0) != 0) return std::string(name);
  size_t p = name.find(":parameter");
  if (p == std::string_view::npos) return std::string(name);
  std::string_view rest = name.substr(p + 10);
  if (rest.size() > 1 && rest[0] == '/' && rest[1] == '/') rest.remove_prefix(1);
  // "parameter/foo" names a parameter without a leading slash.
  if (!rest.empty() && rest[0] == '/' && rest.find('/', 1) == std::string_view::npos) return std::string(rest.substr(1));
  return std::string(rest);
}

std::string arn_of(const CallContext& ctx, std::string_view name) {
  std::string arn = arn_prefix(ctx.region) + "ssm:" + ctx.region + ":" + ctx.account + ":parameter";
  if (name.empty() || name[0] != '/') arn += '/';
  arn += name;
  return arn;
}

}  // namespace podstack::ssm
