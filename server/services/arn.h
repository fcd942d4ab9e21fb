// Amazon Resource Names, as the services that deliver to one another read
// them (S3 and SES name SNS topics and SQS queues, SNS names queues).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace podstack {

struct Arn {
  std::string partition, service, region, account, resource;
};

// "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE" -> its parts; nullopt when
// the text is not an ARN (the resource may itself hold ':').
inline std::optional<Arn> parse_arn(std::string_view s) {
  if (s.rfind("arn:", 0) != 0) return std::nullopt;
  std::string_view parts[5];
  size_t start = 0;
  for (auto& p : parts) {
    size_t c = s.find(':', start);
    if (c == std::string_view::npos) return std::nullopt;
    p = s.substr(start, c - start);
    start = c + 1;
  }
  return Arn{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]), std::string(parts[4]),
             std::string(s.substr(start))};
}

}  // namespace podstack
