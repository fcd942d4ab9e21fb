#include "server/protocol/codec.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "server/protocol/codec_detail.h"
#include "server/protocol/encoding.h"

namespace podstack::protocol {
namespace json = boost::json;

namespace detail {

std::string lower_first(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace detail

namespace {
using namespace detail;
using FormMap = std::map<std::string, std::string, std::less<>>;

bool is_query_like(Protocol p) { return p == Protocol::kQuery || p == Protocol::kEc2; }

// ---- validation (constraints the model states; AWS's message format) ----

// Where a value sits in a request, for error messages only: a chain of
// frames on the stack, rendered when an error is reported. Most requests
// have none, and building every member's path string eagerly was a third of
// a small JSON request's input parsing.
struct Path {
  enum Kind : uint8_t {
    kRoot,      // text
    kDot,       // parent "." text              (normalise: member or map key)
    kDotLower,  // [parent "."] lower_first(text) (validate: member)
    kBrackets,  // parent "[]"                  (normalise: list element)
    kItem,      // parent "." index ".member"   (validate: list element, 1-based)
    kKeyItem,   // parent "." text ".member"    (validate: map value)
  };
  const Path* parent = nullptr;
  Kind kind = kRoot;
  std::string_view text;
  size_t index = 0;

  std::string str() const {
    std::string out = parent ? parent->str() : std::string();
    switch (kind) {
      case kRoot: out += text; break;
      case kDot: out += '.', out += text; break;
      case kDotLower:
        if (!out.empty()) out += '.';
        out += lower_first(text);
        break;
      case kBrackets: out += "[]"; break;
      case kItem: out += '.', out += std::to_string(index), out += ".member"; break;
      case kKeyItem: out += '.', out += text, out += ".member"; break;
    }
    return out;
  }
};

std::string length_constraint(const Shape& s, size_t n) {
  if (s.min && int64_t(n) < *s.min) return "Member must have length greater than or equal to " + std::to_string(*s.min);
  if (s.max && int64_t(n) > *s.max) return "Member must have length less than or equal to " + std::to_string(*s.max);
  return {};
}

// `sized_by_map`: a list that is a map's value, whose length the map reports.
void validate_value(const Shape& s, const json::value& v, const Path& path, std::vector<std::string>& errs,
                    bool sized_by_map = false) {
  auto fail = [&](std::string_view what, const std::string& shown) {
    errs.push_back("Value " + shown + " at '" + path.str() + "' failed to satisfy constraint: " + std::string(what));
  };
  switch (s.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return;
      const auto& o = v.as_object();
      for (const auto& m : s.members) {
        const Path sub{&path, Path::kDotLower, m.name, 0};
        const json::value* mv = o.if_contains(m.name);
        if (!mv || mv->is_null()) {
          if (m.required) errs.push_back("Value null at '" + sub.str() + "' failed to satisfy constraint: Member must not be null");
          continue;
        }
        validate_value(*m.shape, *mv, sub, errs);
      }
      break;
    }
    case ShapeType::kList: {
      if (!v.is_array()) return;
      const auto& a = v.as_array();
      if (std::string what = length_constraint(s, a.size()); !what.empty() && !sized_by_map) fail(what, "'" + json::serialize(v) + "'");
      for (size_t i = 0; i < a.size(); ++i)
        validate_value(*s.list_member.shape, a[i], Path{&path, Path::kItem, {}, i + 1}, errs);
      break;
    }
    case ShapeType::kMap: {
      // As AWS words them: the map's own length; the length of list values
      // once for the whole map ("Map value must satisfy constraint: [...]",
      // e.g. BatchWriteItem's 25 requests a table); members of a value at
      // "<map>.<key>.member...".
      if (!v.is_object()) return;
      const auto& o = v.as_object();
      if (std::string what = length_constraint(s, o.size()); !what.empty()) fail(what, "'" + json::serialize(v) + "'");
      const Shape& vs = *s.map_value.shape;
      if (vs.type == ShapeType::kList && (vs.min || vs.max)) {
        bool bad = false;
        for (const auto& kv : o) bad |= kv.value().is_array() && !length_constraint(vs, kv.value().as_array().size()).empty();
        if (bad) {
          std::string all;
          if (vs.max) all = "Member must have length less than or equal to " + std::to_string(*vs.max);
          if (vs.min) all += (all.empty() ? "" : ", ") + std::string("Member must have length greater than or equal to ") + std::to_string(*vs.min);
          fail("Map value must satisfy constraint: [" + all + "]", "'" + json::serialize(v) + "'");
        }
      }
      for (const auto& kv : o) validate_value(vs, kv.value(), Path{&path, Path::kKeyItem, kv.key(), 0}, errs, true);
      break;
    }
    case ShapeType::kString: {
      if (!v.is_string()) return;
      std::string_view str = v.as_string();
      size_t len = utf8_length(str);
      if (s.min && int64_t(len) < *s.min)
        fail("Member must have length greater than or equal to " + std::to_string(*s.min), "'" + std::string(str) + "'");
      else if (s.max && int64_t(len) > *s.max)
        fail("Member must have length less than or equal to " + std::to_string(*s.max), "'" + std::string(str) + "'");
      if (!s.enum_values.empty()) {
        bool ok = false;
        for (auto& e : s.enum_values) ok |= (e == str);
        if (!ok) {
          std::string set;
          for (auto& e : s.enum_values) set += (set.empty() ? "" : ", ") + e;
          fail("Member must satisfy enum value set: [" + set + "]", "'" + std::string(str) + "'");
        }
      }
      break;
    }
    case ShapeType::kBlob: {
      if (!v.is_string()) return;
      size_t len = v.as_string().size();
      if (s.min && int64_t(len) < *s.min) fail("Member must have length greater than or equal to " + std::to_string(*s.min), "'<binary>'");
      else if (s.max && int64_t(len) > *s.max) fail("Member must have length less than or equal to " + std::to_string(*s.max), "'<binary>'");
      break;
    }
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      if (!v.is_int64() && !v.is_uint64()) return;
      int64_t n = v.is_int64() ? v.as_int64() : int64_t(v.as_uint64());
      if (s.min && n < *s.min) fail("Member must have value greater than or equal to " + std::to_string(*s.min), "'" + std::to_string(n) + "'");
      else if (s.max && n > *s.max) fail("Member must have value less than or equal to " + std::to_string(*s.max), "'" + std::to_string(n) + "'");
      break;
    }
    default:
      break;
  }
}

// ---- JSON protocol input: type-check and normalise in place ----

}  // namespace

namespace detail {

[[noreturn]] void type_error(const std::string& path, std::string_view expected) {
  throw ApiError::serialization("Unexpected value type at '" + path + "': expected " + std::string(expected));
}

namespace {
// JSON null: a structure member that is null is absent (the member is
// dropped, so services never see a null where the model has a type); a null
// list element or map value is a SerializationException, as Smithy's
// malformed-request tests require of AWS JSON servers for dense lists and
// maps (RestJsonBodyMalformedListNullItem, RestJsonBodyMalformedMapNullValue:
// https://github.com/smithy-lang/smithy/tree/main/smithy-aws-protocol-tests/model/restJson1/validation,
// malformed-list.smithy and malformed-map.smithy).
// botocore's models have no sparse collections, so every one is dense.
void normalise_at(const Shape& s, json::value& v, const Path& at) {
  if (v.is_null()) return;  // the caller drops it (member) or refuses it (element)
  switch (s.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) type_error(at.str(), "an object");
      auto& o = v.as_object();
      for (auto it = o.begin(); it != o.end();) {
        if (it->value().is_null()) {
          it = o.stable_erase(it);  // keeps the other members in order
          continue;
        }
        if (const Member* m = s.member(it->key())) normalise_at(*m->shape, it->value(), Path{&at, Path::kDot, it->key(), 0});
        ++it;
      }
      break;
    }
    case ShapeType::kList:
      if (!v.is_array()) type_error(at.str(), "a list");
      for (auto& e : v.as_array()) {
        if (e.is_null()) throw ApiError::serialization("Null value at '" + Path{&at, Path::kBrackets, {}, 0}.str() + "': list elements must not be null");
        normalise_at(*s.list_member.shape, e, Path{&at, Path::kBrackets, {}, 0});
      }
      break;
    case ShapeType::kMap:
      if (!v.is_object()) type_error(at.str(), "a map");
      for (auto& kv : v.as_object()) {
        const Path sub{&at, Path::kDot, kv.key(), 0};
        if (kv.value().is_null()) throw ApiError::serialization("Null value at '" + sub.str() + "': map values must not be null");
        normalise_at(*s.map_value.shape, kv.value(), sub);
      }
      break;
    case ShapeType::kString:
      if (!v.is_string()) type_error(at.str(), "a string");
      break;
    case ShapeType::kBoolean:
      if (!v.is_bool()) type_error(at.str(), "a boolean");
      break;
    case ShapeType::kInteger:
    case ShapeType::kLong:
      if (v.is_double() && v.as_double() == static_cast<double>(static_cast<int64_t>(v.as_double())))
        v = static_cast<int64_t>(v.as_double());
      if (!v.is_int64() && !v.is_uint64()) type_error(at.str(), "an integer");
      break;
    case ShapeType::kDouble:
    case ShapeType::kFloat:
      if (!v.is_number()) type_error(at.str(), "a number");
      v = v.to_number<double>();
      break;
    case ShapeType::kTimestamp:
      if (v.is_number()) {
        v = v.to_number<double>();
      } else if (v.is_string()) {
        auto t = parse_iso8601(v.as_string());
        if (!t) type_error(at.str(), "a timestamp");
        v = *t;
      } else {
        type_error(at.str(), "a timestamp");
      }
      break;
    case ShapeType::kBlob: {
      if (!v.is_string()) type_error(at.str(), "a base64 string");
      // AWS's JSON services refuse unpadded base64 (alternator
      // test_manual_requests.py::test_base64_missing_padding; the message:
      // dynalite test/helpers.js, recorded against DynamoDB).
      if (v.as_string().size() % 4 != 0)
        throw ApiError::serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " + std::to_string(v.as_string().size()));
      auto raw = base64_decode(v.as_string());
      if (!raw) throw ApiError::serialization("Invalid base64 at '" + at.str() + "'");
      v = json::string(*raw);
      break;
    }
  }
}

}  // namespace

