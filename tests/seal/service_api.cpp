// Must compile: what a service may include, compiled as service code. The
// control for the two files beside it (their failure is the include, not the flags).
#include "base/digest.h"
#include "base/status.h"
#include "proto/event.pb.h"
#include "server/blob_store.h"
#include "server/protocol/codec.h"
#include "server/protocol/encoding.h"
#include "server/service.h"
#include "server/services/arn.h"
#include "server/services/pagination.h"
