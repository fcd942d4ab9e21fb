// SES template rendering: Handlebars, as SES's renderer takes it.
// https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-advanced.html
// {{name}}, {{a.b}}, {{{name}}}, {{this}}, {{this.x}}, {{../x}}, {{@index}},
// {{@key}}, {{@first}}, {{@last}}, {{@root.x}}, comments {{! }} / {{!-- --}},
// and the blocks {{#if}}, {{#unless}}, {{#each}}, {{#with}} with {{else}}.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/services/ses/ses_mail.h"

namespace podstack::ses {
namespace {

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct Node {
  enum Kind { kText, kVar, kBlock } kind = kText;
  std::string text;   // kText: the text; kVar / kBlock: the path
  std::string block;  // kBlock: if | unless | each | with
  std::vector<Node> body, otherwise;
};

// One {{...}} tag: its inside (trimmed) and where the template goes on.
struct Tag {
  std::string_view inner;
  bool triple = false;
  size_t begin = 0, end = 0;
};

std::optional<Tag> next_tag(std::string_view t, size_t pos) {
  size_t open = t.find("{{", pos);
  if (open == std::string_view::npos) return std::nullopt;
  Tag tag;
  tag.begin = open;
  if (t.substr(open, 5) == "{{!--") {
    size_t close = t.find("--}}", open + 5);
    if (close == std::string_view::npos) return std::nullopt;
    tag.inner = "!";
    tag.end = close + 4;
    return tag;
  }
  tag.triple = t.substr(open, 3) == "{{{";
  size_t start = open + (tag.triple ? 3 : 2);
  size_t close = t.find(tag.triple ? "}}}" : "}}", start);
  if (close == std::string_view::npos) return std::nullopt;
  tag.inner = trim_view(t.substr(start, close - start));
  tag.end = close + (tag.triple ? 3 : 2);
  return tag;
}

// Parses until {{/name}} (or the end for the top level); {{else}} switches to
// `otherwise`. Returns false on an unbalanced template.
bool parse(std::string_view t, size_t& pos, std::vector<Node>& out, std::vector<Node>* otherwise, std::string_view closing) {
  std::vector<Node>* into = &out;
  while (true) {
    auto tag = next_tag(t, pos);
    if (!tag) {
      if (pos < t.size()) into->push_back(Node{Node::kText, std::string(t.substr(pos)), {}, {}, {}});
      pos = t.size();
      return closing.empty();
    }
    if (tag->begin > pos) into->push_back(Node{Node::kText, std::string(t.substr(pos, tag->begin - pos)), {}, {}, {}});
    pos = tag->end;
    std::string_view in = tag->inner;
    if (!in.empty() && in[0] == '!') continue;  // a comment
    if (!tag->triple && !in.empty() && in[0] == '#') {
      std::string_view rest = trim_view(in.substr(1));
      size_t sp = rest.find_first_of(" \t");
      Node n;
      n.kind = Node::kBlock;
      n.block = std::string(rest.substr(0, sp));
      n.text = sp == std::string_view::npos ? "" : std::string(trim_view(rest.substr(sp)));
      if (!parse(t, pos, n.body, &n.otherwise, n.block)) return false;
      into->push_back(std::move(n));
      continue;
    }
    if (!tag->triple && !in.empty() && in[0] == '/') {
      return trim_view(in.substr(1)) == closing && !closing.empty();
    }
    if (!tag->triple && (in == "else" || in == "^")) {
      if (!otherwise || into == otherwise) return false;
      into = otherwise;
      continue;
    }
    into->push_back(Node{Node::kVar, std::string(in), {}, {}, {}});
  }
}

struct Frame {
  const json::value* value;
  const json::value* index = nullptr;  // @index / @key
  bool first = false, last = false, in_each = false;
};

class Renderer {
 public:
  Renderer(const json::value& root, std::string& missing) : root_(root), missing_(missing) { frames_.push_back({&root}); }

