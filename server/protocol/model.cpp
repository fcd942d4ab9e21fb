#include "server/protocol/model.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>
#include <mutex>
#include <stdexcept>

namespace podstack::protocol {
namespace json = boost::json;

namespace {
ShapeType parse_type(std::string_view t) {
  if (t == "structure") return ShapeType::kStructure;
  if (t == "list") return ShapeType::kList;
  if (t == "map") return ShapeType::kMap;
  if (t == "string") return ShapeType::kString;
  if (t == "integer") return ShapeType::kInteger;
  if (t == "long") return ShapeType::kLong;
  if (t == "boolean") return ShapeType::kBoolean;
  if (t == "timestamp") return ShapeType::kTimestamp;
  if (t == "blob") return ShapeType::kBlob;
  if (t == "double") return ShapeType::kDouble;
  if (t == "float") return ShapeType::kFloat;
  throw std::runtime_error("unknown shape type " + std::string(t));
}

Location parse_location(std::string_view l) {
  if (l == "uri") return Location::kUri;
  if (l == "querystring") return Location::kQuery;
  if (l == "header") return Location::kHeader;
  if (l == "headers") return Location::kHeaders;
  if (l == "statusCode") return Location::kStatusCode;
  return Location::kBody;
}

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
bool flag(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() && v->as_bool();
}
}  // namespace

const Shape* ServiceModel::shape(std::string_view name) const {
  auto it = shape_index_.find(std::string(name));
  return it == shape_index_.end() ? nullptr : it->second;
}

std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view text) {
  auto m = parse_one(text);
  if (m->aws_query_compatible && m->protocol == Protocol::kQuery && !m->target_prefix.empty()) {
    m->json_variant_ = parse_one(text);
    m->json_variant_->protocol = Protocol::kJson;
    m->json_variant_->protocol_name = "json";
  }
  return m;
}

