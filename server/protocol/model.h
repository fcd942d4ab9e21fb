// AWS service models (botocore's service-2.json), pinned under
// server/protocol/models/ and compiled into the binary. The protocol codecs
// walk these shapes to parse, validate and serialize every operation, so a
// service implements behaviour only, never wire formats.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace podstack::protocol {

enum class ShapeType { kStructure, kList, kMap, kString, kInteger, kLong, kBoolean, kTimestamp, kBlob, kDouble, kFloat };
enum class Location { kBody, kUri, kQuery, kHeader, kHeaders, kStatusCode };
enum class Protocol { kJson, kQuery, kRestJson, kRestXml, kEc2 };

struct Shape;

struct Member {
  std::string name;
  const Shape* shape = nullptr;
  Location location = Location::kBody;
  std::string location_name;  // wire name (element, header, query key); empty: `name`
  bool required = false;
  bool flattened = false;
  bool xml_attribute = false;
  bool idempotency_token = false;
  bool json_value = false;
  std::string timestamp_format;
  const std::string& wire_name() const { return location_name.empty() ? name : location_name; }
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  std::vector<Member> members;                         // structure
  std::unordered_map<std::string, size_t> by_name;     // structure: member name -> index
  // structure: members bound to one header (rest protocols), as (lower-case
  // wire name, index) sorted by name: a request's few headers are looked up
  // here instead of every header member being looked up in the request.
  std::vector<std::pair<std::string, size_t>> header_members;
  std::string payload;                                 // structure: rest payload member
  Member list_member;                                  // list
  Member map_key, map_value;                           // map
  bool flattened = false;
  bool exception = false;
  bool streaming = false;
  std::optional<int64_t> min, max;
  std::vector<std::string> enum_values;
  std::string timestamp_format;
  std::string xml_namespace;
  std::string xml_namespace_prefix;  // "xsi" for S3's Grantee
  const Member* member(std::string_view n) const {
    // Most structures are small: a scan beats hashing a temporary string (hot
    // when the codec walks large outputs, e.g. DynamoDB items).
    if (members.size() <= 16) {
      for (const auto& m : members)
        if (m.name == n) return &m;
      return nullptr;
    }
    auto it = by_name.find(std::string(n));
    return it == by_name.end() ? nullptr : &members[it->second];
  }
};

struct Operation {
  std::string name;
  std::string http_method = "POST";
  std::string request_uri = "/";
  int http_status = 200;
  const Shape* input = nullptr;
  const Shape* output = nullptr;
  std::string result_wrapper;
  std::string xml_root;  // rest-xml output root when AWS does not use "<Op>Result" (tools/models/*_overlay.json)
  // request_uri split once at parse time, for match_rest_operation:
  // path segments ("{Key+}" greedy), literal query requirements, required
  // query/header members (wire names).
  std::vector<std::string> uri_segments;
  bool uri_greedy = false;
  std::vector<std::pair<std::string, std::optional<std::string>>> uri_query;  // ("uploads", none) / ("list-type", "2")
  std::vector<std::string> required_query, required_headers;
};

class ServiceModel {
 public:
  ServiceModel() = default;
  ServiceModel(const ServiceModel&) = delete;  // by_method_ points into operations_
  ServiceModel& operator=(const ServiceModel&) = delete;
  // Throws std::runtime_error on a model that does not parse (a build bug).
  static std::unique_ptr<ServiceModel> parse(std::string_view json);

  // awsQueryCompatible services (SQS) speak query and JSON 1.0 with the same
  // shapes; the JSON variant is this model with the JSON protocol.
  const ServiceModel* json_variant() const { return json_variant_.get(); }
  bool aws_query_compatible = false;
  // Error codes as the query protocol spells them -> the error shape's name,
  // which the JSON protocol uses ("AWS.SimpleQueueService.NonExistentQueue"
  // -> "QueueDoesNotExist"; qualified with error_type_prefix unless the name
  // has its own namespace, from metadata "podstackQueryErrorTypes").
  std::unordered_map<std::string, std::string> query_error_shapes;

  Protocol protocol = Protocol::kJson;
  std::string protocol_name, json_version, target_prefix, endpoint_prefix, signing_name, service_id,
      api_version, xml_namespace;
  // JSON error "__type" prefix (metadata "podstackErrorTypePrefix"), e.g. DynamoDB's.
  std::string error_type_prefix;
  // Metadata "podstackOperationPrefix": prepended to this model's operation
  // names where the service sees them (decide(), events), for a second model
  // of one service whose names collide with the first's (SES v2's SendEmail
  // is "v2:SendEmail", v1's stays "SendEmail").
  std::string operation_prefix;

  const Operation* operation(std::string_view name) const {
    auto it = operations_.find(std::string(name));
    return it == operations_.end() ? nullptr : &it->second;
  }
  const std::unordered_map<std::string, Operation>& operations() const { return operations_; }
  // The operations of one HTTP method (rest protocols match a request
  // against these only); empty for a method no operation uses.
  const std::vector<const Operation*>& operations_of(std::string_view method) const;
  const Shape* shape(std::string_view name) const;

 private:
  static std::unique_ptr<ServiceModel> parse_one(std::string_view json);
  std::unordered_map<std::string, Operation> operations_;
  std::vector<std::pair<std::string, std::vector<const Operation*>>> by_method_;
  std::deque<Shape> shapes_;
  std::unordered_map<std::string, Shape*> shape_index_;
  std::unique_ptr<ServiceModel> json_variant_;
};

// The pinned model of a service ("ssm", "sts", ...), parsed once on first use;
// nullptr when podstack ships no model of that name.
const ServiceModel* builtin_model(std::string_view service);

// The protocol AWS's endpoint for a signing name speaks, for services podstack
// has no model of (their error answer must still parse in their clients).
// Empty: a request that names no service, which on AWS is S3's.
Protocol guess_protocol(std::string_view signing_name);

}  // namespace podstack::protocol
