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

Protocol guess_protocol(std::string_view signing_name) {
  static const std::pair<std::string_view, Protocol> kKnown[] = {
      {"sqs", Protocol::kQuery},      {"sns", Protocol::kQuery},   {"ses", Protocol::kQuery},
      {"iam", Protocol::kQuery},      {"sts", Protocol::kQuery},   {"cloudformation", Protocol::kQuery},
      {"ec2", Protocol::kEc2},        {"s3", Protocol::kRestXml},  {"", Protocol::kRestXml},
      {"lambda", Protocol::kRestJson}, {"apigateway", Protocol::kRestJson}};
  for (auto& [n, p] : kKnown)
    if (n == signing_name) return p;
  return Protocol::kJson;
}

const ServiceModel* builtin_model(std::string_view service) {
  for (size_t i = 0; i < kCount; ++i) {
    if (kModels[i].name != service) continue;
    std::call_once(g_once[i], [i] { g_models[i] = ServiceModel::parse(kModels[i].text); });
    return g_models[i].get();
  }
  return nullptr;
}

}  // namespace podstack::protocol
