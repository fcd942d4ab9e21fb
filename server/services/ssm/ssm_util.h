// SSM helpers shared by the state and the handler files.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "proto/ssm.pb.h"
#include "server/service.h"

namespace podstack::ssm {

constexpr size_t kMaxVersions = 100;
constexpr size_t kMaxLabelsPerVersion = 10;
constexpr size_t kMaxTags = 50;
constexpr int kMaxHierarchyLevels = 15;
constexpr size_t kStandardValueLimit = 4096;
constexpr size_t kAdvancedValueLimit = 8192;

std::string lower(std::string_view s);
// "arn:aws:ssm:us-east-1:000000000000:parameter/a/b" -> "/a/b"; plain names unchanged.
std::string strip_arn(std::string_view name);
std::string arn_of(const CallContext& ctx, std::string_view name);
inline const ParameterVersion& latest(const Parameter& p) { return p.versions(p.versions_size() - 1); }

}  // namespace podstack::ssm