void normalise_json(const Shape& s, json::value& v, const std::string& path) {
  normalise_at(s, v, Path{nullptr, Path::kRoot, path, 0});
}

}  // namespace detail

namespace {

json::object parse_json_input(const ServiceModel& model, const Operation& op, const HttpRequest& req) {
  json::value v;
  if (req.body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    v = json::object();
  } else {
    boost::system::error_code ec;
    // DynamoDB documents nest 32 levels, two JSON levels each ({"M": {"k": ...}}); bounded, so parsing stays shallow.
    json::parse_options opt;
    opt.max_depth = 80;
    v = json::parse(req.body, ec, {}, opt);
    if (ec) throw ApiError::serialization("Malformed JSON request body: " + ec.message());
  }
  if (!v.is_object()) throw ApiError::serialization("The request body must be a JSON object");
  if (op.input) normalise_json(*op.input, v, lower_first(op.input->name));
  return std::move(v.as_object());
}

// ---- query protocol input ----

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

bool has_prefix(const FormMap& f, const std::string& prefix) {
  auto it = f.lower_bound(prefix);
  return it != f.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

std::optional<json::value> query_value(const Shape& s, const FormMap& f, const std::string& key, bool flattened);

}  // namespace

std::optional<json::value> detail::query_scalar(const Shape& s, const std::string& raw, const std::string& key) {
  auto bad = [&](std::string_view what) -> ApiError {
    // Bytes that are not UTF-8 are not quoted: the answer must stay well-formed XML.
    const std::string shown = valid_utf8(raw) ? raw : std::string("(not valid UTF-8)");
    return ApiError::bad_request("ValidationError", "Value '" + shown + "' at '" + key + "' failed to satisfy constraint: Member must be " + std::string(what));
  };
  switch (s.type) {
    case ShapeType::kString: return json::value(raw);
    case ShapeType::kBoolean:
      // Case-insensitive, as AWS's front ends are: botocore before 1.31
      // renders boolean headers with Python's str() ("True").
      if (iequals(raw, "true")) return json::value(true);
      if (iequals(raw, "false")) return json::value(false);
      throw bad("a boolean");
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
      if (ec != std::errc() || p != raw.data() + raw.size()) throw bad("a number");
      return json::value(n);
    }
    case ShapeType::kDouble:
    case ShapeType::kFloat: {
      char* end = nullptr;
      double d = strtod(raw.c_str(), &end);
      if (raw.empty() || *end) throw bad("a number");
      return json::value(d);
    }
    case ShapeType::kTimestamp: {
      auto t = parse_iso8601(raw);
      if (!t) t = parse_http_date(raw);  // rest-xml query timestamps (S3's response-expires)
      if (!t) {
        char* end = nullptr;
        double d = strtod(raw.c_str(), &end);
        if (raw.empty() || *end) throw bad("a timestamp");
        return json::value(d);
      }
      return json::value(*t);
    }
    case ShapeType::kBlob: {
      auto b = base64_decode(raw);
      if (!b) throw bad("base64");
      return json::value(json::string(*b));
    }
    default: return std::nullopt;
  }
}

