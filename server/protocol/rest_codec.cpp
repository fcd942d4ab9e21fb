// rest-json and rest-xml: members bound to the URI, the query string,
// headers, the status code, or the body (a payload member, or the remaining
// members as a JSON object / XML document).
#include <algorithm>
#include <boost/json.hpp>

#include "server/protocol/codec_detail.h"
#include "server/protocol/encoding.h"
#include "server/protocol/xml.h"

namespace podstack::protocol {
namespace json = boost::json;
using namespace detail;

namespace {

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  while (!p.empty()) {
    if (p[0] == '/') {
      p.remove_prefix(1);
      continue;
    }
    size_t slash = p.find('/');
    out.push_back(p.substr(0, slash));
    p = slash == std::string_view::npos ? std::string_view() : p.substr(slash);
  }
  return out;
}

std::optional<json::value> text_value(const Shape& s, const std::string& raw, const std::string& key, bool in_header) {
  if (s.type == ShapeType::kTimestamp && in_header) {
    if (auto t = parse_http_date(raw)) return json::value(*t);
  }
  if (s.type == ShapeType::kString && in_header && s.enum_values.empty()) return json::value(raw);
  return query_scalar(s, raw, key);
}

// XML element -> internal value by shape.
json::value from_xml(const Shape& s, const XmlNode& n, const std::string& path);

json::value xml_struct(const Shape& s, const XmlNode& n, const std::string& path) {
  json::object o;
  for (const auto& m : s.members) {
    if (m.location != Location::kBody) continue;
    const std::string& wire = m.wire_name();
    if (m.xml_attribute) {
      // The parser keeps local names ("xsi:type" arrives as "type").
      std::string_view local = wire;
      if (size_t colon = local.rfind(':'); colon != std::string_view::npos) local.remove_prefix(colon + 1);
      for (auto& [k, v] : n.attributes)
        if (k == local)
          if (auto val = query_scalar(*m.shape, v, path + "." + wire)) o[m.name] = std::move(*val);
      continue;
    }
    bool flat = m.flattened || (m.shape->type == ShapeType::kList && m.shape->flattened);
    if (m.shape->type == ShapeType::kList && flat) {
      json::array a;
      for (auto& c : n.children)
        if (c.name == wire) a.push_back(from_xml(*m.shape->list_member.shape, c, path + "." + wire));
      if (!a.empty()) o[m.name] = std::move(a);
      continue;
    }
    if (const XmlNode* c = n.child(wire)) o[m.name] = from_xml(*m.shape, *c, path + "." + wire);
  }
  return o;
}

json::value from_xml(const Shape& s, const XmlNode& n, const std::string& path) {
  switch (s.type) {
    case ShapeType::kStructure: return xml_struct(s, n, path);
    case ShapeType::kList: {
      json::array a;
      std::string item = s.list_member.location_name.empty() ? "member" : s.list_member.location_name;
      for (auto& c : n.children)
        if (c.name == item) a.push_back(from_xml(*s.list_member.shape, c, path));
      return a;
    }
    case ShapeType::kMap: {
      json::object o;
      std::string kn = s.map_key.location_name.empty() ? "key" : s.map_key.location_name;
      std::string vn = s.map_value.location_name.empty() ? "value" : s.map_value.location_name;
      for (auto& e : n.children) {
        const XmlNode* k = e.child(kn);
        const XmlNode* v = e.child(vn);
        if (k && v) o[k->text] = from_xml(*s.map_value.shape, *v, path);
      }
      return o;
    }
    default: {
      auto v = query_scalar(s, n.text, path);
      return v ? std::move(*v) : json::value();
    }
  }
}

void json_body(const Shape& s, json::object& input, std::string_view body, const std::string& path) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) throw ApiError::serialization("Malformed JSON request body: " + ec.message());
  if (!v.is_object()) throw ApiError::serialization("The request body must be a JSON object");
  normalise_json(s, v, path);
  for (auto& kv : v.as_object()) {
    const Member* m = s.member(kv.key());
    if (m && m->location == Location::kBody) input[kv.key()] = std::move(kv.value());
  }
}

XmlNode xml_body(std::string_view body) {
  std::string err;
  auto doc = parse_xml(body, &err);
  if (!doc) throw ApiError::bad_request("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: " + err);
  return std::move(*doc);
}

std::string header_text(const Shape& s, const json::value& v) {
  if (s.type == ShapeType::kTimestamp && v.is_number()) return http_date(v.to_number<double>());
  if (s.type == ShapeType::kString || s.type == ShapeType::kBlob) return v.is_string() ? std::string(v.as_string()) : "";
  std::string out;
  scalar_text(s, v, out);
  return out;
}

}  // namespace

