// Amazon DynamoDB: the factories. The operations are in dynamodb_<area>.cpp
// (tables, ttl_tags, items, query_scan, batch_transact, partiql), the state
// in dynamodb_state.cpp, the stream queries DynamoDB Streams makes in
// dynamodb_stream_source.cpp.
// AWS reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/
#include "server/services/dynamodb/dynamodb_service.h"

namespace podstack {

std::unique_ptr<Service> make_dynamodb_service() { return std::make_unique<dynamodb::DynamoDbService>(); }

const dynamodb::StreamSource& dynamodb_stream_source(const Service& dynamodb) {
  return dynamic_cast<const dynamodb::StreamSource&>(dynamodb);
}

}  // namespace podstack