namespace {

std::optional<json::value> query_value(const Shape& s, const FormMap& f, const std::string& key, bool flattened) {
  switch (s.type) {
    case ShapeType::kStructure: {
      json::object o;
      for (const auto& m : s.members) {
        std::string sub = key.empty() ? m.wire_name() : key + "." + m.wire_name();
        if (auto v = query_value(*m.shape, f, sub, m.flattened)) o[m.name] = std::move(*v);
      }
      if (o.empty() && !key.empty() && !has_prefix(f, key + ".")) return std::nullopt;
      return json::value(std::move(o));
    }
    case ShapeType::kList: {
      bool flat = flattened || s.flattened;
      std::string item = flat ? key : key + "." + (s.list_member.location_name.empty() ? "member" : s.list_member.location_name);
      if (flat && !s.list_member.location_name.empty()) {
        // botocore: a flattened list whose member has a name replaces the
        // last key component with it (SQS "AttributeName.1", "SendMessageBatchRequestEntry.1.Id").
        size_t dot = key.rfind('.');
        item = (dot == std::string::npos ? std::string() : key.substr(0, dot + 1)) + s.list_member.location_name;
      }
      json::array a;
      for (size_t i = 1;; ++i) {
        auto v = query_value(*s.list_member.shape, f, item + "." + std::to_string(i), false);
        if (!v) break;
        a.push_back(std::move(*v));
      }
      if (a.empty()) {
        // "Name=" with an empty value is how the query protocol sends an empty list.
        auto it = f.find(key);
        if (it == f.end()) return std::nullopt;
      }
      return json::value(std::move(a));
    }
    case ShapeType::kMap: {
      bool flat = flattened || s.flattened;
      std::string entry = flat ? key : key + ".entry";
      const std::string& kn = s.map_key.location_name.empty() ? std::string("key") : s.map_key.location_name;
      const std::string& vn = s.map_value.location_name.empty() ? std::string("value") : s.map_value.location_name;
      json::object o;
      for (size_t i = 1;; ++i) {
        std::string base = entry + "." + std::to_string(i);
        auto k = f.find(base + "." + kn);
        if (k == f.end()) break;
        if (auto v = query_value(*s.map_value.shape, f, base + "." + vn, false)) o[k->second] = std::move(*v);
      }
      if (o.empty()) return std::nullopt;
      return json::value(std::move(o));
    }
    default: {
      auto it = f.find(key);
      if (it == f.end()) return std::nullopt;
      return query_scalar(s, it->second, key);
    }
  }
}

}  // namespace

