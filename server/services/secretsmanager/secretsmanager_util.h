// Secrets Manager helpers shared by the state and the handler files.
#pragma once
#include <algorithm>
#include <string_view>

#include "proto/secretsmanager.pb.h"
#include "server/service.h"
#include "server/services/pagination.h"

namespace podstack::secretsmanager {

constexpr std::string_view kCurrent = "AWSCURRENT";
constexpr std::string_view kPrevious = "AWSPREVIOUS";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kMaxVersions = 100;
constexpr double kDay = 86400.0;

inline bool has_stage(const SecretVersion& v, std::string_view stage) {
  return std::find(v.stages().begin(), v.stages().end(), stage) != v.stages().end();
}
const SecretVersion* version_by_id(const Secret& s, std::string_view id);
const SecretVersion* version_by_stage(const Secret& s, std::string_view stage);

inline bool scheduled(const Secret& s) { return s.deleted_date() > 0; }
// The recovery window has passed: the secret no longer exists.
inline bool expired(const Secret& s, double now) { return scheduled(s) && s.deletion_date() <= now; }

json::array stages_json(const SecretVersion& v);
// DescribeSecret's answer (ListSecrets' entries are the same, renamed).
json::object describe(const Secret& s);
// Page rejects a token it did not issue with a generic ValidationException;
// Secrets Manager's own error for that is InvalidNextTokenException.
Page make_page(const Input& in);

}  // namespace podstack::secretsmanager
