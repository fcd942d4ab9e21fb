#include "server/services/secretsmanager/secretsmanager_service.h"

namespace podstack {
namespace {
class SecretsManagerService final : public ServiceBase<SecretsManagerService> {
 public:
  std::string_view name() const override { return "secretsmanager"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("secretsmanager"); }
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
std::unique_ptr<Service> make_secretsmanager_service() { return std::make_unique<SecretsManagerService>(); }
}  // namespace podstack
