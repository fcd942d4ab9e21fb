#include "server/services/sns/filter_policy.h"

#include <arpa/inet.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <vector>

namespace podstack::sns {
namespace {

// AWS: "The total combination of values must not exceed 150."
constexpr double kMaxCombinations = 150;

struct Invalid {
  std::string reason;
};

[[noreturn]] void fail(std::string reason) { throw Invalid{"FilterPolicy: " + std::move(reason)}; }

double num(const json::value& v) { return v.to_number<double>(); }

// AWS: numeric matching takes values "from -10^9 to 10^9, with five digits of
// precision after the decimal point"; a policy number outside the range is
// refused (event-ruler's ComparableNumber wording).
constexpr double kNumericBound = 1e9;
void check_bound(const json::value& v) {
  if (v.is_number() && std::fabs(num(v)) > kNumericBound) fail("Value must be between -1.0E9 and 1.0E9, inclusive");
}
// A number at the precision AWS compares with: hundred-thousandths.
int64_t fixed5(double x) { return std::llround(x * 1e5); }

// "10.0.0.0/24" or "2001:db8::/32" -> address bytes and prefix length.
struct Cidr {
  int family = 0;
  unsigned char addr[16] = {};
  int bits = 0;
};
std::optional<Cidr> parse_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string ip(s.substr(0, slash)), len(s.substr(slash + 1));
  if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  Cidr c;
  c.bits = std::atoi(len.c_str());
  if (inet_pton(AF_INET, ip.c_str(), c.addr) == 1) c.family = AF_INET;
  else if (inet_pton(AF_INET6, ip.c_str(), c.addr) == 1) c.family = AF_INET6;
  else return std::nullopt;
  if (c.bits > (c.family == AF_INET ? 32 : 128)) return std::nullopt;
  return c;
}
bool in_cidr(const Cidr& c, std::string_view ip_text) {
  unsigned char ip[16] = {};
  std::string ip_s(ip_text);
  if (inet_pton(c.family, ip_s.c_str(), ip) != 1) return false;
  int full = c.bits / 8, rest = c.bits % 8;
  if (std::memcmp(ip, c.addr, static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (ip[full] & mask) == (c.addr[full] & mask);
}

bool is_numeric_op(std::string_view op) { return op == "=" || op == "<" || op == "<=" || op == ">" || op == ">="; }

void check_numeric(const json::value& v) {
  if (!v.is_array() || v.as_array().empty()) fail("Value of numeric must be an array.");
  const auto& a = v.as_array();
  if (a.size() % 2 != 0) fail("Value of numeric must be an array of operator and value pairs.");
  bool lower = false, upper = false;
  double lo = 0, hi = 0;
  for (size_t i = 0; i < a.size(); i += 2) {
    if (!a[i].is_string()) fail("Unrecognized numeric range operator: " + json::serialize(a[i]));
    std::string op(a[i].as_string());
    if (!is_numeric_op(op)) fail("Unrecognized numeric range operator: " + op);
    if (!a[i + 1].is_number()) fail("Value of " + op + " must be numeric");
    double x = num(a[i + 1]);
    check_bound(a[i + 1]);
    if (op == "=") {
      if (a.size() != 2) fail("Bad numeric range operator: =");
    } else if (op[0] == '>') {
      if (lower) fail("Too many elements in numeric expression");
      lower = true;
      lo = x;
    } else {
      if (upper) fail("Too many elements in numeric expression");
      upper = true;
      hi = x;
    }
  }
  if (lower && upper && lo >= hi) fail("Bottom must be less than top");
}

void check_condition(const json::value& c) {
  check_bound(c);
  if (c.is_string() || c.is_number() || c.is_bool() || c.is_null()) return;
  if (!c.is_object()) fail("Match value must be String, number, true, false, or null");
  const auto& o = c.as_object();
  if (o.size() != 1) fail("Only one key allowed in match expression");
  const auto& kv = *o.begin();
  std::string_view k = kv.key();
  const json::value& v = kv.value();
  if (k == "prefix" || k == "suffix" || k == "equals-ignore-case") {
    if (!v.is_string()) fail(std::string(k) + " match pattern must be a string");
  } else if (k == "exists") {
    if (!v.is_bool()) fail("exists match pattern must be either true or false.");
  } else if (k == "cidr") {
    if (!v.is_string() || !parse_cidr(v.as_string())) fail("Malformed CIDR, one '/' required");
  } else if (k == "numeric") {
    check_numeric(v);
  } else if (k == "anything-but") {
    check_bound(v);
    if (v.is_string() || v.is_number()) return;
    if (v.is_array()) {
      if (v.as_array().empty()) fail("Empty arrays are not allowed");
      for (auto& x : v.as_array()) {
        if (!x.is_string() && !x.is_number()) fail("Inside anything but list, start|null|boolean is not supported.");
        check_bound(x);
      }
      return;
    }
    if (v.is_object() && v.as_object().size() == 1) {
      auto& inner = *v.as_object().begin();
      if (inner.key() == "prefix" || inner.key() == "suffix") {
        if (!inner.value().is_string()) fail(std::string(inner.key()) + " match pattern must be a string");
        return;
      }
      fail("Unsupported anything-but pattern: " + std::string(inner.key()));
    }
    fail("Value of anything-but must be an array or single string/number value.");
  } else {
    fail("Unrecognized match type " + std::string(k));
  }
}

// Validates one policy object; returns its number of value combinations.
double check_object(const json::object& policy, FilterScope scope, int depth) {
  if (policy.empty()) fail("Empty objects are not allowed");
  double combos = 1;
  for (auto& kv : policy) {
    const json::value& v = kv.value();
    if (kv.key() == "$or") {
      if (!v.is_array() || v.as_array().size() < 2) fail("Or statement must have at least 2 options");
      double sum = 0;
      for (auto& alt : v.as_array()) {
        if (!alt.is_object()) fail("Or statement options must be objects");
        sum += check_object(alt.as_object(), scope, depth);
      }
      combos *= sum;
    } else if (v.is_array()) {
      if (v.as_array().empty()) fail("Empty arrays are not allowed");
      for (auto& c : v.as_array()) check_condition(c);
      combos *= static_cast<double>(v.as_array().size());
    } else if (v.is_object()) {
      if (scope == FilterScope::kMessageAttributes)
        throw Invalid{"Filter policy scope MessageAttributes does not support nested filter policy"};
      if (depth >= 5) fail("Filter policy is too deeply nested");
      combos *= check_object(v.as_object(), scope, depth + 1);
    } else {
      fail("\"" + std::string(kv.key()) + "\" must be an object or an array");
    }
  }
  return combos;
}

// ---- matching ----

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// A message number outside AWS's range matches no numeric condition.
bool in_range(double x) { return std::fabs(x) <= kNumericBound; }

bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return in_range(num(b)) && fixed5(num(a)) == fixed5(num(b));
  if (a.is_string() && b.is_string()) return a.as_string() == b.as_string();
  if (a.is_bool() && b.is_bool()) return a.as_bool() == b.as_bool();
  return a.is_null() && b.is_null();
}

bool numeric_holds(const json::array& a, double xd) {
  if (!in_range(xd)) return false;
  const int64_t x = fixed5(xd);
  for (size_t i = 0; i + 1 < a.size(); i += 2) {
    std::string_view op = a[i].as_string();
    const int64_t y = fixed5(num(a[i + 1]));
    bool ok = op == "=" ? x == y : op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y;
    if (!ok) return false;
  }
  return true;
}

// One condition against one (present) value.
bool eval(const json::value& c, const json::value& v) {
  if (!c.is_object()) return same(c, v);
  const auto& kv = *c.as_object().begin();
  std::string_view k = kv.key();
  const json::value& x = kv.value();
  if (k == "prefix") return v.is_string() && starts_with(v.as_string(), x.as_string());
  if (k == "suffix") return v.is_string() && ends_with(v.as_string(), x.as_string());
  if (k == "equals-ignore-case") return v.is_string() && iequals(v.as_string(), x.as_string());
  if (k == "numeric") return v.is_number() && numeric_holds(x.as_array(), num(v));
  if (k == "cidr") {
    auto c = parse_cidr(x.as_string());
    return c && v.is_string() && in_cidr(*c, v.as_string());
  }
  if (k == "anything-but") {
    if (x.is_array()) {
      for (auto& y : x.as_array())
        if (same(y, v)) return false;
      return true;
    }
    if (x.is_object()) {
      auto& inner = *x.as_object().begin();
      if (!v.is_string()) return false;
      return inner.key() == "prefix" ? !starts_with(v.as_string(), inner.value().as_string())
                                     : !ends_with(v.as_string(), inner.value().as_string());
    }
    return !same(x, v);
  }
  return false;
}

// An OR of conditions against a key's values (an array value counts as each
// of its elements). `present`: the key exists.
bool match_conditions(const json::array& conds, const json::value* v) {
  std::vector<const json::value*> values;
  if (v) {
    if (v->is_array())
      for (auto& e : v->as_array()) values.push_back(&e);
    else
      values.push_back(v);
  }
  for (auto& c : conds) {
    if (c.is_object() && c.as_object().begin()->key() == "exists") {
      if (c.as_object().begin()->value().as_bool() == (v != nullptr)) return true;
      continue;
    }
    for (auto* x : values)
      if (eval(c, *x)) return true;
  }
  return false;
}

bool match_object(const json::object& policy, const json::value* node);

// A nested policy against a body value: an array matches when any element does.
bool match_nested(const json::object& policy, const json::value* v) {
  if (v && v->is_array()) {
    for (auto& e : v->as_array())
      if (match_object(policy, &e)) return true;
    return false;
  }
  return match_object(policy, v);
}

bool match_object(const json::object& policy, const json::value* node) {
  const json::object* obj = node && node->is_object() ? &node->as_object() : nullptr;
  for (auto& kv : policy) {
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

}  // namespace

std::optional<std::string> validate_filter_policy(std::string_view policy, FilterScope scope) {
  boost::system::error_code ec;
  json::value v = json::parse(policy, ec);
  if (ec) return "FilterPolicy: failed to parse JSON. " + ec.message();
  if (!v.is_object()) return "FilterPolicy: Filter policy must be a JSON object";
  if (v.as_object().empty()) return std::nullopt;  // "{}": the empty policy matches everything (removes filtering)
  try {
    if (check_object(v.as_object(), scope, 0) > kMaxCombinations) return "FilterPolicy: Filter policy is too complex";
  } catch (const Invalid& e) {
    return e.reason;
  }
  return std::nullopt;
}

json::object attributes_for_filter(const json::object& message_attributes) {
  json::object out;
  for (auto& kv : message_attributes) {
    if (!kv.value().is_object()) continue;
    const auto& a = kv.value().as_object();
    auto* t = a.if_contains("DataType");
    auto* s = a.if_contains("StringValue");
    if (!t || !t->is_string() || !s || !s->is_string()) continue;  // Binary: never matched
    std::string_view type = t->as_string();
    std::string value(s->as_string());
    if (type.substr(0, 6) == "Number") {
      char* end = nullptr;
      double d = std::strtod(value.c_str(), &end);
      if (end && *end == 0) out[kv.key()] = d;
      else out[kv.key()] = value;
    } else if (type.substr(0, 12) == "String.Array") {
      boost::system::error_code ec;
      json::value arr = json::parse(value, ec);
      if (!ec && arr.is_array()) out[kv.key()] = std::move(arr);
      else out[kv.key()] = value;
    } else if (type.substr(0, 6) == "String") {
      out[kv.key()] = value;
    }
  }
  return out;
}

bool filter_matches(std::string_view policy, FilterScope scope, const json::object& attributes, std::string_view body) {
  if (policy.empty()) return true;
  boost::system::error_code ec;
  json::value p = json::parse(policy, ec);
  if (ec || !p.is_object()) return false;
  if (p.as_object().empty()) return true;
  if (scope == FilterScope::kMessageAttributes) {
    json::value node = attributes;
    return match_object(p.as_object(), &node);
  }
  json::value b = json::parse(body, ec);
  if (ec || !b.is_object()) return false;
  return match_object(p.as_object(), &b);
}

}  // namespace podstack::sns
