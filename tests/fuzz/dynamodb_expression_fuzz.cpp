// Fuzzes the DynamoDB expression grammar (condition, key condition, update,
// projection) and its evaluation against an item holding every type: parse
// errors and run-time type errors are ApiErrors, nothing else, and an
// update leaves an item DynamoDB could store.
//
// Input: one mode byte ('c' condition, 'k' key condition, 'u' update,
// 'p' projection; others by value), then the expression. Names and values
// are fixed (tests/fuzz/dynamodb_fixture.h): #a #b #c #l #m #n #s #k #d #e,
// :s :t :n :m :z :big :b :ss :ns :bs :l :e :map :true :null.
#include "tests/fuzz/dynamodb_fixture.h"
#include "tests/fuzz/fuzz_input.h"

using namespace podstack;
using namespace podstack::dynamodb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  char mode = static_cast<char>(data[0]);
  std::string_view text = fuzz::as_view(data + 1, size - 1);
  if (mode != 'c' && mode != 'k' && mode != 'u' && mode != 'p') mode = "ckup"[data[0] % 4];
  try {
    ExpressionContext ctx(&fuzz::ddb_names(), &fuzz::ddb_values());
    const Item& item = fuzz::ddb_item();
    if (mode == 'u') {
      std::vector<UpdateAction> actions = parse_update(text, ctx);
      Item updated = item;
      apply_update(actions, updated);
      std::string why;
      if (!fuzz::item_round_trips(updated, why)) fuzz::violated(why + " (update: " + std::string(text) + ")");
      (void)item_size(updated);
    } else if (mode == 'p') {
      Item projected = project(item, parse_projection(text, "ProjectionExpression", ctx));
      (void)item_bytes(projected);
    } else {
      Node cond = parse_condition(text, mode == 'k' ? "KeyConditionExpression" : "ConditionExpression", ctx);
      (void)evaluate(cond, item);
    }
    ctx.check_all_used();
  } catch (const protocol::ApiError&) {
  }
  return 0;
}
