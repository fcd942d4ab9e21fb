// EventBridge schedule expressions: rate() and AWS's six-field cron, which
// are valid, and the next fire time after a given instant (UTC).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
#include "server/services/events/schedule.h"

#include <doctest/doctest.h>

#include "server/protocol/encoding.h"

using namespace podstack::events;

namespace {

int64_t at(const char* iso) { return static_cast<int64_t>(*podstack::protocol::parse_iso8601(iso) * 1000); }
std::string iso(int64_t ms) { return podstack::protocol::iso8601(static_cast<double>(ms) / 1000); }

std::string next(const char* expr, const char* after) {
  auto s = parse_schedule(expr);
  REQUIRE(s);
  auto n = next_fire(*s, at(after), at(after));
  return n ? iso(*n) : "never";
}

}  // namespace

TEST_CASE("schedule expressions: valid and invalid") {
  for (const char* ok : {"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)",
                         "rate(3 days)", "cron(0 12 * * ? *)", "cron(15 10 ? * 6L 2019-2022)", "cron(0/15 * * * ? *)",
                         "cron(0 8 1 * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 10 L * ? *)", "cron(0 10 LW * ? *)",
                         "cron(0 10 15W * ? *)", "cron(0 10 ? * 3#2 *)", "cron(0 10 ? * L *)",
                         "cron(5,35 14 * JAN,FEB ? *)", "cron(*/5 8-17 ? * 2-6 *)"}) {
    CAPTURE(ok);
    CHECK(parse_schedule(ok));
  }
  for (const char* bad : {"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 minutes)", "rate(1 week)",
                          "rate(minutes)", "rate 5 minutes", "cron(0 12 * * * *)", "cron(0 12 ? * ? *)",
                          "cron(0 12 * *)", "cron(60 12 * * ? *)", "cron(0 24 * * ? *)", "cron(0 12 32 * ? *)",
                          "cron(0 12 * 13 ? *)", "cron(0 12 ? * 8 *)", "cron(0 12 ? * FOO *)", "cron(0 12 ? * 3#6 *)",
                          "cron(0 12 * * ? 1969)", "cron(0 12 * * ? 2200)", "cron(5-1 * * * ? *)", "cron(0/0 * * * ? *)",
                          "at(2026-01-01T00:00:00)", "", "cron()"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_schedule(bad));
  }
}

TEST_CASE("rate: every period from its anchor, once however many periods passed") {
  auto s = *parse_schedule("rate(5 minutes)");
  int64_t t0 = at("2026-03-01T10:00:00Z");
  CHECK(iso(*next_fire(s, t0, t0)) == "2026-03-01T10:05:00.000Z");
  CHECK(iso(*next_fire(s, t0, t0 + 4 * 60000)) == "2026-03-01T10:05:00.000Z");
  CHECK(iso(*next_fire(s, t0, t0 + 5 * 60000)) == "2026-03-01T10:10:00.000Z");
  // Three hours missed: the next is one period ahead of now, not 36 behind.
  CHECK(iso(*next_fire(s, t0, at("2026-03-01T13:02:00Z"))) == "2026-03-01T13:05:00.000Z");
}

TEST_CASE("cron: the next matching minute") {
  struct Row {
    const char* expr;
    const char* after;
    const char* next;
  };
  const Row rows[] = {
      {"cron(0 12 * * ? *)", "2026-03-01T10:00:00Z", "2026-03-01T12:00:00.000Z"},
      {"cron(0 12 * * ? *)", "2026-03-01T12:00:00Z", "2026-03-02T12:00:00.000Z"},
      {"cron(0/15 * * * ? *)", "2026-03-01T10:07:30Z", "2026-03-01T10:15:00.000Z"},
      {"cron(* * * * ? *)", "2026-03-01T10:07:30Z", "2026-03-01T10:08:00.000Z"},
      {"cron(5,35 14 * * ? *)", "2026-03-01T14:06:00Z", "2026-03-01T14:35:00.000Z"},
      // names, ranges, day of week (2026-03-06 is a Friday)
      {"cron(0 18 ? * MON-FRI *)", "2026-03-06T18:30:00Z", "2026-03-09T18:00:00.000Z"},
      {"cron(0 8 1 JAN,JUL ? *)", "2026-03-01T00:00:00Z", "2026-07-01T08:00:00.000Z"},
      // L: the last day of the month (2028 is a leap year)
      {"cron(0 10 L * ? *)", "2028-02-03T00:00:00Z", "2028-02-29T10:00:00.000Z"},
      {"cron(0 10 L * ? *)", "2026-02-28T11:00:00Z", "2026-03-31T10:00:00.000Z"},
      // 6L: the last Friday (2026-03-27)
      {"cron(0 10 ? * 6L *)", "2026-03-01T00:00:00Z", "2026-03-27T10:00:00.000Z"},
      // L alone in day-of-week: Saturday
      {"cron(0 10 ? * L *)", "2026-03-01T00:00:00Z", "2026-03-07T10:00:00.000Z"},
      // W: the weekday nearest the 15th (2026-03-15 is a Sunday: Monday 16th)
      {"cron(0 10 15W * ? *)", "2026-03-01T00:00:00Z", "2026-03-16T10:00:00.000Z"},
      // 1W on a Saturday (2026-08-01) moves forward to Monday the 3rd
      {"cron(0 10 1W * ? *)", "2026-07-31T00:00:00Z", "2026-08-03T10:00:00.000Z"},
      // LW: the last weekday (2026-05-31 is a Sunday: Friday the 29th)
      {"cron(0 10 LW * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T10:00:00.000Z"},
      // #: the second Tuesday (2026-03-10)
      {"cron(0 10 ? * 3#2 *)", "2026-03-01T00:00:00Z", "2026-03-10T10:00:00.000Z"},
      {"cron(0 10 ? * TUE#2 *)", "2026-03-10T10:00:00Z", "2026-04-14T10:00:00.000Z"},
      // years
      {"cron(0 0 1 1 ? 2030)", "2026-03-01T00:00:00Z", "2030-01-01T00:00:00.000Z"},
      {"cron(0 0 1 1 ? 2020-2022)", "2026-03-01T00:00:00Z", "never"},
      // 31st only in months that have one
      {"cron(0 0 31 * ? *)", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00.000Z"},
      {"cron(10-20/5 * * * ? *)", "2026-03-01T10:16:00Z", "2026-03-01T10:20:00.000Z"},
  };
  for (auto& r : rows) {
    CAPTURE(r.expr);
    CAPTURE(r.after);
    CHECK(next(r.expr, r.after) == r.next);
  }
}
