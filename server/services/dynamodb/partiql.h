// PartiQL for DynamoDB, the basics: SELECT, INSERT, UPDATE and DELETE on one
// table. A statement is rewritten into the expression languages the rest of
// the service already speaks (condition, update and projection expressions
// with generated ExpressionAttributeNames/Values), so PartiQL shares one
// evaluator with the JSON API.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "server/protocol/api_error.h"

namespace podstack::dynamodb {

struct PartiqlStatement {
  enum class Kind { kSelect, kInsert, kUpdate, kDelete };
  Kind kind = Kind::kSelect;
  std::string table, index;
  std::string projection;  // SELECT: projection expression; empty = *
  std::string where;       // condition expression; empty = none
  std::string update;      // UPDATE: update expression
  boost::json::object names, values;  // for the expressions above
  boost::json::object item;           // INSERT: the item (wire JSON)
};

// Throws ApiError (ValidationException) for statements it cannot read.
PartiqlStatement parse_partiql(std::string_view statement, const boost::json::array* parameters);

}  // namespace podstack::dynamodb
