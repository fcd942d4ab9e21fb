// STS: identity and temporary credentials. Nothing here changes state, so
// no operation emits events.
#pragma once
#include <memory>

#include "server/service.h"

namespace podstack {
std::unique_ptr<Service> make_sts_service();
}
