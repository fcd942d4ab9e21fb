// What DynamoDB publishes of its tables' streams, for DynamoDB Streams
// (server/services/dynamodbstreams): a few const queries, answered from the
// stream records DynamoDB derives in apply().
//
// Locking: each query takes DynamoDB's shared lock (the DynamoDB service's
// Service::mutex(), as a std::shared_lock) for its own duration, and holds
// nothing after it returns. DynamoDB Streams is a StatelessService: its
// has_state() is false, so the engine takes no lock of Streams' own around
// its reads. The only lock in play is therefore DynamoDB's, taken by these
// queries alone, and there is no lock-order inversion with the engine,
// which locks services in name order. A caller must not already hold
// DynamoDB's lock.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/dynamodb.pb.h"
#include "server/service.h"

namespace podstack::dynamodb {

// A table's current stream.
struct StreamInfo {
  std::string arn;    // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
  std::string label;  // the stream's creation time, ISO 8601 with milliseconds
  std::string table;
  std::string view_type;  // KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
  std::string shard_id;   // the stream's one shard
  double created = 0;     // the table's creation time (epoch seconds)
  std::vector<std::pair<std::string, std::string>> key_schema;  // (attribute name, HASH | RANGE)
  // Sequence numbers of the oldest and newest records held; empty: none.
  std::string first_sequence, last_sequence;
};

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // The streams of the caller's partition, by table name; only `table`'s
  // when not empty.
  virtual std::vector<StreamInfo> list_streams(const CallContext& ctx, std::string_view table) const = 0;
  // The stream `arn` names, if it is a table's current stream.
  virtual std::optional<StreamInfo> describe_stream(const CallContext& ctx, std::string_view arn) const = 0;
  // Calls `visit` with the records of stream `arn` whose sequence number is
  // at least `from` (21 digits), oldest first, until it returns false.
  // Returns the stream, or nullopt (and visits nothing) when there is none.
  // `visit` runs under DynamoDB's shared lock: it must not call back into
  // this StreamSource (nor take any service's lock).
  virtual std::optional<StreamInfo> read_records(const CallContext& ctx, std::string_view arn, std::string_view from,
                                                 const std::function<bool(const StreamRecord&)>& visit) const = 0;
};

}  // namespace podstack::dynamodb
