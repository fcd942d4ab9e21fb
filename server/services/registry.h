// Every service podstack has, built once per engine.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "server/service.h"

namespace podstack {
// All of them, always: the log may hold events of any service, so replay
// needs every one; SERVICES only gates routing (see Gateway).
std::vector<std::unique_ptr<Service>> make_services(const ServiceSettings& settings = {});
}
