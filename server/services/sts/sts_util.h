// STS helpers shared by the handler files: credentials that carry their
// principal (base/access_key.h, docs/decisions.md), ARN checks, validation.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "server/service.h"

namespace podstack::sts {

// Who temporary credentials stand for: what GetCallerIdentity answers.
struct Principal {
  std::string account;  // 12 digits
  std::string user_id;  // "AROA...:session", "ACCOUNT:name", an access key id
  std::string arn;
};

// Credentials for `p`, valid `duration` seconds: an ASIA key id naming
// p.account and a session token naming the principal.
json::object issue_credentials(const CallContext& ctx, const Principal& p, int64_t duration);
// The principal a session token podstack issued names; nullopt for others.
std::optional<Principal> token_principal(std::string_view token);
// The caller of this request: the principal of its session token, else the
// account's root.
Principal caller(const CallContext& ctx);

// "arn:aws:iam::111111111111:role/path/r" -> its account ("" when the ARN
// has none or not 12 digits) and the role's name ("r"); throws AWS's
// ValidationError for text that is not an ARN.
struct RoleRef {
  std::string account, name;
};
RoleRef parse_role_arn(std::string_view arn);
// Throws for a malformed ARN (any service).
void check_arn(std::string_view arn);

// [\w+=,.@-]* (roleSessionNameType, userNameType): throws pattern_error.
void check_name_pattern(std::string_view value, std::string_view member);

// The role's stable id: AROA + 17 characters derived from its ARN (the same
// role answers the same id, as on AWS).
std::string role_id(std::string_view role_arn);

// The AssumedRoleUser of `session` in `role`, and its principal.
Principal assumed_role(const CallContext& ctx, std::string_view role_arn, std::string_view session);
json::object assumed_role_user(const Principal& p);

// PackedPolicySize: present when the request passes a session policy.
void packed_policy_size(const Input& in, json::object& out);

}  // namespace podstack::sts
