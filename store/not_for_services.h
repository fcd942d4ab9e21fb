// Included first by every store/ header. The services target compiles with
// PODSTACK_SERVICE_CODE (cmake/podstack.cmake, podstack_service_code), so a
// service that includes the store, directly or through the engine, fails to
// build here instead of in review (tests/seal proves it).
#pragma once
#ifdef PODSTACK_SERVICE_CODE
#error "a service may not include store/: it emits events (Decision::add) and keeps bytes through BlobStore (server/blob_store.h); see docs/architecture.md"
#endif
