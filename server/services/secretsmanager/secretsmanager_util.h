// Secrets Manager helpers shared by the state and the handler files.
#pragma once
#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

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

// A version RotateSecret staged has no value until PutSecretValue gives it one.
inline bool has_value(const SecretVersion& v) { return v.has_string() || v.has_binary(); }
// ClientRequestToken (32-64 characters), or a new UUID.
std::string client_request_token(const Input& in);

inline bool scheduled(const Secret& s) { return s.deleted_date() > 0; }
// The recovery window has passed: the secret no longer exists.
inline bool expired(const Secret& s, double now) { return scheduled(s) && s.deletion_date() <= now; }

json::array stages_json(const SecretVersion& v);
// DescribeSecret's answer (ListSecrets' entries are the same, renamed):
// `shown` is the secret asked for, `s` the one whose content it has (the
// primary, for a replica; otherwise the same secret), `region` the caller's.
json::object describe(const Secret& shown, const Secret& s, const std::string& region);
json::object rotation_rules_json(const RotationRules& r);
json::array replication_json(const Secret& s);
// ListSecrets' and BatchGetSecretValue's Filters, read from the request.
using Filters = std::vector<std::pair<std::string, json::array>>;
Filters read_filters(const Input& in);
// `s` (with the content `c`: the primary, for a replica) passes every filter.
bool filters_match(const Secret& s, const Secret& c, const std::string& region, const Filters& filters);
// Page rejects a token it did not issue with a generic ValidationException;
// Secrets Manager's own error for that is InvalidNextTokenException.
Page make_page(const Input& in, int64_t default_max = 100);

}  // namespace podstack::secretsmanager