const Operation* match_rest_operation(const ServiceModel& model, std::string_view method, std::string_view path,
                                      const std::vector<std::pair<std::string, std::string>>& query,
                                      std::vector<std::pair<std::string, std::string>>& labels,
                                      const boost::beast::http::fields* headers) {
  // Templates are split at model parse time (Operation::uri_segments); labels
  // are decoded only for the operation that wins.
  auto segs = split_path(path);
  const Operation* best = nullptr;
  int best_score = -1;
  for (const Operation* candidate : model.operations_of(method)) {
    const Operation& op = *candidate;
    const auto& tsegs = op.uri_segments;
    if (op.uri_greedy ? segs.size() < tsegs.size() : segs.size() != tsegs.size()) continue;
    int score = 0;
    bool ok = true;
    for (size_t t = 0; t < tsegs.size() && ok; ++t) {
      const std::string& ts = tsegs[t];
      if (ts.size() > 2 && ts.front() == '{' && ts.back() == '}') continue;
      ok = segs[t] == ts;
      score += 10;
    }
    if (!ok) continue;
    // Literal query requirements: "?uploads", "?list-type=2".
    for (const auto& [k, v] : op.uri_query) {
      bool found = false;
      for (auto& [qk, qv] : query) found = found || (qk == k && (!v || qv == *v));
      if (!found) {
        ok = false;
        break;
      }
      score += 5;
    }
    // Required query/header members: absent -> no match; present -> more specific.
    for (size_t i = 0; ok && i < op.required_query.size(); ++i) {
      bool present = false;
      for (auto& [qk, qv] : query) present = present || qk == op.required_query[i];
      ok = present;
      score += 3;
    }
    for (size_t i = 0; ok && headers && i < op.required_headers.size(); ++i) {
      const std::string& w = op.required_headers[i];
      ok = headers->find(boost::beast::string_view(w.data(), w.size())) != headers->end();
      score += 3;
    }
    if (!headers) score += 3 * static_cast<int>(op.required_headers.size());
    if (ok && (score > best_score || (score == best_score && best && op.name.size() > best->name.size()))) {
      best = &op;
      best_score = score;
    }
  }
  if (!best) return nullptr;
  labels.clear();
  const auto& tsegs = best->uri_segments;
  for (size_t t = 0; t < tsegs.size(); ++t) {
    std::string_view ts = tsegs[t];
    if (!(ts.size() > 2 && ts.front() == '{' && ts.back() == '}')) continue;
    std::string_view label = ts.substr(1, ts.size() - 2);
    if (!label.empty() && label.back() == '+') {
      label.remove_suffix(1);
      // Greedy: the rest of the path after the previous segment and one
      // slash, slashes included as sent ("/bucket//key" -> "/key").
      size_t start = t == 0 ? 1 : static_cast<size_t>(segs[t - 1].data() - path.data()) + segs[t - 1].size() + 1;
      labels.emplace_back(std::string(label), url_decode(path.substr(std::min(start, path.size())), false));
      break;
    }
    labels.emplace_back(std::string(label), url_decode(segs[t], false));
  }
  return best;
}

