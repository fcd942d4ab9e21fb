#include "server/services/dynamodb/item.h"

#include <algorithm>
#include <set>

#include "server/protocol/encoding.h"
#include "server/service.h"
#include "server/services/dynamodb/number.h"

namespace podstack::dynamodb {
namespace {

std::string normal_number(std::string_view text) {
  Decimal d;
  NumberError e = parse_decimal(text, d);
  if (e != NumberError::kNone) throw ApiError::validation(number_error_message(e, text));
  return d.str();
}

template <class Container>
std::string joined(const Container& c) {
  std::string s;
  for (auto& v : c) s += (s.empty() ? "" : ", ") + std::string(v);
  return s;
}

}  // namespace

void nesting_exceeded() {
  throw ApiError::validation("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
}

int nesting_level(const AttributeValue& v, int level) {
  int deepest = 0;
  if (v.v_case() == AttributeValue::kM) {
    deepest = level;
    for (auto& [k, e] : v.m().fields()) deepest = std::max(deepest, nesting_level(e, level + 1));
  } else if (v.v_case() == AttributeValue::kL) {
    deepest = level;
    for (auto& e : v.l().values()) deepest = std::max(deepest, nesting_level(e, level + 1));
  }
  return deepest;
}

AttributeValue from_json(const json::value& jv, int level) {
  if (!jv.is_object()) throw ApiError::serialization("Unexpected value type: expected an AttributeValue object");
  const auto& o = jv.as_object();
  AttributeValue out;
  int set = 0;
  for (auto& kv : o) {
    if (kv.value().is_null()) continue;
    ++set;
    std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (k == "S") {
      out.set_s(std::string(v.as_string()));
    } else if (k == "N") {
      out.set_n(normal_number(v.as_string()));
    } else if (k == "B") {
      out.set_b(std::string(v.as_string()));
    } else if (k == "BOOL") {
      out.set_bool_value(v.as_bool());
    } else if (k == "NULL") {
      if (!v.as_bool()) throw ApiError::validation("One or more parameter values were invalid: Null attribute value types must have the value of true");
      out.set_null_value(true);
    } else if (k == "SS" || k == "NS" || k == "BS") {
      const auto& a = v.as_array();
      if (a.empty()) {
        if (k == "BS") throw ApiError::validation("One or more parameter values were invalid: Binary sets should not be empty");
        throw ApiError::validation(std::string("One or more parameter values were invalid: An ") + (k == "SS" ? "string" : "number") + " set  may not be empty");
      }
      std::vector<std::string> raw;
      raw.reserve(a.size());
      for (auto& e : a) raw.emplace_back(k == "NS" ? normal_number(e.as_string()) : std::string(e.as_string()));
      std::vector<std::string> sorted = raw;
      if (k == "NS")
        std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) { return compare_numbers(x, y) < 0; });
      else
        std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        std::vector<std::string> shown;
        for (auto& e : a) shown.emplace_back(k == "BS" ? protocol::base64_encode(e.as_string()) : std::string(e.as_string()));
        throw ApiError::validation("One or more parameter values were invalid: Input collection [" + joined(shown) + "] contains duplicates.");
      }
      if (k == "BS") {
        auto* bs = out.mutable_bs();
        for (auto& s : sorted) bs->add_values(std::move(s));
      } else {
        auto* ss = k == "SS" ? out.mutable_ss() : out.mutable_ns();
        for (auto& s : sorted) ss->add_values(std::move(s));
      }
    } else if (k == "M") {
      if (level >= kMaxNesting) nesting_exceeded();
      auto* m = out.mutable_m()->mutable_fields();
      for (auto& f : v.as_object()) (*m)[std::string(f.key())] = from_json(f.value(), level + 1);
    } else if (k == "L") {
      if (level >= kMaxNesting) nesting_exceeded();
      auto* l = out.mutable_l();
      for (auto& e : v.as_array()) *l->add_values() = from_json(e, level + 1);
    } else {
      --set;  // unknown members are ignored, as the JSON protocol does
    }
  }
  if (set == 0) throw ApiError::validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (set > 1) throw ApiError::validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  return out;
}

