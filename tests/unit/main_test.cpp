#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "server/protocol/api_error.h"

REGISTER_EXCEPTION_TRANSLATOR(const podstack::protocol::ApiError& e) {
  return doctest::String(("ApiError " + e.code + ": " + e.message).c_str());
}