std::unique_ptr<ServiceModel> ServiceModel::parse_one(std::string_view text) {
  auto m = std::make_unique<ServiceModel>();
  json::value root = json::parse(text);
  const auto& meta = root.at("metadata").as_object();
  m->protocol_name = str(meta, "protocol");
  m->json_version = str(meta, "jsonVersion");
  m->target_prefix = str(meta, "targetPrefix");
  m->endpoint_prefix = str(meta, "endpointPrefix");
  m->signing_name = str(meta, "signingName");
  if (m->signing_name.empty()) m->signing_name = m->endpoint_prefix;
  m->service_id = str(meta, "serviceId");
  m->api_version = str(meta, "apiVersion");
  m->xml_namespace = str(meta, "xmlNamespace");
  m->aws_query_compatible = meta.contains("awsQueryCompatible");
  m->error_type_prefix = str(meta, "podstackErrorTypePrefix");
  // Query codes whose JSON type is not a shape of the model (SQS's
  // InvalidParameterValue is com.amazon.coral.service#InvalidParameterValueException).
  if (auto* types = meta.if_contains("podstackQueryErrorTypes"); types && types->is_object())
    for (auto& kv : types->as_object())
      if (kv.value().is_string()) m->query_error_shapes[std::string(kv.key())] = std::string(kv.value().as_string());
  m->operation_prefix = str(meta, "podstackOperationPrefix");
  const std::string& p = m->protocol_name;
  m->protocol = p == "json" ? Protocol::kJson : p == "query" ? Protocol::kQuery : p == "rest-json" ? Protocol::kRestJson
              : p == "rest-xml" ? Protocol::kRestXml : p == "ec2" ? Protocol::kEc2
              : throw std::runtime_error("unknown protocol " + p);

  const auto& shapes = root.at("shapes").as_object();
  // Two passes: allocate every shape, then resolve references.
  for (const auto& kv : shapes) {
    Shape& s = m->shapes_.emplace_back();
    s.name = std::string(kv.key());
    m->shape_index_[s.name] = &s;
  }
  auto ref = [&](const json::value& v) -> const Shape* {
    auto name = str(v.as_object(), "shape");
    auto* s = m->shape(name);
    if (!s) throw std::runtime_error("model references unknown shape " + name);
    return s;
  };
  auto member_of = [&](std::string name, const json::object& o) {
    Member mem;
    mem.name = std::move(name);
    mem.shape = ref(o);
    mem.location = parse_location(str(o, "location"));
    mem.location_name = str(o, "locationName");
    mem.flattened = flag(o, "flattened");
    mem.xml_attribute = flag(o, "xmlAttribute");
    mem.idempotency_token = flag(o, "idempotencyToken");
    mem.json_value = flag(o, "jsonvalue");
    mem.timestamp_format = str(o, "timestampFormat");
    return mem;
  };
  for (const auto& kv : shapes) {
    Shape& s = *m->shape_index_[std::string(kv.key())];
    const auto& o = kv.value().as_object();
    s.type = parse_type(str(o, "type"));
    s.flattened = flag(o, "flattened");
    s.exception = flag(o, "exception");
    s.streaming = flag(o, "streaming");
    s.payload = str(o, "payload");
    s.timestamp_format = str(o, "timestampFormat");
    if (auto* err = o.if_contains("error"); err && err->is_object())
      if (auto code = str(err->as_object(), "code"); !code.empty()) m->query_error_shapes[code] = s.name;
    if (auto* v = o.if_contains("min"); v && v->is_number()) s.min = v->to_number<int64_t>();
    if (auto* v = o.if_contains("max"); v && v->is_number()) s.max = v->to_number<int64_t>();
    if (auto* v = o.if_contains("enum"); v && v->is_array())
      for (auto& e : v->as_array()) s.enum_values.emplace_back(e.as_string());
    if (auto* v = o.if_contains("xmlNamespace"); v && v->is_object()) {
      s.xml_namespace = str(v->as_object(), "uri");
      s.xml_namespace_prefix = str(v->as_object(), "prefix");
    }
    if (s.type == ShapeType::kStructure) {
      if (auto* mems = o.if_contains("members")) {
        for (const auto& mk : mems->as_object()) {
          s.by_name[std::string(mk.key())] = s.members.size();
          s.members.push_back(member_of(std::string(mk.key()), mk.value().as_object()));
        }
        for (size_t i = 0; i < s.members.size(); ++i) {
          if (s.members[i].location != Location::kHeader) continue;
          std::string lower = s.members[i].wire_name();
          for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          s.header_members.emplace_back(std::move(lower), i);
        }
        std::sort(s.header_members.begin(), s.header_members.end());
      }
      if (auto* req = o.if_contains("required"))
        for (auto& r : req->as_array())
          if (auto it = s.by_name.find(std::string(r.as_string())); it != s.by_name.end()) s.members[it->second].required = true;
    } else if (s.type == ShapeType::kList) {
      s.list_member = member_of("member", o.at("member").as_object());
    } else if (s.type == ShapeType::kMap) {
      s.map_key = member_of("key", o.at("key").as_object());
      s.map_value = member_of("value", o.at("value").as_object());
    }
  }
  // Query protocol: a member without a wire name takes its shape's
  // locationName, as botocore serializes (SQS TagQueue "Tag.1.Key").
  if (m->protocol == Protocol::kQuery) {
    auto inherit = [&](Member& mem) {
      if (!mem.location_name.empty() || !mem.shape) return;
      auto* so = shapes.if_contains(mem.shape->name);
      if (so && so->is_object()) mem.location_name = str(so->as_object(), "locationName");
    };
    for (auto& s : m->shapes_) {
      for (auto& mem : s.members) inherit(mem);
    }
  }
  for (const auto& kv : root.at("operations").as_object()) {
    const auto& o = kv.value().as_object();
    Operation op;
    op.name = std::string(kv.key());
    if (auto* http = o.if_contains("http")) {
      const auto& h = http->as_object();
      if (auto x = str(h, "method"); !x.empty()) op.http_method = x;
      if (auto x = str(h, "requestUri"); !x.empty()) op.request_uri = x;
      if (auto* c = h.if_contains("responseCode")) op.http_status = static_cast<int>(c->to_number<int64_t>());
    }
    if (auto* in = o.if_contains("input")) op.input = ref(*in);
    if (auto* out = o.if_contains("output")) {
      op.output = ref(*out);
      op.result_wrapper = str(out->as_object(), "resultWrapper");
      op.xml_root = str(out->as_object(), "podstackXmlRoot");
    }
    // The URI template, split once.
    std::string_view uri = op.request_uri;
    std::string_view tpath = uri.substr(0, uri.find('?'));
    while (!tpath.empty()) {
      if (tpath[0] == '/') {
        tpath.remove_prefix(1);
        continue;
      }
      size_t slash = tpath.find('/');
      op.uri_segments.emplace_back(tpath.substr(0, slash));
      tpath = slash == std::string_view::npos ? std::string_view() : tpath.substr(slash);
    }
    op.uri_greedy = !op.uri_segments.empty() && op.uri_segments.back().size() > 3 &&
                    op.uri_segments.back().compare(op.uri_segments.back().size() - 2, 2, "+}") == 0;
    if (size_t q = uri.find('?'); q != std::string_view::npos) {
      std::string_view tq = uri.substr(q + 1);
      while (!tq.empty()) {
        size_t amp = tq.find('&');
        std::string_view kv = tq.substr(0, amp);
        tq = amp == std::string_view::npos ? std::string_view() : tq.substr(amp + 1);
        size_t eq = kv.find('=');
        if (eq == std::string_view::npos) op.uri_query.emplace_back(std::string(kv), std::nullopt);
        else op.uri_query.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
      }
    }
    if (op.input)
      for (const auto& mem : op.input->members) {
        if (!mem.required) continue;
        if (mem.location == Location::kQuery) op.required_query.push_back(mem.wire_name());
        if (mem.location == Location::kHeader) op.required_headers.push_back(mem.wire_name());
      }
    m->operations_.emplace(op.name, std::move(op));
  }
  // Node addresses of the map are stable: the per-method lists point into it.
  for (const auto& [name, op] : m->operations_) {
    auto it = std::find_if(m->by_method_.begin(), m->by_method_.end(), [&](auto& e) { return e.first == op.http_method; });
    if (it == m->by_method_.end()) it = m->by_method_.insert(m->by_method_.end(), {op.http_method, {}});
    it->second.push_back(&op);
  }
  return m;
}

const std::vector<const Operation*>& ServiceModel::operations_of(std::string_view method) const {
  static const std::vector<const Operation*> kNone;
  for (const auto& [m, ops] : by_method_)
    if (m == method) return ops;
  return kNone;
}

}  // namespace podstack::protocol
