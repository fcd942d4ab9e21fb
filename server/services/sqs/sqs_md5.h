// The digests SQS returns and SDKs verify: MD5 of the body, and MD5 of the
// message (system) attributes over AWS's binary encoding, per attribute in
// name order:
//   len(name) name len(data_type) data_type transport value
// with 4-byte big-endian lengths, transport 1 (String/Number, value is
// len+UTF-8), 2 (Binary, len+bytes), 3/4 (String/Binary list, each item len+value).
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
#pragma once
#include <google/protobuf/map.h>

#include <string>
#include <string_view>

#include "proto/sqs.pb.h"

namespace podstack::sqs_md5 {

std::string md5_hex(std::string_view data);
// Content-based deduplication id of FIFO queues: SHA-256 of the body.
std::string sha256_hex(std::string_view data);
// Empty string when there are no attributes (AWS then omits the digest).
std::string of_attributes(const google::protobuf::Map<std::string, sqs::AttributeValue>& attrs);

}  // namespace podstack::sqs_md5