// ---- output ----

namespace detail {

void blobs_to_base64(const Shape& s, json::value& v) {
  switch (s.type) {
    case ShapeType::kStructure:
      if (v.is_object())
        for (auto& kv : v.as_object())
          if (const Member* m = s.member(kv.key())) blobs_to_base64(*m->shape, kv.value());
      break;
    case ShapeType::kList:
      if (v.is_array())
        for (auto& e : v.as_array()) blobs_to_base64(*s.list_member.shape, e);
      break;
    case ShapeType::kMap:
      if (v.is_object())
        for (auto& kv : v.as_object()) blobs_to_base64(*s.map_value.shape, kv.value());
      break;
    case ShapeType::kBlob:
      if (v.is_string()) v = json::string(base64_encode(v.as_string()));
      break;
    default:
      break;
  }
}

bool shape_has_blob(const Shape& s, int depth) {
  if (depth > 12) return false;
  switch (s.type) {
    case ShapeType::kBlob: return true;
    case ShapeType::kStructure:
      for (auto& m : s.members)
        if (shape_has_blob(*m.shape, depth + 1)) return true;
      return false;
    case ShapeType::kList: return shape_has_blob(*s.list_member.shape, depth + 1);
    case ShapeType::kMap: return shape_has_blob(*s.map_value.shape, depth + 1);
    default: return false;
  }
}

void scalar_text(const Shape& s, const json::value& v, std::string& out) {
  switch (s.type) {
    case ShapeType::kBoolean: out += v.is_bool() && v.as_bool() ? "true" : "false"; break;
    case ShapeType::kTimestamp: out += v.is_number() ? iso8601(v.to_number<double>()) : std::string(v.is_string() ? v.as_string() : ""); break;
    case ShapeType::kBlob: if (v.is_string()) out += base64_encode(v.as_string()); break;
    default:
      if (v.is_string()) xml_escape_append(out, v.as_string());
      else if (v.is_int64()) out += std::to_string(v.as_int64());
      else if (v.is_uint64()) out += std::to_string(v.as_uint64());
      else if (v.is_double()) { auto d = v.as_double(); char b[32]; snprintf(b, sizeof b, "%.17g", d); out += b; }
      else if (v.is_bool()) out += v.as_bool() ? "true" : "false";
  }
}

void xml_value(const Shape& s, const json::value& v, std::string_view name, bool flattened, std::string& out);

void xml_members(const Shape& s, const json::object& o, std::string& out) {
  for (const auto& m : s.members) {
    const json::value* v = o.if_contains(m.name);
    if (!v || v->is_null() || m.xml_attribute) continue;
    xml_value(*m.shape, *v, m.wire_name(), m.flattened, out);
  }
}

void xml_value(const Shape& s, const json::value& v, std::string_view name, bool flattened, std::string& out) {
  auto open = [&](std::string_view n) { out += '<'; out += n; out += '>'; };
  auto close = [&](std::string_view n) { out += "</"; out += n; out += '>'; };
  switch (s.type) {
    case ShapeType::kStructure: {
      // Attributes (S3's <Grantee xmlns:xsi=".." xsi:type="CanonicalUser">) go in the start tag.
      out += '<';
      out += name;
      if (!s.xml_namespace_prefix.empty()) {
        out += " xmlns:" + s.xml_namespace_prefix + "=\"";
        xml_escape_append(out, s.xml_namespace);
        out += '"';
      }
      if (v.is_object())
        for (const auto& m : s.members) {
          const json::value* a = m.xml_attribute ? v.as_object().if_contains(m.name) : nullptr;
          if (!a || a->is_null()) continue;
          out += ' ' + m.wire_name() + "=\"";
          scalar_text(*m.shape, *a, out);
          out += '"';
        }
      out += '>';
      if (v.is_object()) xml_members(s, v.as_object(), out);
      close(name);
      break;
    }
    case ShapeType::kList: {
      if (!v.is_array()) break;
      bool flat = flattened || s.flattened;
      std::string item = s.list_member.location_name.empty() ? (flat ? std::string(name) : "member") : s.list_member.location_name;
      if (!flat) open(name);
      for (const auto& e : v.as_array()) xml_value(*s.list_member.shape, e, item, false, out);
      if (!flat) close(name);
      break;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) break;
      bool flat = flattened || s.flattened;
      std::string kn = s.map_key.location_name.empty() ? "key" : s.map_key.location_name;
      std::string vn = s.map_value.location_name.empty() ? "value" : s.map_value.location_name;
      if (!flat) open(name);
      for (const auto& kv : v.as_object()) {
        open(flat ? name : std::string_view("entry"));
        open(kn);
        xml_escape_append(out, kv.key());
        close(kn);
        xml_value(*s.map_value.shape, kv.value(), vn, false, out);
        close(flat ? name : std::string_view("entry"));
      }
      if (!flat) close(name);
      break;
    }
    default:
      open(name);
      scalar_text(s, v, out);
      close(name);
  }
}

