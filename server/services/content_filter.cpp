// The content-filter language (content_filter.h): validation with each
// dialect's reasons, and matching.
#include "server/services/content_filter.h"

#include <arpa/inet.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

namespace podstack::content_filter {
namespace {

struct Invalid {
  std::string reason;
};

double num(const json::value& v) { return v.to_number<double>(); }

constexpr int kMaxWildcards = 50;

// ---- CIDR ----
struct Cidr {
  int family = 0;
  unsigned char addr[16] = {};
  int bits = 0;
};
std::optional<Cidr> parse_cidr(std::string_view s, bool bare) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos && !bare) return std::nullopt;
  std::string ip(s.substr(0, slash));
  Cidr c;
  if (inet_pton(AF_INET, ip.c_str(), c.addr) == 1) c.family = AF_INET;
  else if (inet_pton(AF_INET6, ip.c_str(), c.addr) == 1) c.family = AF_INET6;
  else return std::nullopt;
  int max_bits = c.family == AF_INET ? 32 : 128;
  if (slash == std::string_view::npos) {
    c.bits = max_bits;  // a bare address: itself
    return c;
  }
  std::string len(s.substr(slash + 1));
  if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  c.bits = std::atoi(len.c_str());
  if (c.bits > max_bits) return std::nullopt;
  return c;
}
bool in_cidr(const Cidr& c, std::string_view ip_text) {
  unsigned char ip[16] = {};
  std::string ip_s(ip_text);
  if (inet_pton(c.family, ip_s.c_str(), ip) != 1) return false;
  int full = c.bits / 8, rest = c.bits % 8;
  if (std::memcmp(ip, c.addr, static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (ip[full] & mask) == (c.addr[full] & mask);
}

// ---- validation ----

// One pattern's check, in one dialect. Reasons are event-ruler's where
// EventBridge's and SNS's agree, each dialect's own where they differ.
class Checker {
 public:
  explicit Checker(const Dialect& d) : d_(d) {}

  [[noreturn]] void fail(std::string reason) const { throw Invalid{std::string(d_.reason_prefix) + std::move(reason)}; }
  bool eb() const { return d_.eventbridge_wording; }
  bool in_range(double x) const { return std::fabs(x) <= d_.numeric_bound; }
  void check_bound(const json::value& v) const {
    if (v.is_number() && !in_range(num(v))) fail(std::string(d_.bound_reason));
  }

  void check_string(std::string_view op, const json::value& v) const {
    if (!v.is_string()) fail(std::string(op) + " match pattern must be a string");
  }

  // event-ruler's wildcard rules: no "**", and only "\*" and "\\" escapes.
  void check_wildcard(const json::value& v) const {
    if (!v.is_string()) fail("wildcard match pattern must be a string");
    std::string_view s = v.as_string();
    int stars = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\') {
        if (i + 1 >= s.size() || (s[i + 1] != '*' && s[i + 1] != '\\'))
          fail("Invalid escape character at pos " + std::to_string(i + 1));
        ++i;
      } else if (s[i] == '*') {
        if (i > 0 && s[i - 1] == '*') fail("Consecutive wildcard characters at pos " + std::to_string(i));
        if (++stars > kMaxWildcards) fail("Wildcard pattern is too complex");
      }
    }
  }

  static bool is_numeric_op(std::string_view op) { return op == "=" || op == "<" || op == "<=" || op == ">" || op == ">="; }

  void check_numeric(const json::value& v) const {
    if (!v.is_array() || v.as_array().empty()) fail("Value of numeric must be an array.");
    const auto& a = v.as_array();
    if (eb() && (a.size() % 2 != 0 || a.size() > 4)) fail("Too many terms in numeric range expression");
    if (a.size() % 2 != 0) fail("Value of numeric must be an array of operator and value pairs.");
    bool lower = false, upper = false;
    double lo = 0, hi = 0;
    for (size_t i = 0; i < a.size(); i += 2) {
      if (!a[i].is_string()) fail((eb() ? "Invalid member in numeric match: " : "Unrecognized numeric range operator: ") + json::serialize(a[i]));
      std::string op(a[i].as_string());
      if (!is_numeric_op(op)) fail("Unrecognized numeric range operator: " + op);
      if (!a[i + 1].is_number()) fail("Value of " + op + " must be numeric");
      double x = num(a[i + 1]);
      check_bound(a[i + 1]);
      if (op == "=") {
        if (a.size() != 2) fail("Bad numeric range operator: =");
      } else if (op[0] == '>') {
        // EventBridge: the lower bound comes first.
        if (lower || (eb() && upper)) fail(eb() ? "Bad numeric range operator: " + op : "Too many elements in numeric expression");
        lower = true;
        lo = x;
      } else {
        if (upper) fail(eb() ? "Bad numeric range operator: " + op : "Too many elements in numeric expression");
        upper = true;
        hi = x;
      }
    }
    if (lower && upper && lo >= hi) fail("Bottom must be less than top");
  }

  // A string, or (extended) {"equals-ignore-case": string}: what prefix and suffix take.
  void check_prefix_like(std::string_view op, const json::value& v) const {
    if (v.is_object() && d_.extended) {
      const auto& o = v.as_object();
      if (o.size() != 1 || o.begin()->key() != "equals-ignore-case")
        fail("Unsupported " + std::string(op) + " pattern: " + (o.empty() ? std::string() : std::string(o.begin()->key())));
      check_string("equals-ignore-case", o.begin()->value());
      return;
    }
    check_string(op, v);
  }

  void check_anything_but(const json::value& v) const {
    check_bound(v);
    if (v.is_string() || v.is_number()) return;
    if (v.is_array()) {
      const auto& a = v.as_array();
      if (a.empty()) fail("Empty arrays are not allowed");
      for (auto& x : a) {
        if (!x.is_string() && !x.is_number()) fail("Inside anything but list, start|null|boolean is not supported.");
        if (eb() && x.is_string() != a[0].is_string()) fail("Inside anything but list, all values must be of the same type");
        check_bound(x);
      }
      return;
    }
    if (v.is_object() && v.as_object().size() == 1) {
      const auto& inner = *v.as_object().begin();
      std::string_view k = inner.key();
      if (k == "prefix" || k == "suffix") return check_string(k, inner.value());
      if (d_.extended && (k == "equals-ignore-case" || k == "wildcard")) {
        auto one = [&](const json::value& x) { k == "wildcard" ? check_wildcard(x) : check_string(k, x); };
        if (inner.value().is_array()) {
          if (inner.value().as_array().empty()) fail("Empty arrays are not allowed");
          for (auto& x : inner.value().as_array()) one(x);
        } else {
          one(inner.value());
        }
        return;
      }
      fail("Unsupported anything-but pattern: " + std::string(k));
    }
    fail("Value of anything-but must be an array or single string/number value.");
  }

  void check_condition(const json::value& c) const {
    check_bound(c);
    if (c.is_string() || c.is_number() || c.is_bool() || c.is_null()) return;
    if (!c.is_object()) fail("Match value must be String, number, true, false, or null");
    const auto& o = c.as_object();
    if (o.empty() && eb()) fail("Empty objects are not allowed");
    if (o.size() != 1) fail("Only one key allowed in match expression");
    const auto& kv = *o.begin();
    std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (k == "prefix" || k == "suffix") {
      check_prefix_like(k, v);
    } else if (k == "equals-ignore-case") {
      check_string(k, v);
    } else if (k == "wildcard" && d_.extended) {
      check_wildcard(v);
    } else if (k == "exists") {
      if (!v.is_bool()) fail("exists match pattern must be either true or false.");
    } else if (k == "cidr") {
      if (!v.is_string() || !parse_cidr(v.as_string(), d_.bare_cidr))
        fail(eb() ? "Nonstandard IP address: " + (v.is_string() ? std::string(v.as_string()) : json::serialize(v))
                  : "Malformed CIDR, one '/' required");
    } else if (k == "numeric") {
      check_numeric(v);
    } else if (k == "anything-but") {
      check_anything_but(v);
    } else {
      fail("Unrecognized match type " + std::string(k));
    }
  }

  // Validates one pattern object; returns its number of combinations.
  double check_object(const json::object& p, int depth) const {
    if (p.empty()) fail("Empty objects are not allowed");
    if (eb() && depth > d_.max_depth) fail("Filter is too deeply nested");
    double combos = 1;
    for (auto& kv : p) {
      const json::value& v = kv.value();
      if (kv.key() == "$or") {
        if (!v.is_array()) fail(eb() ? "Or relationship must be an array" : "Or statement must have at least 2 options");
        if (v.as_array().size() < 2)
          fail(eb() ? "There must have at least 2 Objects in $or relationship." : "Or statement must have at least 2 options");
        double sum = 0;
        for (auto& alt : v.as_array()) {
          if (!alt.is_object()) fail(eb() ? "Or relationship must be an array of objects" : "Or statement options must be objects");
          sum += check_object(alt.as_object(), eb() ? depth + 1 : depth);
        }
        combos *= sum;
      } else if (v.is_array()) {
        if (v.as_array().empty()) fail("Empty arrays are not allowed");
        for (auto& c : v.as_array()) check_condition(c);
        combos *= static_cast<double>(v.as_array().size());
      } else if (v.is_object()) {
        // SNS's own sentence, without the "FilterPolicy: " prefix.
        if (!d_.nested) throw Invalid{"Filter policy scope MessageAttributes does not support nested filter policy"};
        if (!eb() && depth + 1 >= d_.max_depth + 1) fail("Filter policy is too deeply nested");
        combos *= check_object(v.as_object(), depth + 1);
      } else {
        fail("\"" + std::string(kv.key()) + "\" must be an object or an array");
      }
    }
    return combos;
  }

 private:
  const Dialect& d_;
};

