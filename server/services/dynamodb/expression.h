// The DynamoDB expression languages (condition, filter, key condition,
// update, projection) through one recursive-descent grammar:
//
//   condition  := or
//   or         := and ("OR" and)*
//   and        := not ("AND" not)*
//   not        := "NOT" not | primary
//   primary    := "(" condition ")" | function "(" operand ("," operand)* ")"
//               | operand (comparator operand | "BETWEEN" operand "AND" operand
//                          | "IN" "(" operand ("," operand)* ")")
//   operand    := path | ":value" | function "(" ... ")"      (size, if_not_exists, list_append)
//   path       := name ("." name | "[" digits "]")*           name := identifier | "#name"
//   update     := (SET set ("," set)* | REMOVE path ("," path)* | ADD path value ("," ...)*
//                  | DELETE path value ("," ...)*)+           each clause at most once
//   set        := path "=" operand (("+" | "-") operand)?
//   projection := path ("," path)*
//
// Expressions are parsed once per request into an AST whose names and values
// are already resolved from ExpressionAttributeNames/Values; the parser
// records which were used so unused ones are reported as AWS does. Nesting
// depth is bounded, so hostile input cannot exhaust the stack.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/services/dynamodb/item.h"

namespace podstack::dynamodb {

bool is_reserved_word(std::string_view word);

struct PathElem {
  std::string name;
  int index = -1;  // >= 0: a list index
};
using Path = std::vector<PathElem>;
std::string path_string(const Path& p);  // "a.b[1]" for messages

struct Node {
  enum class Kind {
    kPath, kValue,                                // operands
    kFunction,                                    // size, if_not_exists, list_append, attribute_exists, ...
    kPlus, kMinus,                                // update arithmetic
    kCompare, kBetween, kIn, kAnd, kOr, kNot,     // conditions
  };
  Kind kind = Kind::kValue;
  std::string op;                   // comparator or function name
  Path path;
  const AttributeValue* value = nullptr;  // kValue: owned by the ExpressionContext
  std::string value_ref;            // ":v"
  std::vector<Node> kids;
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind;
  Path path;
  Node value;  // SET/ADD/DELETE
};

// Names and values of one request, shared by all its expressions.
class ExpressionContext {
 public:
  // Validates the maps' keys and converts the values. Throws ApiError.
  ExpressionContext(const json::object* names, const json::object* values);
  const std::string* name(std::string_view ref);
  const AttributeValue* value(std::string_view ref);
  // AWS: unused names/values are errors. Call after parsing every expression.
  void check_all_used() const;
  bool has_names() const { return !names_.empty(); }
  bool has_values() const { return !values_.empty(); }

 private:
  std::map<std::string, std::string, std::less<>> names_;
  std::map<std::string, AttributeValue, std::less<>> values_;
  std::set<std::string, std::less<>> used_names_, used_values_;
};

// `what` names the parameter in messages ("ConditionExpression").
Node parse_condition(std::string_view text, std::string_view what, ExpressionContext& ctx);
std::vector<UpdateAction> parse_update(std::string_view text, ExpressionContext& ctx);
std::vector<Path> parse_projection(std::string_view text, std::string_view what, ExpressionContext& ctx);

// ---- evaluation ----
const AttributeValue* resolve(const Item& item, const Path& path);
// Throws ApiError for type errors AWS reports at run time.
bool evaluate(const Node& cond, const Item& item);
// Applies the actions to `item` (every value computed from the original item).
void apply_update(const std::vector<UpdateAction>& actions, Item& item);
// The projection of `item` onto `paths` (nested structure preserved).
Item project(const Item& item, const std::vector<Path>& paths);

}  // namespace podstack::dynamodb
