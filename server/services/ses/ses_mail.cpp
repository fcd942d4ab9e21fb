#include "server/services/ses/ses_mail.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "server/protocol/encoding.h"

namespace podstack::ses {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// RFC 2047 for a header value that is not ASCII.
std::string encode_word(std::string_view s) {
  if (ascii(s)) return std::string(s);
  return "=?UTF-8?B?" + protocol::base64_encode(s) + "?=";
}

// One body part: 7bit when it is short-lined ASCII, else base64 in 76-column lines.
std::string part(std::string_view type, std::string_view body) {
  bool plain = ascii(body);
  size_t line = 0;
  for (char c : body) {
    line = c == '\n' ? 0 : line + 1;
    if (line > 998) plain = false;
  }
  std::string out = "Content-Type: " + std::string(type) + "; charset=UTF-8\r\n";
  if (plain) {
    out += "Content-Transfer-Encoding: 7bit\r\n\r\n";
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) out += '\r';
      out += body[i];
    }
  } else {
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    std::string b64 = protocol::base64_encode(body);
    for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  }
  if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Headers parse_headers(std::string_view raw) {
  Headers out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? raw.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().second += " " + std::string(trim(line));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return out;
}

std::string header_value(const Headers& h, std::string_view name) {
  for (auto& [k, v] : h)
    if (iequals(k, name)) return v;
  return {};
}

std::string addr_spec(std::string_view a) {
  a = trim(a);
  size_t lt = a.rfind('<');
  if (lt != std::string_view::npos) {
    size_t gt = a.find('>', lt);
    return std::string(trim(a.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1)));
  }
  // a@b (Comment)
  if (size_t paren = a.find('('); paren != std::string_view::npos) a = trim(a.substr(0, paren));
  return std::string(a);
}

std::vector<std::string> address_list(std::string_view value) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  int angle = 0, paren = 0;
  auto flush = [&] {
    std::string_view t = trim(cur);
    // Group syntax: "team: a@x, b@x;" -- drop the display name and the ';'.
    if (auto colon = t.find(':'); colon != std::string_view::npos && t.find('<') > colon && t.find('@') > colon)
      t = trim(t.substr(colon + 1));
    if (!t.empty() && t.back() == ';') t = trim(t.substr(0, t.size() - 1));
    if (!t.empty()) {
      std::string a = addr_spec(t);
      if (!a.empty()) out.push_back(std::move(a));
    }
    cur.clear();
  };
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && quoted && i + 1 < value.size()) {
      cur += c;
      cur += value[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    else if (!quoted && c == '<') ++angle;
    else if (!quoted && c == '>') angle = std::max(0, angle - 1);
    else if (!quoted && c == '(') ++paren;
    else if (!quoted && c == ')') paren = std::max(0, paren - 1);
    if (c == ',' && !quoted && angle == 0 && paren == 0) {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

std::string domain_of(std::string_view addr) {
  size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d(addr.substr(at + 1));
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return d;
}

bool valid_address(std::string_view a) {
  size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.find('@', at + 1) != std::string_view::npos) return false;
  return std::none_of(a.begin(), a.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>'; });
}

std::string rfc5322_date(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string build_message(const MailContent& m) {
  std::string out;
  auto header = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) out += std::string(name) + ": " + value + "\r\n";
  };
  header("From", m.from);
  header("Reply-To", join(m.reply_to));
  header("To", join(m.to));
  header("Cc", join(m.cc));
  header("Subject", encode_word(m.subject));
  if (m.date_ms) header("Date", rfc5322_date(m.date_ms));
  if (!m.message_id.empty()) header("Message-ID", "<" + m.message_id + "@email.amazonses.com>");
  out += "MIME-Version: 1.0\r\n";
  if (!m.text.empty() && !m.html.empty()) {
    // The boundary only has to be absent from the parts; the message id makes it unique.
    std::string boundary = "=_podstack_" + (m.message_id.empty() ? std::string("alt") : m.message_id);
    out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n" + part("text/plain", m.text);
    out += "--" + boundary + "\r\n" + part("text/html", m.html);
    out += "--" + boundary + "--\r\n";
  } else {
    out += part(m.html.empty() ? "text/plain" : "text/html", m.html.empty() ? m.text : m.html);
  }
  return out;
}

}  // namespace podstack::ses
