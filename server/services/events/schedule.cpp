// EventBridge schedule expressions: rate() and cron() parsing, and the next
// fire time. Pure functions of their inputs (no clock): the service passes
// the clock's time in.
#include "server/services/events/schedule.h"

#include <bitset>
#include <cctype>
#include <vector>

namespace podstack::events {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;
constexpr int kMinYear = 1970, kMaxYear = 2199;

// ---- civil dates (H. Hinnant's algorithms), days since 1970-01-01 ----
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}
int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}
// 1 = Sunday ... 7 = Saturday, AWS's numbering.
int weekday(int y, int m, int d) {
  int64_t days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  int64_t w = (days + 4) % 7;  // 1970-01-01 was a Thursday
  if (w < 0) w += 7;
  return static_cast<int>(w) + 1;
}

struct Cron {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> dom;  // 1..31
  std::bitset<13> months;
  std::bitset<8> dow;  // 1..7
  std::bitset<kMaxYear - kMinYear + 1> years;
  bool dom_any = false, dow_any = false;  // '?'
  bool dom_last = false, dom_last_weekday = false;
  std::vector<int> dom_nearest_weekday;                // "15W"
  std::vector<int> dow_last;                           // "5L"
  std::vector<std::pair<int, int>> dow_nth;            // "3#2" -> (3, 2)
};

struct Bad {};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

int number(std::string_view s) {
  if (s.empty() || s.size() > 4) throw Bad{};
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw Bad{};
    v = v * 10 + (c - '0');
  }
  return v;
}

// A value of a field: a number, or a name (JAN..DEC, SUN..SAT).
int value(std::string_view s, const char* const* names, int first) {
  if (names && !s.empty() && std::isalpha(static_cast<unsigned char>(s[0]))) {
    std::string up(s);
    for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int i = 0; names[i]; ++i)
      if (up == names[i]) return first + i;
    throw Bad{};
  }
  return number(s);
}

const char* const kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
const char* const kDays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

// ',' lists of '*', v, a-b, with an optional /step; sets bits lo..hi.
template <size_t N>
void field(std::string_view text, int lo, int hi, const char* const* names, std::bitset<N>& bits, int offset = 0) {
  for (auto& tok : split(text, ',')) {
    std::string_view t = tok;
    int step = 1;
    if (auto slash = t.find('/'); slash != std::string_view::npos) {
      step = number(t.substr(slash + 1));
      if (step < 1) throw Bad{};
      t = t.substr(0, slash);
    }
    int a, b;
    if (t == "*") {
      a = lo;
      b = hi;
    } else if (auto dash = t.find('-'); dash != std::string_view::npos) {
      a = value(t.substr(0, dash), names, lo);
      b = value(t.substr(dash + 1), names, lo);
    } else {
      a = value(t, names, lo);
      b = step > 1 || tok.find('/') != std::string::npos ? hi : a;  // "5/10": from 5 on
    }
    if (a < lo || b > hi || a > b) throw Bad{};
    for (int v = a; v <= b; v += step) bits.set(static_cast<size_t>(v - offset));
  }
}

void day_of_month(std::string_view text, Cron& c) {
  if (text == "?") {
    c.dom_any = true;
    return;
  }
  std::vector<std::string> plain;
  for (auto& tok : split(text, ',')) {
    if (tok == "L") c.dom_last = true;
    else if (tok == "LW") c.dom_last_weekday = true;
    else if (tok.size() > 1 && tok.back() == 'W') {
      int d = number(std::string_view(tok).substr(0, tok.size() - 1));
      if (d < 1 || d > 31) throw Bad{};
      c.dom_nearest_weekday.push_back(d);
    } else {
      plain.push_back(tok);
    }
  }
  for (auto& tok : plain) field(tok, 1, 31, nullptr, c.dom);
}

void day_of_week(std::string_view text, Cron& c) {
  if (text == "?") {
    c.dow_any = true;
    return;
  }
  for (auto& tok : split(text, ',')) {
    if (tok == "L") {
      c.dow.set(7);  // Saturday, the last day of the week
    } else if (auto hash = tok.find('#'); hash != std::string::npos) {
      int d = value(std::string_view(tok).substr(0, hash), kDays, 1), n = number(std::string_view(tok).substr(hash + 1));
      if (d < 1 || d > 7 || n < 1 || n > 5) throw Bad{};
      c.dow_nth.emplace_back(d, n);
    } else if (tok.size() > 1 && tok.back() == 'L') {
      int d = value(std::string_view(tok).substr(0, tok.size() - 1), kDays, 1);
      if (d < 1 || d > 7) throw Bad{};
      c.dow_last.push_back(d);
    } else {
      field(tok, 1, 7, kDays, c.dow);
    }
  }
}

std::optional<Cron> parse_cron(std::string_view body) {
  std::vector<std::string> f;
  for (auto& p : split(body, ' '))
    if (!p.empty()) f.push_back(p);
  if (f.size() != 6) return std::nullopt;
  Cron c;
  try {
    field(f[0], 0, 59, nullptr, c.minutes);
    field(f[1], 0, 23, nullptr, c.hours);
    day_of_month(f[2], c);
    field(f[3], 1, 12, kMonths, c.months);
    day_of_week(f[4], c);
    field(f[5], kMinYear, kMaxYear, nullptr, c.years, kMinYear);
  } catch (const Bad&) {
    return std::nullopt;
  }
  // Exactly one of the day fields is '?'.
  if (c.dom_any == c.dow_any) return std::nullopt;
  return c;
}