Item item_from_json(const json::value& v) {
  Item item;
  auto* attrs = item.mutable_attrs();
  for (auto& kv : v.as_object()) (*attrs)[std::string(kv.key())] = from_json(kv.value(), 1);
  return item;
}

namespace {
// A protobuf map's entries by name: its iteration order differs between
// processes (a per-map hash seed), and the same request must get the same
// bytes (PODSTACK_SEED's contract). A few pointers sorted per item.
template <class M>
std::vector<const typename M::value_type*> sorted_entries(const M& m) {
  std::vector<const typename M::value_type*> out;
  out.reserve(m.size());
  for (auto& kv : m) out.push_back(&kv);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return out;
}
}  // namespace

json::value to_json(const AttributeValue& v, bool base64) {
  json::object o;
  auto blob = [&](const std::string& b) { return json::string(base64 ? protocol::base64_encode(b) : b); };
  switch (v.v_case()) {
    case AttributeValue::kS: o["S"] = v.s(); break;
    case AttributeValue::kN: o["N"] = v.n(); break;
    case AttributeValue::kB: o["B"] = blob(v.b()); break;
    case AttributeValue::kSs: {
      json::array a;
      for (auto& s : v.ss().values()) a.emplace_back(s);
      o["SS"] = std::move(a);
      break;
    }
    case AttributeValue::kNs: {
      json::array a;
      for (auto& s : v.ns().values()) a.emplace_back(s);
      o["NS"] = std::move(a);
      break;
    }
    case AttributeValue::kBs: {
      json::array a;
      for (auto& s : v.bs().values()) a.emplace_back(blob(s));
      o["BS"] = std::move(a);
      break;
    }
    case AttributeValue::kM: {
      json::object m;
      for (auto* kv : sorted_entries(v.m().fields())) m[kv->first] = to_json(kv->second, base64);
      o["M"] = std::move(m);
      break;
    }
    case AttributeValue::kL: {
      json::array a;
      for (auto& e : v.l().values()) a.push_back(to_json(e, base64));
      o["L"] = std::move(a);
      break;
    }
    case AttributeValue::kNullValue: o["NULL"] = true; break;
    case AttributeValue::kBoolValue: o["BOOL"] = v.bool_value(); break;
    case AttributeValue::V_NOT_SET: break;
  }
  return o;
}

json::object item_to_json(const Item& item, bool base64) {
  json::object o;
  for (auto* kv : sorted_entries(item.attrs())) o[kv->first] = to_json(kv->second, base64);
  return o;
}

std::string_view type_name(const AttributeValue& v) {
  switch (v.v_case()) {
    case AttributeValue::kS: return "S";
    case AttributeValue::kN: return "N";
    case AttributeValue::kB: return "B";
    case AttributeValue::kSs: return "SS";
    case AttributeValue::kNs: return "NS";
    case AttributeValue::kBs: return "BS";
    case AttributeValue::kM: return "M";
    case AttributeValue::kL: return "L";
    case AttributeValue::kNullValue: return "NULL";
    case AttributeValue::kBoolValue: return "BOOL";
    default: return "";
  }
}

bool equal(const AttributeValue& a, const AttributeValue& b) {
  if (a.v_case() != b.v_case()) return false;
  switch (a.v_case()) {
    case AttributeValue::kS: return a.s() == b.s();
    case AttributeValue::kN: return a.n() == b.n();  // normalised text: equal iff equal values
    case AttributeValue::kB: return a.b() == b.b();
    case AttributeValue::kSs: return std::equal(a.ss().values().begin(), a.ss().values().end(), b.ss().values().begin(), b.ss().values().end());
    case AttributeValue::kNs: return std::equal(a.ns().values().begin(), a.ns().values().end(), b.ns().values().begin(), b.ns().values().end());
    case AttributeValue::kBs: return std::equal(a.bs().values().begin(), a.bs().values().end(), b.bs().values().begin(), b.bs().values().end());
    case AttributeValue::kM: {
      if (a.m().fields().size() != b.m().fields().size()) return false;
      for (auto& [k, v] : a.m().fields()) {
        auto it = b.m().fields().find(k);
        if (it == b.m().fields().end() || !equal(v, it->second)) return false;
      }
      return true;
    }
    case AttributeValue::kL: {
      if (a.l().values_size() != b.l().values_size()) return false;
      for (int i = 0; i < a.l().values_size(); ++i)
        if (!equal(a.l().values(i), b.l().values(i))) return false;
      return true;
    }
    case AttributeValue::kNullValue: return true;
    case AttributeValue::kBoolValue: return a.bool_value() == b.bool_value();
    default: return true;
  }
}

