// Secrets Manager behaviour that depends on time: the recovery window is
// evaluated lazily against the request's clock, and the purge it implies is
// an event, so replay never depends on when it runs.
#include <doctest/doctest.h>

#include "../../../service_harness.h"

using namespace podstack;

namespace {
constexpr int64_t kDayMs = 86400000;

struct Harness : testing::ServiceHarness {
  explicit Harness(bool ignore_checkpoints = false) : ServiceHarness("secretsmanager", ignore_checkpoints) {}
};
}  // namespace

TEST_CASE("a secret past its recovery window is gone, and its name can be reused") {
  Harness h;
  const int64_t t0 = 1800000000000;
  REQUIRE_FALSE(h.call("CreateSecret", {{"Name", "s"}, {"SecretString", "v1"}}, t0).error);
  REQUIRE_FALSE(h.call("DeleteSecret", {{"SecretId", "s"}, {"RecoveryWindowInDays", 7}}, t0).error);

  // Inside the window: marked for deletion.
  ExecResult r = h.call("GetSecretValue", {{"SecretId", "s"}}, t0 + 6 * kDayMs);
  REQUIRE(r.error);
  CHECK(r.error->code == "InvalidRequestException");
  r = h.call("CreateSecret", {{"Name", "s"}, {"SecretString", "v2"}}, t0 + 6 * kDayMs);
  REQUIRE(r.error);
  CHECK(r.error->code == "InvalidRequestException");

  // After it: gone.
  r = h.call("GetSecretValue", {{"SecretId", "s"}}, t0 + 8 * kDayMs);
  REQUIRE(r.error);
  CHECK(r.error->code == "ResourceNotFoundException");
  r = h.call("RestoreSecret", {{"SecretId", "s"}}, t0 + 8 * kDayMs);
  REQUIRE(r.error);
  CHECK(r.error->code == "ResourceNotFoundException");
  uint64_t before = h.engine->last_sequence();
  REQUIRE_FALSE(h.call("CreateSecret", {{"Name", "s"}, {"SecretString", "v2"}}, t0 + 8 * kDayMs).error);
  CHECK(h.engine->last_sequence() == before + 2);  // the purge, then the create

  // Replay reproduces it without looking at the clock.
  std::string hash = h.engine->state_info().hash;
  h.reopen(/*ignore_checkpoints=*/true);
  CHECK(h.engine->state_info().hash == hash);
  r = h.call("GetSecretValue", {{"SecretId", "s"}}, t0 + 8 * kDayMs);
  REQUIRE_FALSE(r.error);
  CHECK(r.output.at("SecretString").as_string() == "v2");
}

TEST_CASE("secrets keep at most 100 versions, dropping the oldest unlabelled ones") {
  Harness h;
  const int64_t t0 = 1800000000000;
  REQUIRE_FALSE(h.call("CreateSecret", {{"Name", "many"}, {"SecretString", "0"}, {"ClientRequestToken", "first-version-token-0000000000000"}}, t0).error);
  for (int i = 1; i <= 120; ++i)
    REQUIRE_FALSE(h.call("PutSecretValue", {{"SecretId", "many"}, {"SecretString", std::to_string(i)}}, t0 + i).error);
  ExecResult r = h.call("ListSecretVersionIds", {{"SecretId", "many"}, {"IncludeDeprecated", true}, {"MaxResults", 100}}, t0 + 200);
  REQUIRE_FALSE(r.error);
  CHECK(r.output.at("Versions").as_array().size() == 100);
  CHECK_FALSE(r.output.as_object().contains("NextToken"));
  r = h.call("GetSecretValue", {{"SecretId", "many"}, {"VersionStage", "AWSPREVIOUS"}}, t0 + 200);
  CHECK(r.output.at("SecretString").as_string() == "119");
}
