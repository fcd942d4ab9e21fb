// EventBridge schedule expressions: rate(N unit) and AWS's six-field cron,
// parsed and evaluated in UTC (rules have no time zone; Scheduler's do).
//
//   rate(1 minute) rate(5 minutes) rate(1 hour) rate(2 hours) rate(1 day) rate(7 days)
//     (a value of 1 takes the singular unit, more the plural)
//   cron(Minutes Hours Day-of-month Month Day-of-week Year)
//     Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC,
//     Day-of-week 1-7 or SUN-SAT (1 is Sunday), Year 1970-2199;
//     ',' lists, '-' ranges, '*' all, '/' steps (a/b, */b, a-c/b),
//     '?' in exactly one of Day-of-month and Day-of-week,
//     'L' (the last day of the month; "5L" the last Thursday; "L" alone in
//     Day-of-week is Saturday), 'W' (the weekday nearest a day of the month,
//     "LW" the last weekday), '#' ("3#2": the second Tuesday).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podstack::events {

struct Schedule {
  int64_t rate_ms = 0;  // a rate(); 0: a cron()
  std::string cron;     // the six fields, for a cron()
};

// nullopt when `expr` is not a valid rate() or cron() expression.
std::optional<Schedule> parse_schedule(std::string_view expr);

// The first fire time strictly after `after_ms` (ms since the epoch):
// a rate fires every period from `anchor_ms` (its creation) on; a cron at
// the start of each matching minute. nullopt: never again (a cron whose
// years are all past).
std::optional<int64_t> next_fire(const Schedule& s, int64_t anchor_ms, int64_t after_ms);

}  // namespace podstack::events