std::string json_content_type(const ServiceModel* model) {
  return "application/x-amz-json-" + (model && !model->json_version.empty() ? model->json_version : std::string("1.1"));
}

}  // namespace detail

namespace {

// ---- strings that are not UTF-8 ----

// Whether every string in `v` that the model types `string` is well-formed
// UTF-8: string values, map keys, and every string under a member the model
// does not know (the JSON protocol keeps those). Blobs hold raw bytes and are
// not looked at. On failure `where` gets the path to the string, innermost
// segment last ("Tags.1.Value"); map keys and list indexes are left out of
// it, as a key is the thing that may not be printable.
bool utf8_clean(const Shape* s, const json::value& v, std::string& where) {
  auto fail = [&](std::string_view segment) {
    if (!segment.empty()) where.insert(0, where.empty() ? std::string(segment) : std::string(segment) + ".");
    return false;
  };
  switch (v.kind()) {
    case json::kind::string:
      return (s && s->type == ShapeType::kBlob) || valid_utf8(v.get_string());
    case json::kind::array: {
      const Shape* es = s && s->type == ShapeType::kList ? s->list_member.shape : nullptr;
      const auto& a = v.get_array();
      for (size_t i = 0; i < a.size(); ++i)
        if (!utf8_clean(es, a[i], where)) return fail(std::to_string(i + 1));
      return true;
    }
    case json::kind::object: {
      for (const auto& kv : v.get_object()) {
        const Member* m = s && s->type == ShapeType::kStructure ? s->member(kv.key()) : nullptr;
        if (!m && !valid_utf8(kv.key())) return fail({});
        const Shape* vs = m ? m->shape : s && s->type == ShapeType::kMap ? s->map_value.shape : nullptr;
        if (!utf8_clean(vs, kv.value(), where)) return fail(m ? std::string_view(m->name) : std::string_view());
      }
      return true;
    }
    default:
      return true;
  }
}

// The error for a string that is not UTF-8 at `where` (bound to `loc`), as
// each protocol's AWS front end refuses a request it cannot decode.
ApiError invalid_utf8_error(const ServiceModel& model, Location loc, const std::string& where) {
  switch (model.protocol) {
    case Protocol::kQuery:
    case Protocol::kEc2:
      // The query protocol's common "invalid or out-of-range value" error
      // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html).
      // AWS documents no answer for undecodable bytes; this is the closest.
      return ApiError::bad_request("InvalidParameterValue",
                                   "Value for parameter " + where + " is invalid. Reason: it is not valid UTF-8.");
    case Protocol::kJson:
    case Protocol::kRestJson:
      // What AWS's JSON deserializers answer for input they cannot read
      // (Boost.JSON already refuses invalid UTF-8 in a body as malformed).
      return ApiError::serialization("Invalid UTF-8 in the value at '" + where + "'");
    case Protocol::kRestXml:
      switch (loc) {
        case Location::kUri:
        case Location::kQuery:
          // S3 answers a key (or any part of the URI) that is not UTF-8 with
          // InvalidURI; reported against AWS by s3sync users:
          // https://github.com/larrabee/s3sync/issues/45
          return ApiError::bad_request("InvalidURI", "Couldn't parse the specified URI.");
        case Location::kHeader:
        case Location::kHeaders:
          return ApiError::bad_request("InvalidArgument", "Header value is not valid UTF-8").with("ArgumentName", where);
        default:
          return ApiError::bad_request("MalformedXML",
                                       "The XML you provided was not well-formed or did not validate against our published schema");
      }
  }
  return ApiError::serialization("Invalid UTF-8 in the value at '" + where + "'");
}

}  // namespace