// ---- matching ----

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }
char fold(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}
bool istarts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && iequals(s.substr(0, p.size()), p); }
bool iends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && iequals(s.substr(s.size() - p.size()), p);
}

// Any of a string or an array of strings satisfies `f`.
template <class F>
bool any_of(const json::value& x, F f) {
  if (x.is_array()) {
    for (auto& y : x.as_array())
      if (f(y.as_string())) return true;
    return false;
  }
  return f(x.as_string());
}

class Matcher {
 public:
  explicit Matcher(const Dialect& d) : d_(d) {}

  bool match_object(const json::object& p, const json::value* node) const {
    const json::object* obj = node && node->is_object() ? &node->as_object() : nullptr;
    for (auto& kv : p) {
      if (kv.key() == "$or") {
        bool any = false;
        for (auto& alt : kv.value().as_array())
          if (match_object(alt.as_object(), node)) {
            any = true;
            break;
          }
        if (!any) return false;
        continue;
      }
      const json::value* v = obj ? obj->if_contains(kv.key()) : nullptr;
      if (kv.value().is_object()) {
        if (!match_nested(kv.value().as_object(), v)) return false;
      } else if (!match_conditions(kv.value().as_array(), v)) {
        return false;
      }
    }
    return true;
  }

 private:
  bool in_range(double x) const { return std::fabs(x) <= d_.numeric_bound; }
  int64_t fixed(double x) const { return std::llround(x * d_.precision); }

