// SQS helpers the state and the handlers share: limits, the settable
// attributes and their defaults, names, ARNs, URLs and receipt handles.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/service.h"

namespace podstack::sqs {

constexpr int64_t kMaxBatch = 10;
// Messages, and a batch's messages together, up to 1 MiB (AWS raised both
// from 256 KiB in 2025; MaximumMessageSize's default and maximum with them).
constexpr int64_t kMaxMessageSize = 1048576;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr int64_t kMaxVisibility = 43200;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxMessageAttributes = 10;

// Settable attributes and their defaults (empty: no default, shown only when set).
struct AttrSpec {
  std::string_view name;
  std::string_view def;
  int64_t min = 0, max = 0;  // integer range when max > 0
  bool fifo_only = false;
};
inline constexpr AttrSpec kAttrs[] = {
    {"DelaySeconds", "0", 0, 900},
    {"MaximumMessageSize", "1048576", 1024, kMaxMessageSize},
    {"MessageRetentionPeriod", "345600", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", "0", 0, 20},
    {"VisibilityTimeout", "30", 0, 43200},
    {"Policy", ""},
    {"RedrivePolicy", ""},
    {"RedriveAllowPolicy", ""},
    {"KmsMasterKeyId", ""},
    {"KmsDataKeyReusePeriodSeconds", "300", 60, 86400},
    {"SqsManagedSseEnabled", "true"},
    {"FifoQueue", "", 0, 0, true},
    {"ContentBasedDeduplication", "false", 0, 0, true},
    {"DeduplicationScope", "queue", 0, 0, true},
    {"FifoThroughputLimit", "perQueue", 0, 0, true},
};
inline const AttrSpec* attr_spec(std::string_view n) {
  for (auto& a : kAttrs)
    if (a.name == n) return &a;
  return nullptr;
}
inline constexpr std::string_view kReadOnlyAttrs[] = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                                      "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
                                                      "LastModifiedTimestamp", "QueueArn"};
inline constexpr std::string_view kMessageAttrs[] = {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                                                     "ApproximateFirstReceiveTimestamp", "SequenceNumber",
                                                     "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
                                                     "DeadLetterQueueSourceArn"};

inline bool is_true(std::string_view v) { return v == "true" || v == "True" || v == "TRUE"; }

std::string lower(std::string_view s);
// XML 1.0 characters: what SQS accepts in bodies and attribute values.
bool valid_chars(std::string_view s);
bool valid_queue_name(std::string_view name);
bool valid_batch_id(std::string_view id);
// An integer attribute's value in its spec's range, or InvalidAttributeValue.
int64_t int_attr_value(std::string_view name, const std::string& v, const AttrSpec& spec);

std::string arn_of(const std::string& region, const std::string& account, std::string_view name);
// "arn:aws:sqs:us-east-1:000000000000:name" -> name (empty when not an SQS ARN).
std::string name_from_arn(std::string_view arn);
// A queue URL in any of the shapes LocalStack and AWS hand out -> the queue name.
std::string name_from_url(std::string_view url);
// LocalStack's SQS_ENDPOINT_STRATEGY: standard (default), domain, path, off.
std::string endpoint_strategy(std::string_view setting);

struct Redrive {
  std::string dlq;  // queue name
  int64_t max_receive_count = 0;
};
std::optional<Redrive> parse_redrive(const std::string& text);
// A RedrivePolicy as GetQueueAttributes shows it: compact, maxReceiveCount a
// number even when it was set as a string; the stored text if it does not parse.
std::string redrive_json(const std::string& text);

// Receipt handle: base64("<queue>\n<message id>\n<random>"), so a handle names
// its message without an index and a forged one is recognised.
std::string make_handle(std::string_view queue, std::string_view id);
struct Handle {
  std::string queue, message_id;
};
std::optional<Handle> parse_handle(std::string_view h);

// A FIFO sequence number: 20 digits.
std::string sequence_number(uint64_t seq);
// The long-poll key of a queue.
std::string notify_key(const CallContext& ctx, std::string_view queue);

}  // namespace podstack::sqs
