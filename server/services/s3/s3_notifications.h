// S3 event notifications: PutBucketNotificationConfiguration validated as
// AWS does, and each object event turned into deliveries (server/service.h
// Delivery) to the SQS queues and SNS topics whose configuration matches,
// committed in the same batch as the object change. Lambda and EventBridge
// configurations are stored and returned, never invoked.
//
// The message is AWS's event structure, version 2.1:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
#pragma once
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/service.h"

namespace podstack::s3 {

// Throws ApiError (InvalidArgument) for an unknown event name, a malformed
// destination ARN or a bad filter; fills in missing configuration Ids as
// AWS does.
void check_notification_config(json::object& config);

struct ObjectEvent {
  std::string_view event;  // "ObjectCreated:Put", "ObjectRemoved:Delete", ...
  std::string_view bucket;
  std::string_view bucket_region;
  std::string_view key;
  std::string_view etag;        // empty: not in the record (removals)
  std::string_view version_id;  // "null" or empty: not in the record
  uint64_t size = 0;
  bool has_size = false;
};

// Deliveries for `e` under the stored configuration (its JSON).
void object_event_deliveries(std::string_view config_json, const ObjectEvent& e, const CallContext& ctx,
                             std::vector<Delivery>& out);

// AWS sends an s3:TestEvent to every queue and topic of a configuration
// when it is put.
void test_event_deliveries(const json::object& config, std::string_view bucket, const CallContext& ctx,
                           std::vector<Delivery>& out);

}  // namespace podstack::s3