  // Exact values: numbers by value (300 matches 3.0e2), the rest by type and value.
  bool same(const json::value& a, const json::value& b) const {
    if (a.is_number() && b.is_number()) return in_range(num(b)) && fixed(num(a)) == fixed(num(b));
    if (a.is_string() && b.is_string()) return a.as_string() == b.as_string();
    if (a.is_bool() && b.is_bool()) return a.as_bool() == b.as_bool();
    return a.is_null() && b.is_null();
  }

  bool numeric_holds(const json::array& a, double xd) const {
    if (!in_range(xd)) return false;
    const int64_t x = fixed(xd);
    for (size_t i = 0; i + 1 < a.size(); i += 2) {
      std::string_view op = a[i].as_string();
      const int64_t y = fixed(num(a[i + 1]));
      bool ok = op == "=" ? x == y : op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
      if (!ok) return false;
    }
    return true;
  }

  // prefix/suffix with a string or {"equals-ignore-case": s}.
  static bool affix(bool prefix, const json::value& x, std::string_view s) {
    if (x.is_object()) {
      std::string_view p = x.as_object().begin()->value().as_string();
      return prefix ? istarts_with(s, p) : iends_with(s, p);
    }
    return prefix ? starts_with(s, x.as_string()) : ends_with(s, x.as_string());
  }