  bool render(const std::vector<Node>& nodes, std::string& out) {
    for (auto& n : nodes) {
      if (n.kind == Node::kText) {
        out += n.text;
      } else if (n.kind == Node::kVar) {
        const json::value* v = lookup(n.text);
        if (!v || v->is_null()) {
          missing_ = n.text;
          return false;
        }
        out += v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
      } else if (!block(n, out)) {
        return false;
      }
    }
    return true;
  }

 private:
  static bool truthy(const json::value* v) {
    if (!v || v->is_null()) return false;
    if (v->is_bool()) return v->as_bool();
    if (v->is_string()) return !v->as_string().empty();
    if (v->is_int64()) return v->as_int64() != 0;
    if (v->is_uint64()) return v->as_uint64() != 0;
    if (v->is_double()) return v->as_double() != 0;
    if (v->is_array()) return !v->as_array().empty();
    return true;  // objects
  }

  bool block(const Node& n, std::string& out) {
    const json::value* v = lookup(n.text);
    if (n.block == "if" || n.block == "unless") {
      bool yes = truthy(v) == (n.block == "if");
      return render(yes ? n.body : n.otherwise, out);
    }
    if (n.block == "with") {
      if (!truthy(v)) return render(n.otherwise, out);
      frames_.push_back({v});
      bool ok = render(n.body, out);
      frames_.pop_back();
      return ok;
    }
    if (n.block == "each") {
      std::vector<std::pair<json::value, const json::value*>> items;  // (@index or @key, item)
      if (v && v->is_array()) {
        int64_t i = 0;
        for (auto& x : v->as_array()) items.emplace_back(json::value(i++), &x);
      } else if (v && v->is_object()) {
        for (auto& kv : v->as_object()) items.emplace_back(json::value(json::string(kv.key())), &kv.value());
      }
      if (items.empty()) return render(n.otherwise, out);
      for (size_t i = 0; i < items.size(); ++i) {
        frames_.push_back({items[i].second, &items[i].first, i == 0, i + 1 == items.size(), true});
        bool ok = render(n.body, out);
        frames_.pop_back();
        if (!ok) return false;
      }
      return true;
    }
    missing_ = "#" + n.block;  // an unknown helper
    return false;
  }

  // A path: this, this.a, a.b, ../a, @index, @key, @first, @last, @root.a.
  const json::value* lookup(std::string_view path) {
    size_t depth = frames_.size() - 1;
    while (path.substr(0, 3) == "../") {
      if (depth > 0) --depth;
      path.remove_prefix(3);
    }
    const Frame& f = frames_[depth];
    if (path == "@index" || path == "@key") return f.index;
    if (path == "@first" || path == "@last") {
      if (!f.in_each) return nullptr;
      flag_ = json::value(path == "@first" ? f.first : f.last);
      return &flag_;
    }
    const json::value* cur = f.value;
    if (path.substr(0, 6) == "@root.") {
      cur = &root_;
      path.remove_prefix(6);
    } else if (path == "this" || path == ".") {
      return cur;
    } else if (path.substr(0, 5) == "this.") {
      path.remove_prefix(5);
    } else if (path.substr(0, 2) == "./") {
      path.remove_prefix(2);
    }
    while (cur) {
      size_t dot = path.find('.');
      std::string_view key = path.substr(0, dot);
      if (!cur->is_object()) return nullptr;
      cur = cur->as_object().if_contains(key);
      if (dot == std::string_view::npos) break;
      path.remove_prefix(dot + 1);
    }
    return cur;
  }

  const json::value& root_;
  std::string& missing_;
  std::vector<Frame> frames_;
  json::value flag_;
};

}  // namespace

std::optional<std::string> render(std::string_view tmpl, const json::object& data, std::string& missing) {
  std::vector<Node> nodes;
  size_t pos = 0;
  if (!parse(tmpl, pos, nodes, nullptr, "")) {
    missing = "(unbalanced template block)";
    return std::nullopt;
  }
  json::value root(data);
  std::string out;
  Renderer r(root, missing);
  if (!r.render(nodes, out)) return std::nullopt;
  return out;
}

}  // namespace podstack::ses
