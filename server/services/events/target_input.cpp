// Target input: Input, InputPath and InputTransformer, as AWS renders them
// (see target_input.h).
#include "server/services/events/target_input.h"

#include <cctype>
#include <map>

namespace podstack::events {
namespace {

bool path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '/' || c == ':' || c == '@' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

// Walks `path` calling `key(name)` and `index(n)` per step; false when the
// path is not of the supported form.
template <class K, class I>
bool walk(std::string_view path, K key, I index) {
  if (path.empty() || path[0] != '$') return false;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t start = ++i;
      while (i < path.size() && path_char(path[i])) ++i;
      if (i == start) return false;
      if (!key(path.substr(start, i - start))) return true;  // absent: stop walking, still valid
    } else if (path[i] == '[') {
      size_t start = ++i;
      while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i]))) ++i;
      if (i == start || i >= path.size() || path[i] != ']') return false;
      size_t n = std::stoul(std::string(path.substr(start, i - start)));
      ++i;
      if (!index(n)) return true;
    } else {
      return false;
    }
  }
  return true;
}

std::string quoted(std::string_view s) { return json::serialize(json::string(s)); }
// The text of a JSON string literal without its quotes.
std::string escaped(std::string_view s) {
  std::string q = quoted(s);
  return q.substr(1, q.size() - 2);
}

}  // namespace

bool valid_json_path(std::string_view path) {
  return path.size() <= 256 && walk(path, [](std::string_view) { return true; }, [](size_t) { return true; });
}

const json::value* at_json_path(const json::value& doc, std::string_view path) {
  const json::value* cur = &doc;
  bool ok = walk(
      path,
      [&](std::string_view k) {
        cur = cur && cur->is_object() ? cur->as_object().if_contains(k) : nullptr;
        return cur != nullptr;
      },
      [&](size_t n) {
        cur = cur && cur->is_array() && n < cur->as_array().size() ? &cur->as_array()[n] : nullptr;
        return cur != nullptr;
      });
  return ok ? cur : nullptr;
}

std::string render_template(std::string_view tmpl, const json::object& paths_map, const json::object& event,
                            const RuleRef& rule) {
  json::value ev = event;
  std::map<std::string, json::value, std::less<>> vars;
  for (auto& kv : paths_map) {
    if (!kv.value().is_string()) continue;
    const json::value* v = at_json_path(ev, kv.value().as_string());
    vars[std::string(kv.key())] = v ? *v : json::value(nullptr);
  }
  vars["aws.events.rule-arn"] = rule.arn;
  vars["aws.events.rule-name"] = rule.name;
  vars["aws.events.event.ingestion-time"] = rule.ingestion_time;
  vars["aws.events.event"] = ev;
  vars["aws.events.event.json"] = ev;

  size_t first = tmpl.find_first_not_of(" \t\r\n");
  const bool json_mode = first != std::string_view::npos && (tmpl[first] == '{' || tmpl[first] == '[');
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (json_mode && in_string && c == '\\' && i + 1 < tmpl.size()) {
      out += c;
      out += tmpl[++i];
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c == '<') {
      size_t close = tmpl.find('>', i + 1);
      if (close != std::string_view::npos) {
        auto it = vars.find(tmpl.substr(i + 1, close - i - 1));
        if (it != vars.end()) {
          const json::value& v = it->second;
          if (!json_mode) {
            out += v.is_string() ? std::string(v.as_string()) : v.is_null() ? std::string() : json::serialize(v);
          } else if (in_string) {
            out += v.is_string() ? escaped(v.as_string()) : v.is_null() ? std::string() : escaped(json::serialize(v));
          } else {
            out += json::serialize(v);
          }
          i = close;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

std::string target_input(const json::object& spec, const json::object& event, const RuleRef& rule) {
  if (auto* in = spec.if_contains("Input"); in && in->is_string()) return std::string(in->as_string());
  if (auto* p = spec.if_contains("InputPath"); p && p->is_string()) {
    json::value ev = event;
    const json::value* v = at_json_path(ev, p->as_string());
    return v ? json::serialize(*v) : std::string();
  }
  if (auto* t = spec.if_contains("InputTransformer"); t && t->is_object()) {
    const auto& o = t->as_object();
    static const json::object kNone;
    const json::object* map = &kNone;
    if (auto* m = o.if_contains("InputPathsMap"); m && m->is_object()) map = &m->as_object();
    auto* tmpl = o.if_contains("InputTemplate");
    return render_template(tmpl && tmpl->is_string() ? std::string_view(tmpl->as_string()) : std::string_view(), *map,
                           event, rule);
  }
  return json::serialize(event);
}

}  // namespace podstack::events
