#include <mutex>

#include "server/protocol/model.h"

namespace podstack::protocol {
namespace {
struct Embedded {
  std::string_view name;
  std::string_view text;
};
// Generated from server/protocol/models/*.json by cmake/embed_models.cmake.
const Embedded kModels[] = {
#include "models_embedded.inc"
};
constexpr size_t kCount = sizeof(kModels) / sizeof(kModels[0]);
std::once_flag g_once[kCount];
std::unique_ptr<ServiceModel> g_models[kCount];
}  // namespace

const ServiceModel* builtin_model(std::string_view service) {
  for (size_t i = 0; i < kCount; ++i) {
    if (kModels[i].name != service) continue;
    std::call_once(g_once[i], [i] { g_models[i] = ServiceModel::parse(kModels[i].text); });
    return g_models[i].get();
  }
  return nullptr;
}

}  // namespace podstack::protocol