void check_utf8(const ServiceModel& model, const Operation& op, const json::object& input) {
  if (!op.input) return;
  const Shape& in = *op.input;
  std::string where;
  for (const auto& kv : input) {
    const Member* m = in.member(kv.key());
    if (!m && !valid_utf8(kv.key())) throw invalid_utf8_error(model, Location::kBody, "(a member name)");
    if (utf8_clean(m ? m->shape : nullptr, kv.value(), where)) continue;
    if (!m) throw invalid_utf8_error(model, Location::kBody, std::string(kv.key()) + (where.empty() ? "" : "." + where));
    // Header maps (S3's x-amz-meta-*) name the header; other members their wire name.
    std::string name = m->location == Location::kHeaders ? m->wire_name() + "*" : m->wire_name();
    throw invalid_utf8_error(model, m->location, where.empty() ? name : name + "." + where);
  }
}

std::string validate(const Shape& shape, const json::value& v) {
  std::vector<std::string> errs;
  validate_value(shape, v, Path{}, errs);
  if (errs.empty()) return {};
  std::string msg = std::to_string(errs.size()) + (errs.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errs.size(); ++i) msg += (i ? "; " : "") + errs[i];
  return msg;
}

json::object parse_input(const ServiceModel& model, const Operation& op, const HttpRequest& req) {
  json::object input;
  switch (model.protocol) {
    case Protocol::kJson:
      input = parse_json_input(model, op, req);
      break;
    case Protocol::kQuery:
    case Protocol::kEc2: {
      FormMap f;
      for (auto& [k, v] : req.query) f.emplace(k, v);
      for (auto& [k, v] : req.form) f.insert_or_assign(k, v);
      if (op.input) {
        auto v = query_value(*op.input, f, "", false);
        if (v && v->is_object()) input = std::move(v->as_object());
      }
      break;
    }
    case Protocol::kRestJson:
    case Protocol::kRestXml:
      input = parse_rest_input(model, op, req);
      break;
  }
  // Before validation, whose messages quote values: every string the model
  // types `string` must be UTF-8, or the events built from it would not parse.
  // A JSON-protocol body has been checked already: Boost.JSON refuses invalid
  // UTF-8 and lone surrogate escapes (parse_options::allow_invalid_utf8 is off),
  // so the walk is saved on the hot DynamoDB path.
  if (model.protocol != Protocol::kJson) check_utf8(model, op, input);
  if (op.input) {
    std::string msg = validate(*op.input, input);
    if (!msg.empty())
      throw ApiError::bad_request(is_query_like(model.protocol) ? "ValidationError" : "ValidationException", msg);
  }
  return input;
}

