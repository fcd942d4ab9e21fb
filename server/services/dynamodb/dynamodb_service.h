#pragma once
#include <memory>

#include "server/service.h"

namespace podstack {
std::unique_ptr<Service> make_dynamodb_service();
// DynamoDB Streams reads the stream records `dynamodb` (from make_dynamodb_service) keeps.
std::unique_ptr<Service> make_dynamodb_streams_service(const Service& dynamodb);
}
