#include "server/services/ssm/ssm_service.h"

namespace podstack {
namespace {
class SsmService final : public ServiceBase<SsmService> {
 public:
  std::string_view name() const override { return "ssm"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("ssm"); }
  static const Table& operations() {
    static const Table t = {};
    return t;
  }
  void apply(const proto::Event&) override {}
  std::string snapshot() const override { return {}; }
  Status restore(std::string_view) override { return Status::ok(); }
  void clear() override {}
};
}  // namespace
std::unique_ptr<Service> make_ssm_service() { return std::make_unique<SsmService>(); }
}  // namespace podstack