int compare_values(const AttributeValue& a, const AttributeValue& b, bool& comparable) {
  comparable = a.v_case() == b.v_case() &&
               (a.v_case() == AttributeValue::kS || a.v_case() == AttributeValue::kN || a.v_case() == AttributeValue::kB);
  if (!comparable) return 0;
  if (a.v_case() == AttributeValue::kN) return compare_numbers(a.n(), b.n());
  const std::string& x = a.v_case() == AttributeValue::kS ? a.s() : a.b();
  const std::string& y = b.v_case() == AttributeValue::kS ? b.s() : b.b();
  int c = x.compare(y);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

namespace {
size_t number_size(const std::string& n) {
  Decimal d;
  parse_decimal(n, d);
  return (d.digits.size() + 1) / 2 + 1;
}
}  // namespace

size_t value_size(const AttributeValue& v) {
  switch (v.v_case()) {
    case AttributeValue::kS: return v.s().size();
    case AttributeValue::kN: return number_size(v.n());
    case AttributeValue::kB: return v.b().size();
    case AttributeValue::kSs: {
      size_t n = 0;
      for (auto& s : v.ss().values()) n += s.size();
      return n;
    }
    case AttributeValue::kNs: {
      size_t n = 0;
      for (auto& s : v.ns().values()) n += number_size(s);
      return n;
    }
    case AttributeValue::kBs: {
      size_t n = 0;
      for (auto& s : v.bs().values()) n += s.size();
      return n;
    }
    case AttributeValue::kM: {
      size_t n = 3;
      for (auto& [k, e] : v.m().fields()) n += k.size() + value_size(e) + 1;
      return n;
    }
    case AttributeValue::kL: {
      size_t n = 3;
      for (auto& e : v.l().values()) n += value_size(e) + 1;
      return n;
    }
    default: return 1;
  }
}

size_t item_size(const Item& item) {
  size_t n = 0;
  for (auto& [k, v] : item.attrs()) n += k.size() + value_size(v);
  return n;
}

std::string item_bytes(const Item& item) { return deterministic_bytes(item); }

std::string key_bytes(const AttributeValue& v) {
  if (v.v_case() == AttributeValue::kS) return v.s();
  if (v.v_case() == AttributeValue::kB) return v.b();
  // Numbers: sign byte, then the decimal exponent and digits so that memcmp
  // order is numeric order; negatives invert both and end with a terminator
  // above every inverted digit ("-12" > "-12.3").
  Decimal d;
  parse_decimal(v.n(), d);
  if (d.zero()) return std::string(1, '\x80');
  int adjusted = static_cast<int>(d.digits.size()) - 1 + d.exponent + 1000;  // > 0 within range
  std::string out;
  out.reserve(d.digits.size() + 4);
  if (!d.negative) {
    out += '\x81';
    out += static_cast<char>((adjusted >> 8) & 0xff);
    out += static_cast<char>(adjusted & 0xff);
    out += d.digits;
  } else {
    int inv = 0xffff - adjusted;
    out += '\x7f';
    out += static_cast<char>((inv >> 8) & 0xff);
    out += static_cast<char>(inv & 0xff);
    for (char c : d.digits) out += static_cast<char>('0' + ('9' - c));
    out += '\x7e';
  }
  return out;
}

std::string describe_value(const AttributeValue& v) {
  std::string out = "{" + std::string(type_name(v)) + ":";
  switch (v.v_case()) {
    case AttributeValue::kS: out += v.s(); break;
    case AttributeValue::kN: out += v.n(); break;
    default: out += json::serialize(to_json(v, true)); break;
  }
  return out + "}";
}

}  // namespace podstack::dynamodb
