// Amazon Resource Names, as the services that deliver to one another read
// them (S3 and SES name SNS topics and SQS queues, SNS names queues).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace podstack {

// The partition of a region, the second field of every ARN a service builds
// there: aws-cn in China, aws-us-gov in GovCloud, the isolated partitions,
// else aws. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
inline std::string_view partition_of(std::string_view region) {
  auto starts = [region](std::string_view p) { return region.rfind(p, 0) == 0; };
  if (starts("cn-")) return "aws-cn";
  if (starts("us-gov-")) return "aws-us-gov";
  if (starts("us-isob-")) return "aws-iso-b";
  if (starts("us-iso-")) return "aws-iso";
  if (starts("eu-isoe-")) return "aws-iso-e";
  if (starts("us-isof-")) return "aws-iso-f";
  return "aws";
}

// "arn:" + the region's partition + ":": the start of an ARN in `region`.
inline std::string arn_prefix(std::string_view region) {
  std::string s = "arn:";
  s += partition_of(region);
  s += ':';
  return s;
}

// An AWS account id: twelve decimal digits.
inline bool is_account_id(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

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
