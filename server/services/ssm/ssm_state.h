// SSM Parameter Store state: per (account, region), parameters by name,
// each with its version history (newest 100, as AWS keeps), labels per
// version and tags. SsmState::apply is the only code that changes it.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "proto/ssm.pb.h"
#include "server/service.h"

namespace podstack::ssm {

struct ParameterPartition {
  std::map<std::string, Parameter, std::less<>> params;
};

// "name" and "/name" are the same top-level parameter (their ARN is the
// same): the parameter is found under either, and keeps the name it was
// created with.
const Parameter* find_param(const ParameterPartition* part, std::string_view name);

class SsmState {
 public:
  using Event = ssm::Event;
  using Snapshot = ssm::State;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() { parts_.clear(); }
  uint64_t resource_count() const {
    return parts_.count([](const ParameterPartition& p) { return p.params.size(); });
  }
  std::string summarize(const Event& ev) const;

  const ParameterPartition* part(const CallContext& ctx) const { return parts_.find(ctx); }
  const Parameter* find(const CallContext& ctx, std::string_view name) const {
    return find_param(part(ctx), name);
  }

 private:
  static void set_tags(Parameter& p, const std::map<std::string, std::string>& tags);

  Partitions<ParameterPartition> parts_;
};

}  // namespace podstack::ssm
