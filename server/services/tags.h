// Resource tags: the characters AWS's tagging APIs take in keys and values,
// pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]* in the botocore models of the services
// that state it (S3 and DynamoDB check it server-side without a pattern in
// their models).
#pragma once
#include <string_view>

namespace podstack {

// True when every character of `s` may be in a tag key or value: ASCII
// letters, digits, space and _ . : / = + - @; any non-ASCII character is
// taken as a letter, number or separator (the Unicode classes are not
// tabulated here).
inline bool valid_tag_text(std::string_view s) {
  for (unsigned char c : s) {
    bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view(" _.:/=+-@").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace podstack