WireResponse render_output(const ServiceModel& model, const Operation& op, json::value output, std::string_view request_id) {
  WireResponse r;
  r.status = op.http_status;
  switch (model.protocol) {
    case Protocol::kJson:
      if (op.output && shape_has_blob(*op.output)) blobs_to_base64(*op.output, output);
      r.content_type = json_content_type(&model);
      r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
      // A null output of an operation without an output shape is AWS's empty
      // body (DynamoDB TagResource); services opt in by answering null.
      r.body = output.is_null() ? (op.output ? "{}" : "") : json::serialize(output);
      break;
    case Protocol::kQuery:
    case Protocol::kEc2: {
      r.content_type = "text/xml";
      r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
      std::string& out = r.body;
      out.reserve(512);
      out += "<";
      out += op.name;
      out += "Response xmlns=\"";
      out += model.xml_namespace;
      out += "\">";
      if (op.output) {
        std::string wrapper = op.result_wrapper.empty() ? op.name + "Result" : op.result_wrapper;
        out += '<' + wrapper + '>';
        if (output.is_object()) xml_members(*op.output, output.as_object(), out);
        out += "</" + wrapper + '>';
      }
      out += "<ResponseMetadata><RequestId>";
      out += request_id;
      out += "</RequestId></ResponseMetadata></";
      out += op.name;
      out += "Response>";
      break;
    }
    case Protocol::kRestJson:
    case Protocol::kRestXml:
      return render_rest_output(model, op, std::move(output), request_id);
  }
  return r;
}

