// The parameters DynamoDB's item operations share: the expressions
// (ConditionExpression, FilterExpression, ProjectionExpression with
// ExpressionAttributeNames/Values) and their legacy counterparts (Expected,
// AttributesToGet, KeyConditions, QueryFilter, ScanFilter, AttributeUpdates),
// which are translated into the same AST.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
#pragma once
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/services/dynamodb/expression.h"

namespace podstack::dynamodb {

// Values of legacy parameters, which the AST points into.
struct LegacyStore {
  std::deque<AttributeValue> values;
};

Node legacy_value(LegacyStore& s, const AttributeValue& v);
// Expected / QueryFilter / ScanFilter / KeyConditions -> one condition (AND or OR).
std::optional<Node> legacy_conditions(const json::object* conds, bool expected, bool use_or, LegacyStore& s);
// Legacy AttributeUpdates -> update actions.
std::vector<UpdateAction> legacy_updates(const json::object& au, LegacyStore& s);

struct ItemRequest {
  std::optional<ExpressionContext> ctx;
  LegacyStore legacy;
  std::optional<Node> condition;
  std::optional<std::vector<Path>> projection;
};

// Throws AWS's error for a request mixing the two styles.
[[noreturn]] void mixed(std::string_view non_expr, std::string_view expr);
// Refuses a request mixing the styles, and a ConditionalOperator without two
// or more conditions in `legacy_cond` (Expected, QueryFilter, ScanFilter).
void check_styles(const json::object& o, std::string_view legacy_cond);

// Reads ExpressionAttributeNames/Values and the named expressions of `o`;
// `cond_param` is the condition's parameter (ConditionExpression,
// FilterExpression) and `legacy_cond` its legacy counterpart.
void read_expressions(const json::object& o, ItemRequest& r, std::string_view cond_param, std::string_view legacy_cond,
                      bool legacy_or_from_operator, std::initializer_list<std::string_view> other_exprs = {});

}  // namespace podstack::dynamodb