json::object parse_rest_input(const ServiceModel& model, const Operation& op, const HttpRequest& req) {
  json::object input;
  if (!op.input) return input;
  const Shape& in = *op.input;
  std::string path = lower_first(in.name);
  for (const auto& m : in.members) {
    const std::string& wire = m.wire_name();
    switch (m.location) {
      case Location::kUri:
        for (auto& [k, v] : req.labels)
          if (k == wire)
            if (auto val = text_value(*m.shape, v, lower_first(m.name), false)) input[m.name] = std::move(*val);
        break;
      case Location::kQuery:
        if (m.shape->type == ShapeType::kMap) {
          json::object o;
          for (auto& [k, v] : req.query) o[k] = v;
          if (!o.empty()) input[m.name] = std::move(o);
        } else if (m.shape->type == ShapeType::kList) {
          json::array a;
          for (auto& [k, v] : req.query)
            if (k == wire)
              if (auto val = text_value(*m.shape->list_member.shape, v, lower_first(m.name), false)) a.push_back(std::move(*val));
          if (!a.empty()) input[m.name] = std::move(a);
        } else {
          for (auto& [k, v] : req.query)
            if (k == wire)
              if (auto val = text_value(*m.shape, v, lower_first(m.name), false)) input[m.name] = std::move(*val);
        }
        break;
      case Location::kHeader:  // below, from the request's headers
        break;
      case Location::kHeaders: {
        if (!req.headers) break;
        json::object o;
        std::string prefix = wire;
        for (auto& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (auto& f : *req.headers) {
          std::string name(f.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (name.rfind(prefix, 0) == 0) o[name.substr(prefix.size())] = std::string(f.value());
        }
        if (!o.empty()) input[m.name] = std::move(o);
        break;
      }
      default:
        break;
    }
  }
  // Header members: each of the request's headers looked up among the
  // shape's (a PutObject request has a few headers; its shape has dozens of
  // header members). A repeated header: the first one counts.
  if (req.headers && !in.header_members.empty()) {
    char lower[128];
    for (const auto& f : *req.headers) {
      auto name = f.name_string();
      if (name.size() > sizeof lower) continue;
      for (size_t i = 0; i < name.size(); ++i) lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
      std::string_view key(lower, name.size());
      auto it = std::lower_bound(in.header_members.begin(), in.header_members.end(), key,
                                 [](const auto& e, std::string_view k) { return std::string_view(e.first) < k; });
      if (it == in.header_members.end() || it->first != key) continue;
      const Member& m = in.members[it->second];
      if (input.contains(m.name)) continue;
      std::string raw(f.value());
      if (m.json_value) {
        auto dec = base64_decode(raw);
        boost::system::error_code ec;
        json::value jv = dec ? json::parse(*dec, ec) : json::value();
        if (!dec || ec) throw ApiError::serialization("Header " + m.wire_name() + " is not base64-encoded JSON");
        input[m.name] = std::move(jv);
      } else if (m.shape->type == ShapeType::kList) {
        // A list in a header: comma-separated (S3's x-amz-object-attributes).
        json::array a;
        for (const auto& one : split_header_list(raw))
          if (auto val = text_value(*m.shape->list_member.shape, one, lower_first(m.name), true)) a.push_back(std::move(*val));
        input[m.name] = std::move(a);
      } else if (auto val = text_value(*m.shape, raw, lower_first(m.name), true)) {
        input[m.name] = std::move(*val);
      }
    }
  }
  if (!in.payload.empty()) {
    const Member* pm = in.member(in.payload);
    if (pm && (pm->shape->type == ShapeType::kBlob || pm->shape->type == ShapeType::kString)) {
      if (!req.body.empty()) input[pm->name] = json::string(req.body);
    } else if (pm && pm->shape->type == ShapeType::kStructure && req.body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      if (model.protocol == Protocol::kRestJson) {
        boost::system::error_code ec;
        json::value v = json::parse(req.body, ec);
        if (ec) throw ApiError::serialization("Malformed JSON request body: " + ec.message());
        normalise_json(*pm->shape, v, lower_first(pm->name));
        input[pm->name] = std::move(v);
      } else {
        input[pm->name] = from_xml(*pm->shape, xml_body(req.body), lower_first(pm->name));
      }
    }
  } else if (model.protocol == Protocol::kRestJson) {
    json_body(in, input, req.body, path);
  } else if (req.body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    json::value v = xml_struct(in, xml_body(req.body), path);
    for (auto& kv : v.as_object()) input[kv.key()] = std::move(kv.value());
  }
  return input;
}

WireResponse render_rest_output(const ServiceModel& model, const Operation& op, json::value output, std::string_view request_id) {
  WireResponse r;
  r.status = op.http_status;
  bool is_json = model.protocol == Protocol::kRestJson;
  r.headers.emplace_back(is_json ? "x-amzn-RequestId" : "x-amz-request-id", std::string(request_id));
  if (!op.output || !output.is_object()) {
    if (is_json) {
      r.content_type = "application/json";
      r.body = "{}";
    }
    return r;
  }
  const Shape& out = *op.output;
  json::object& o = output.as_object();
  json::object body;
  for (const auto& m : out.members) {
    json::value* v = o.if_contains(m.name);
    if (!v || v->is_null()) continue;
    switch (m.location) {
      case Location::kHeader:
        if (m.json_value) r.headers.emplace_back(m.wire_name(), base64_encode(json::serialize(*v)));
        else r.headers.emplace_back(m.wire_name(), header_text(*m.shape, *v));
        break;
      case Location::kHeaders:
        if (v->is_object())
          for (auto& kv : v->as_object())
            r.headers.emplace_back(m.wire_name() + std::string(kv.key()), kv.value().is_string() ? std::string(kv.value().as_string()) : "");
        break;
      case Location::kStatusCode:
        if (v->is_number()) r.status = v->to_number<int>();
        break;
      default:
        if (m.name != out.payload) body[m.name] = std::move(*v);
    }
  }
  if (!out.payload.empty()) {
    const Member* pm = out.member(out.payload);
    json::value* v = o.if_contains(out.payload);
    if (pm && v && !v->is_null()) {
      if (pm->shape->type == ShapeType::kBlob || pm->shape->type == ShapeType::kString) {
        r.body = v->is_string() ? std::string(v->as_string()) : std::string();
        if (r.content_type.empty()) r.content_type = "application/octet-stream";
      } else if (is_json) {
        if (shape_has_blob(*pm->shape)) blobs_to_base64(*pm->shape, *v);
        r.content_type = "application/json";
        r.body = json::serialize(*v);
      } else {
        r.content_type = "application/xml";
        r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        xml_value(*pm->shape, *v, pm->wire_name(), false, r.body);
      }
    }
    return r;
  }
  if (is_json) {
    json::value b(std::move(body));
    if (shape_has_blob(out)) blobs_to_base64(out, b);
    r.content_type = "application/json";
    r.body = json::serialize(b);
  } else if (!body.empty()) {
    r.content_type = "application/xml";
    std::string root = op.xml_root.empty() ? op.name + "Result" : op.xml_root;
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root;
    if (!model.xml_namespace.empty()) r.body += " xmlns=\"" + model.xml_namespace + "\"";
    r.body += '>';
    xml_members(out, body, r.body);
    r.body += "</" + root + '>';
  }
  return r;
}

}  // namespace podstack::protocol
