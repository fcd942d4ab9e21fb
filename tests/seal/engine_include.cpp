// Must NOT compile: service code reaching past the service API into the server.
#include "server/service.h"
#include "server/engine.h"