// The weekday nearest day `d` of the month, not leaving the month.
int nearest_weekday(int y, int m, int d) {
  int last = days_in_month(y, m);
  if (d > last) return -1;
  int w = weekday(y, m, d);
  if (w == 7) return d == 1 ? d + 2 : d - 1;     // Saturday: Friday, or Monday the 3rd
  if (w == 1) return d == last ? d - 2 : d + 1;  // Sunday: Monday, or Friday before the end
  return d;
}

bool day_matches(const Cron& c, int y, int m, int d) {
  int last = days_in_month(y, m);
  if (!c.dom_any) {
    if (c.dom.test(static_cast<size_t>(d))) return true;
    if (c.dom_last && d == last) return true;
    if (c.dom_last_weekday && d == nearest_weekday(y, m, last)) return true;
    for (int n : c.dom_nearest_weekday)
      if (d == nearest_weekday(y, m, n)) return true;
    return false;
  }
  int w = weekday(y, m, d);
  if (c.dow.test(static_cast<size_t>(w))) return true;
  for (int n : c.dow_last)
    if (w == n && d + 7 > last) return true;
  for (auto& [n, k] : c.dow_nth)
    if (w == n && (d - 1) / 7 + 1 == k) return true;
  return false;
}

std::optional<int64_t> next_cron(const Cron& c, int64_t after_ms) {
  // Minute granularity: the first minute start strictly after `after_ms`.
  int64_t start = (after_ms >= 0 ? after_ms / kMinuteMs : (after_ms - kMinuteMs + 1) / kMinuteMs) * kMinuteMs + kMinuteMs;
  int64_t day = start >= 0 ? start / kDayMs : (start - kDayMs + 1) / kDayMs;
  int first_minute_of_day = static_cast<int>((start - day * kDayMs) / kMinuteMs);
  int y, m, d;
  civil_from_days(day, y, m, d);
  if (y < kMinYear) {
    y = kMinYear, m = 1, d = 1;
    first_minute_of_day = 0;
  }
  while (y <= kMaxYear) {
    if (!c.years.test(static_cast<size_t>(y - kMinYear))) {
      ++y, m = 1, d = 1, first_minute_of_day = 0;
      continue;
    }
    if (!c.months.test(static_cast<size_t>(m))) {
      if (++m > 12) ++y, m = 1;
      d = 1, first_minute_of_day = 0;
      continue;
    }
    if (day_matches(c, y, m, d)) {
      for (int t = first_minute_of_day; t < 24 * 60; ++t)
        if (c.hours.test(static_cast<size_t>(t / 60)) && c.minutes.test(static_cast<size_t>(t % 60)))
          return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kDayMs + t * kMinuteMs;
    }
    first_minute_of_day = 0;
    if (++d > days_in_month(y, m)) {
      d = 1;
      if (++m > 12) ++y, m = 1;
    }
  }
  return std::nullopt;
}

// "rate(N unit)": N a positive integer, the unit singular for 1.
std::optional<int64_t> parse_rate(std::string_view body) {
  auto sp = body.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > 9) return std::nullopt;
  int64_t n = 0;
  for (char ch : body.substr(0, sp)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  if (n < 1) return std::nullopt;
  std::string_view unit = body.substr(sp + 1);
  struct U {
    std::string_view one, many;
    int64_t ms;
  };
  static const U kUnits[] = {{"minute", "minutes", kMinuteMs}, {"hour", "hours", 60 * kMinuteMs}, {"day", "days", kDayMs}};
  for (auto& u : kUnits)
    if (unit == (n == 1 ? u.one : u.many)) return n * u.ms;
  return std::nullopt;
}

}  // namespace

std::optional<Schedule> parse_schedule(std::string_view expr) {
  auto wrapped = [&](std::string_view fn) {
    return expr.size() > fn.size() + 1 && expr.substr(0, fn.size()) == fn && expr[fn.size()] == '(' && expr.back() == ')';
  };
  Schedule s;
  if (wrapped("rate")) {
    auto ms = parse_rate(expr.substr(5, expr.size() - 6));
    if (!ms) return std::nullopt;
    s.rate_ms = *ms;
    return s;
  }
  if (wrapped("cron")) {
    std::string_view body = expr.substr(5, expr.size() - 6);
    if (!parse_cron(body)) return std::nullopt;
    s.cron = std::string(body);
    return s;
  }
  return std::nullopt;
}

std::optional<int64_t> next_fire(const Schedule& s, int64_t anchor_ms, int64_t after_ms) {
  if (s.rate_ms > 0) {
    if (after_ms < anchor_ms) return anchor_ms + s.rate_ms;
    return anchor_ms + s.rate_ms * ((after_ms - anchor_ms) / s.rate_ms + 1);
  }
  auto c = parse_cron(s.cron);
  if (!c) return std::nullopt;
  return next_cron(*c, after_ms);
}

}  // namespace podstack::events
