// SSM Parameter Store: parameters with version history, labels and tags.
// Handlers: ssm_parameters.cpp (writes), ssm_reads.cpp (gets, describe,
// history), ssm_tags.cpp; the state in ssm_state.h.
// AWS reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/
#pragma once
#include <memory>

#include "server/service.h"
#include "server/services/ssm/ssm_state.h"

namespace podstack {
std::unique_ptr<Service> make_ssm_service();
}

namespace podstack::ssm {

class SsmService final : public StatefulService<SsmService, SsmState> {
 public:
  static constexpr std::string_view kName = "ssm";

  static const Table& operations();

  // ---- parameters (ssm_parameters.cpp) ----
  void put_parameter(const Request& req, Decision& out) const;
  void delete_parameter(const Request& req, Decision& out) const;
  void delete_parameters(const Request& req, Decision& out) const;
  void label_parameter_version(const Request& req, Decision& out) const;
  void unlabel_parameter_version(const Request& req, Decision& out) const;

  // ---- reads (ssm_reads.cpp) ----
  void get_parameter(const Request& req, Decision& out) const;
  void get_parameters(const Request& req, Decision& out) const;
  void get_parameters_by_path(const Request& req, Decision& out) const;
  void describe_parameters(const Request& req, Decision& out) const;
  void get_parameter_history(const Request& req, Decision& out) const;

  // ---- tags (ssm_tags.cpp) ----
  void add_tags(const Request& req, Decision& out) const;
  void remove_tags(const Request& req, Decision& out) const;
  void list_tags(const Request& req, Decision& out) const;

 private:
  const ParameterPartition* part(const CallContext& ctx) const { return state().part(ctx); }
  const Parameter* find(const CallContext& ctx, std::string_view name) const { return state().find(ctx, name); }
  // The parameter a tag operation names, or AWS's error.
  const Parameter* tag_target(const Input& in, const CallContext& ctx) const;
};

}  // namespace podstack::ssm
