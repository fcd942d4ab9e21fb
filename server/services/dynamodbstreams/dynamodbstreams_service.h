// DynamoDB Streams: a read-only view of the stream records DynamoDB derives
// in apply(). It holds no state of its own (a StatelessService, so the
// engine takes no lock for it) and reads DynamoDB only through the
// StreamSource DynamoDB publishes, whose queries each take DynamoDB's
// shared lock (see server/services/dynamodb/stream_source.h).
// AWS reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "server/service.h"
#include "server/services/dynamodb/stream_source.h"

namespace podstack {

// `source`: dynamodb_stream_source() of the DynamoDB service, which must outlive this one.
std::unique_ptr<Service> make_dynamodb_streams_service(const dynamodb::StreamSource& source);

namespace dynamodbstreams {

class DynamoDbStreamsService final : public StatelessService<DynamoDbStreamsService> {
 public:
  static constexpr std::string_view kName = "dynamodbstreams";

  explicit DynamoDbStreamsService(const dynamodb::StreamSource& source) : source_(source) {}
  static const Table& operations() {
    static const Table t = {
        {"ListStreams", read(&DynamoDbStreamsService::list_streams)},
        {"DescribeStream", read(&DynamoDbStreamsService::describe_stream)},
        {"GetShardIterator", read(&DynamoDbStreamsService::get_shard_iterator)},
        {"GetRecords", read(&DynamoDbStreamsService::get_records)},
    };
    return t;
  }

 private:
  void list_streams(const Request& req, Decision& out) const;
  void describe_stream(const Request& req, Decision& out) const;
  void get_shard_iterator(const Request& req, Decision& out) const;
  void get_records(const Request& req, Decision& out) const;

  const dynamodb::StreamSource& source_;
};

}  // namespace dynamodbstreams
}  // namespace podstack
