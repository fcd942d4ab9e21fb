#pragma once
#include <memory>

#include "server/service.h"

namespace podstack {
std::unique_ptr<Service> make_sqs_service(const ServiceSettings& settings);
}
