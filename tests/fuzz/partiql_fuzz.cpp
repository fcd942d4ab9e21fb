// Fuzzes DynamoDB's PartiQL reader and what it rewrites statements into:
// the condition, update and projection expressions and the INSERT item are
// parsed and evaluated as ExecuteStatement does, against a fixed item.
// Every failure is an ApiError; an UPDATE leaves an item DynamoDB could store.
//
// Input: the statement. Its ? parameters are ["p", 1, {"a": "x"}] in wire JSON.
#include "server/services/dynamodb/partiql.h"
#include "tests/fuzz/dynamodb_fixture.h"
#include "tests/fuzz/fuzz_input.h"

using namespace podstack;
using namespace podstack::dynamodb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const boost::json::array params =
      boost::json::parse(R"([{"S":"p"},{"N":"1"},{"M":{"a":{"S":"x"}}}])").as_array();
  std::string_view text = fuzz::as_view(data, size);
  try {
    PartiqlStatement st = parse_partiql(text, &params);
    ExpressionContext ec(st.names.empty() ? nullptr : &st.names, st.values.empty() ? nullptr : &st.values);
    const Item& item = fuzz::ddb_item();
    if (!st.where.empty()) (void)evaluate(parse_condition(st.where, "WHERE clause", ec), item);
    if (!st.projection.empty()) (void)project(item, parse_projection(st.projection, "projection", ec));
    if (!st.update.empty()) {
      Item updated = item;
      apply_update(parse_update(st.update, ec), updated);
      std::string why;
      if (!fuzz::item_round_trips(updated, why)) fuzz::violated(why + " (statement: " + std::string(text) + ")");
    }
    if (st.kind == PartiqlStatement::Kind::kInsert) (void)item_from_json(st.item);
  } catch (const protocol::ApiError&) {
  }
  return 0;
}
