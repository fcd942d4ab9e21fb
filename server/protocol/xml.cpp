#include "server/protocol/xml.h"

#include <cstdint>
#include <map>

#include <boost/json.hpp>

namespace podstack::protocol {
namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(std::string_view in) : s_(in) {}

  std::optional<XmlNode> document(std::string* error) {
    skip_misc();
    if (at_end() || peek() != '<') return fail(error, "expected a root element");
    XmlNode root;
    if (!element(root, 0)) return fail(error, err_);
    skip_misc();
    if (!at_end()) return fail(error, "content after the root element");
    return root;
  }

 private:
  std::optional<XmlNode> fail(std::string* error, std::string why) {
    if (error) *error = why + " at offset " + std::to_string(pos_);
    return std::nullopt;
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  bool starts(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) ++pos_;
  }
  bool skip_past(std::string_view end) {
    size_t p = s_.find(end, pos_);
    if (p == std::string_view::npos) return false;
    pos_ = p + end.size();
    return true;
  }
  // Whitespace, comments, <?xml ...?> declarations.
  void skip_misc() {
    for (;;) {
      skip_ws();
      if (starts("<?")) {
        if (!skip_past("?>")) return;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return;
      } else {
        return;
      }
    }
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  std::string name() {
    size_t b = pos_;
    while (!at_end() && name_char(peek())) ++pos_;
    std::string_view n = s_.substr(b, pos_ - b);
    size_t colon = n.rfind(':');
    return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
  }
  bool entity(std::string& out) {
    size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return error("unterminated entity");
    std::string_view e = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (e == "amp") out += '&';
    else if (e == "lt") out += '<';
    else if (e == "gt") out += '>';
    else if (e == "quot") out += '"';
    else if (e == "apos") out += '\'';
    else if (!e.empty() && e[0] == '#') {
      uint32_t cp = 0;
      bool hex = e.size() > 1 && (e[1] == 'x' || e[1] == 'X');
      std::string digits(e.substr(hex ? 2 : 1));
      if (digits.empty()) return error("bad character reference");
      char* end = nullptr;
      cp = static_cast<uint32_t>(std::strtoul(digits.c_str(), &end, hex ? 16 : 10));
      if (*end || cp > 0x10FFFF) return error("bad character reference");
      if (cp < 0x80) out += static_cast<char>(cp);
      else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
      else if (cp < 0x10000) { out += static_cast<char>(0xE0 | (cp >> 12)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
      else { out += static_cast<char>(0xF0 | (cp >> 18)); out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    } else {
      return error("unknown entity &" + std::string(e) + ";");
    }
    return true;
  }
  bool error(std::string why) {
    err_ = std::move(why);
    return false;
  }
  bool element(XmlNode& node, int depth) {
    if (depth > kMaxDepth) return error("elements nested too deeply");
    ++pos_;  // '<'
    node.name = name();
    if (node.name.empty()) return error("expected an element name");
    for (;;) {
      skip_ws();
      if (at_end()) return error("unterminated start tag");
      if (starts("/>")) {
        pos_ += 2;
        return true;
      }
      if (peek() == '>') {
        ++pos_;
        break;
      }
      std::string attr = name();
      if (attr.empty()) return error("bad attribute");
      skip_ws();
      if (at_end() || peek() != '=') return error("expected = after attribute name");
      ++pos_;
      skip_ws();
      if (at_end() || (peek() != '"' && peek() != '\'')) return error("expected a quoted attribute value");
      char q = peek();
      ++pos_;
      std::string value;
      while (!at_end() && peek() != q) {
        if (peek() == '&') {
          if (!entity(value)) return false;
        } else {
          value += peek();
          ++pos_;
        }
      }
      if (at_end()) return error("unterminated attribute value");
      ++pos_;
      node.attributes.emplace_back(std::move(attr), std::move(value));
    }
    for (;;) {
      if (at_end()) return error("unterminated element <" + node.name + ">");
      char c = peek();
      if (c == '<') {
        if (starts("</")) {
          pos_ += 2;
          std::string close = name();
          skip_ws();
          if (close != node.name || at_end() || peek() != '>') return error("mismatched end tag </" + close + ">");
          ++pos_;
          return true;
        }
        if (starts("<!--")) {
          if (!skip_past("-->")) return error("unterminated comment");
          continue;
        }
        if (starts("<![CDATA[")) {
          size_t end = s_.find("]]>", pos_);
          if (end == std::string_view::npos) return error("unterminated CDATA");
          node.text.append(s_.substr(pos_ + 9, end - pos_ - 9));
          pos_ = end + 3;
          continue;
        }
        if (starts("<?")) {
          if (!skip_past("?>")) return error("unterminated processing instruction");
          continue;
        }
        if (starts("<!")) return error("DOCTYPE and declarations are not accepted");
        node.children.emplace_back();
        if (!element(node.children.back(), depth + 1)) return false;
      } else if (c == '&') {
        if (!entity(node.text)) return false;
      } else {
        node.text += c;
        ++pos_;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string err_;
};

}  // namespace

std::optional<XmlNode> parse_xml(std::string_view in, std::string* error) { return Reader(in).document(error); }

namespace {
std::string_view strip(std::string_view t) {
  constexpr std::string_view ws = " \t\n\r\f\v";
  size_t b = t.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return t.substr(b, t.find_last_not_of(ws) - b + 1);
}

boost::json::value dict_of(const XmlNode& n) {
  std::string_view text = strip(n.text);
  bool attrs = false;
  for (auto& [k, v] : n.attributes) attrs = attrs || k != "xmlns";
  if (!attrs && n.children.empty()) return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
  boost::json::object o;
  for (auto& [k, v] : n.attributes)
    if (k != "xmlns") o["@" + k] = v;
  // A name that occurs more than once is a list (in document order).
  std::map<std::string_view, size_t> count;
  for (auto& c : n.children) ++count[c.name];
  for (auto& c : n.children) {
    if (count[c.name] == 1) {
      o[c.name] = dict_of(c);
      continue;
    }
    boost::json::value& slot = o[c.name];
    if (!slot.is_array()) slot = boost::json::array();
    slot.as_array().push_back(dict_of(c));
  }
  if (!text.empty()) o["#text"] = text;
  return o;
}
}  // namespace

boost::json::value xml_to_dict(const XmlNode& root) {
  boost::json::object o;
  o[root.name] = dict_of(root);
  return o;
}

}  // namespace podstack::protocol
