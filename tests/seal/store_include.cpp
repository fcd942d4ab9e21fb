// Must NOT compile: service code (PODSTACK_SERVICE_CODE) including the store.
#include "server/service.h"
#include "store/event_store.h"
