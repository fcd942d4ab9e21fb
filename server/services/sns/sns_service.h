#pragma once
#include <memory>

#include "server/service.h"

namespace podstack {
// Reads SMTP_HOST once (email subscriptions are relayed there; unset: recorded only).
std::unique_ptr<Service> make_sns_service(const ServiceSettings& settings);
}