namespace {
void code_and_message(std::string& out, const ApiError& err) {
  out += "<Code>";
  xml_escape_append(out, err.code);
  out += "</Code><Message>";
  xml_escape_append(out, err.message);
  out += "</Message>";
}
}  // namespace

WireResponse render_error(Protocol protocol, const ServiceModel* model, const ApiError& err, std::string_view request_id) {
  WireResponse r;
  r.status = err.status;
  r.headers = err.headers;
  switch (protocol) {
    case Protocol::kJson:
    case Protocol::kRestJson: {
      r.content_type = protocol == Protocol::kJson ? json_content_type(model) : "application/json";
      r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
      std::string type = err.code;
      bool qualified = false;
      if (model && model->aws_query_compatible) {
        // awsQueryCompatible: the JSON type is the error shape's name,
        // qualified as AWS sends it ("com.amazonaws.sqs#QueueDoesNotExist"),
        // in __type and x-amzn-ErrorType; the query code travels in
        // x-amzn-query-error, which SDKs map their exceptions from. Codes
        // the model does not know (the protocol layer's own) stay as they are.
        if (auto it = model->query_error_shapes.find(err.code); it != model->query_error_shapes.end())
          type = it->second.find('#') == std::string::npos ? model->error_type_prefix + it->second : it->second;
        qualified = true;
        r.headers.emplace_back("x-amzn-query-error", err.code + (err.sender_fault ? ";Sender" : ";Receiver"));
      }
      r.headers.emplace_back("x-amzn-ErrorType", type);
      json::object o;
      if (!err.json_fields.empty()) {
        boost::system::error_code ec;
        json::value extra = json::parse(err.json_fields, ec);
        if (!ec && extra.is_object()) o = std::move(extra.as_object());
      }
      // Some services qualify the type ("com.amazonaws.dynamodb.v20120810#..."); clients use the part after '#'.
      o["__type"] = model && !qualified && !model->error_type_prefix.empty() && type.find('#') == std::string::npos
                        ? model->error_type_prefix + type : type;
      o["message"] = err.message;
      r.body = json::serialize(o);
      break;
    }
    case Protocol::kQuery:
    case Protocol::kEc2: {
      r.content_type = "text/xml";
      r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
      std::string& out = r.body;
      out = "<ErrorResponse";
      if (model && !model->xml_namespace.empty()) out += " xmlns=\"" + model->xml_namespace + "\"";
      out += "><Error><Type>";
      out += err.sender_fault ? "Sender" : "Receiver";
      out += "</Type>";
      code_and_message(out, err);
      out += "</Error><RequestId>";
      out += request_id;
      out += "</RequestId></ErrorResponse>";
      break;
    }
    case Protocol::kRestXml: {
      r.content_type = "application/xml";
      r.headers.emplace_back("x-amz-request-id", std::string(request_id));
      std::string& out = r.body;
      out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>";
      code_and_message(out, err);
      for (auto& [k, v] : err.details) {
        out += '<' + k + '>';
        xml_escape_append(out, v);
        out += "</" + k + '>';
      }
      out += "<RequestId>";
      out += request_id;
      out += "</RequestId></Error>";
      break;
    }
  }
  return r;
}

}  // namespace podstack::protocol
