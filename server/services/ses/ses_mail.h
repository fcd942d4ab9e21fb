// Mail as SES handles it: RFC 5322 header parsing for SendRawEmail (the
// recipients and the sender when the request names none), addresses, the
// message SES builds for Simple and Template content, and SES's template
// language ({{name}} substitution from the template data, as Handlebars
// does for plain names and dotted paths).
#pragma once
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podstack::ses {

namespace json = boost::json;

using Headers = std::vector<std::pair<std::string, std::string>>;

// The header section of a raw message, unfolded, in order; LF or CRLF line ends.
Headers parse_headers(std::string_view raw);
// The value of the first header named `name` (case-insensitive); empty when absent.
std::string header_value(const Headers& h, std::string_view name);
// "A <a@x.com>, \"B, Jr\" <b@x.com>, c@x.com" -> {"a@x.com", "b@x.com", "c@x.com"}.
std::vector<std::string> address_list(std::string_view value);
// The addr-spec of one address ("Name <a@b>" -> "a@b"), trimmed.
std::string addr_spec(std::string_view address);
// The domain of an addr-spec, lower case; empty when there is no '@'.
std::string domain_of(std::string_view addr);
// A syntactically plausible address: one '@', non-empty local part and domain.
bool valid_address(std::string_view addr);

// RFC 5322 date: "Wed, 25 Nov 2026 20:44:27 +0000".
std::string rfc5322_date(int64_t ms);

struct MailContent {
  std::string from;
  std::vector<std::string> to, cc, reply_to;
  std::string subject, text, html;
  std::string message_id;  // SES's message id; the header is <id@email.amazonses.com>
  int64_t date_ms = 0;
};
// The message SES sends for Simple/Template content: a text/plain or
// text/html part, or multipart/alternative when both are given. CRLF line ends.
std::string build_message(const MailContent& m);

// Renders `tmpl` with `data` (ses_render.cpp): {{name}}, {{ a.b }} and
// {{{name}}} are replaced by the value (strings as they are, other JSON
// values serialized); Handlebars' {{#if}}, {{#unless}}, {{#each}} and
// {{#with}} blocks (with {{else}}, {{this}}, {{@index}}, {{../x}}) work as
// in Handlebars. A name the data lacks is an error, as SES reports it
// (MissingRenderingAttribute): returns nullopt and sets `missing` to the name.
std::optional<std::string> render(std::string_view tmpl, const json::object& data, std::string& missing);

}  // namespace podstack::ses
