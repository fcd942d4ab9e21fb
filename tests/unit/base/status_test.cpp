// Errors as values: a Result is a value or an error, never an "OK" without a value.
#include "base/status.h"

#include <doctest/doctest.h>

using namespace podstack;

TEST_CASE("a Result made from an OK status is an error, not a success without a value") {
  Result<int> r(Status::ok());
  CHECK_FALSE(r.is_ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("OK status") != std::string::npos);
}

TEST_CASE("a Result holds its value or its error") {
  Result<int> v(7);
  REQUIRE(v.is_ok());
  CHECK(*v == 7);
  CHECK(v.status().is_ok());
  Result<int> e(Status::not_found("no such thing"));
  CHECK_FALSE(e.is_ok());
  CHECK(e.status().code() == Status::Code::kNotFound);
}
