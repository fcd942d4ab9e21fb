#include "server/services/sqs/sqs_md5.h"

#include "base/digest.h"

#include <map>

namespace podstack::sqs_md5 {

std::string md5_hex(std::string_view data) { return to_hex(digest(DigestAlgorithm::kMd5, data)); }
std::string sha256_hex(std::string_view data) { return to_hex(digest(DigestAlgorithm::kSha256, data)); }

namespace {
void put(std::string& out, std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  out += static_cast<char>(n >> 24);
  out += static_cast<char>(n >> 16);
  out += static_cast<char>(n >> 8);
  out += static_cast<char>(n);
  out += s;
}
}  // namespace

std::string of_attributes(const google::protobuf::Map<std::string, sqs::AttributeValue>& attrs) {
  if (attrs.empty()) return {};
  std::map<std::string_view, const sqs::AttributeValue*> sorted;
  for (auto& [k, v] : attrs) sorted.emplace(k, &v);
  std::string buf;
  for (auto& [name, v] : sorted) {
    put(buf, name);
    put(buf, v->data_type());
    if (!v->binary_value().empty() || v->data_type().rfind("Binary", 0) == 0) {
      buf += '\x02';
      put(buf, v->binary_value());
    } else if (v->string_list_values_size()) {
      buf += '\x03';
      for (auto& s : v->string_list_values()) put(buf, s);
    } else if (v->binary_list_values_size()) {
      buf += '\x04';
      for (auto& s : v->binary_list_values()) put(buf, s);
    } else {
      buf += '\x01';
      put(buf, v->string_value());
    }
  }
  return md5_hex(buf);
}

}  // namespace podstack::sqs_md5
