// Included first by the server's own headers (engine, gateway, config, HTTP,
// outbox, pods API). The services target compiles with PODSTACK_SERVICE_CODE,
// so a service reaching past the service API (server/service.h) fails to
// build here (tests/seal proves it).
#pragma once
#ifdef PODSTACK_SERVICE_CODE
#error "a service may include only the service API (server/service.h, server/blob_store.h, server/protocol/, proto/, base/); see docs/architecture.md"
#endif