  bool anything_but(const json::value& x, const json::value& v) const {
    if (x.is_array()) {
      for (auto& y : x.as_array())
        if (same(y, v)) return false;
      return true;
    }
    if (!x.is_object()) return !same(x, v);
    const auto& inner = *x.as_object().begin();
    if (!v.is_string()) return false;  // the string forms say nothing of other types
    std::string_view s = v.as_string();
    std::string_view k = inner.key();
    if (k == "prefix") return !starts_with(s, inner.value().as_string());
    if (k == "suffix") return !ends_with(s, inner.value().as_string());
    if (k == "equals-ignore-case") return !any_of(inner.value(), [&](std::string_view p) { return iequals(s, p); });
    return !any_of(inner.value(), [&](std::string_view p) { return wildcard_matches(p, s); });  // wildcard
  }

  // One condition against one leaf value.
  bool eval(const json::value& c, const json::value& v) const {
    if (!c.is_object()) return same(c, v);
    const auto& kv = *c.as_object().begin();
    std::string_view k = kv.key();
    const json::value& x = kv.value();
    if (k == "prefix") return v.is_string() && affix(true, x, v.as_string());
    if (k == "suffix") return v.is_string() && affix(false, x, v.as_string());
    if (k == "equals-ignore-case") return v.is_string() && iequals(v.as_string(), x.as_string());
    if (k == "wildcard") return v.is_string() && wildcard_matches(x.as_string(), v.as_string());
    if (k == "numeric") return v.is_number() && numeric_holds(x.as_array(), num(v));
    if (k == "cidr") {
      auto cidr = parse_cidr(x.as_string(), d_.bare_cidr);
      return cidr && v.is_string() && in_cidr(*cidr, v.as_string());
    }
    if (k == "anything-but") return anything_but(x, v);
    return false;
  }

  // The leaves a field holds: itself, or an array's non-object elements
  // (nested arrays flattened). Objects are not leaves: "exists" is false
  // for them, as AWS documents.
  static void leaves(const json::value& v, std::vector<const json::value*>& out) {
    if (v.is_array()) {
      for (auto& e : v.as_array()) leaves(e, out);
    } else if (!v.is_object()) {
      out.push_back(&v);
    }
  }

  bool match_conditions(const json::array& conds, const json::value* v) const {
    std::vector<const json::value*> values;
    if (v) leaves(*v, values);
    for (auto& c : conds) {
      if (c.is_object() && c.as_object().begin()->key() == "exists") {
        if (c.as_object().begin()->value().as_bool() == !values.empty()) return true;
        continue;
      }
      for (auto* x : values)
        if (eval(c, *x)) return true;
    }
    return false;
  }

  // A nested pattern against a field: an array of objects matches when any
  // element does.
  bool match_nested(const json::object& p, const json::value* v) const {
    if (v && v->is_array()) {
      for (auto& e : v->as_array())
        if (e.is_object() && match_object(p, &e)) return true;
      return v->as_array().empty() && match_object(p, nullptr);
    }
    return match_object(p, v);
  }

  const Dialect& d_;
};

}  // namespace

bool wildcard_matches(std::string_view pattern, std::string_view s) {
  // Greedy glob with one backtrack point: the last '*' seen.
  size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_i = i;
      continue;
    }
    if (p < pattern.size()) {
      char want = pattern[p];
      size_t width = 1;
      if (want == '\\' && p + 1 < pattern.size()) {
        want = pattern[p + 1];
        width = 2;
      }
      if (want == s[i]) {
        p += width;
        ++i;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    i = ++star_i;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string check_pattern(const json::object& pattern, const Dialect& d) {
  Checker c(d);
  try {
    if (c.check_object(pattern, 0) > d.max_combinations)
      c.fail(d.eventbridge_wording ? "The rule is too complex" : "Filter policy is too complex");
  } catch (const Invalid& e) {
    return e.reason;
  }
  return {};
}

bool matches(const json::object& pattern, const json::value& event, const Dialect& d) {
  return Matcher(d).match_object(pattern, &event);
}

}  // namespace podstack::content_filter
