// Small wire encodings shared by the protocol codecs: base64, percent
// decoding, ISO 8601 timestamps, XML escaping.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podstack::protocol {

std::string base64_encode(std::string_view in);
std::optional<std::string> base64_decode(std::string_view in);
std::string url_decode(std::string_view in, bool plus_is_space = true);
// "a, b ,c" -> {"a", "b", "c"}: a comma-separated HTTP header list, items
// trimmed of spaces, empty items dropped.
std::vector<std::string> split_header_list(std::string_view in);
// application/x-www-form-urlencoded (also a query string) -> ordered pairs.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view in);
// 2026-11-25T10:00:00.000Z
std::string iso8601(double epoch_seconds);
std::optional<double> parse_iso8601(std::string_view in);
// RFC 7231 IMF-fixdate, "Tue, 29 Apr 2014 18:30:38 GMT" (rest protocol headers).
std::string http_date(double epoch_seconds);
std::optional<double> parse_http_date(std::string_view in);
void xml_escape_append(std::string& out, std::string_view in);
// Counts Unicode code points (AWS length constraints count characters).
size_t utf8_length(std::string_view s);
// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF. What protobuf's proto3 `string` parsing accepts, so the
// commit path checks event strings with it, and the codecs reject request
// strings that fail it.
bool valid_utf8(std::string_view s);

}  // namespace podstack::protocol
