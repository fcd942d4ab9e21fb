// The expression grammar: parsing, name/value resolution and validation,
// evaluation of conditions, updates and projections.
#include <doctest/doctest.h>

#include "server/services/dynamodb/expression.h"

using namespace podstack::dynamodb;
namespace json = boost::json;

namespace {

Item item_of(std::string_view text) { return item_from_json(json::parse(text)); }

struct Ctx {
  json::object names, values;
  std::optional<ExpressionContext> ctx;
  Ctx(std::string_view n, std::string_view v) {
    if (!n.empty()) names = json::parse(n).as_object();
    if (!v.empty()) values = json::parse(v).as_object();
    ctx.emplace(n.empty() ? nullptr : &names, v.empty() ? nullptr : &values);
  }
};

bool cond(std::string_view expr, std::string_view item, std::string_view values = "", std::string_view names = "") {
  Ctx c(names, values);
  Node n = parse_condition(expr, "ConditionExpression", *c.ctx);
  c.ctx->check_all_used();
  return evaluate(n, item_of(item));
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const podstack::protocol::ApiError& e) {
    return e.message;
  }
  return "";
}

json::value updated(std::string_view expr, std::string_view item, std::string_view values = "", std::string_view names = "") {
  Ctx c(names, values);
  auto acts = parse_update(expr, *c.ctx);
  c.ctx->check_all_used();
  Item it = item_of(item);
  apply_update(acts, it);
  return item_to_json(it);
}

}  // namespace

TEST_CASE("comparisons, logic and precedence") {
  const char* item = R"({"a":{"N":"5"},"s":{"S":"abc"}})";
  CHECK(cond("a = :v", item, R"({":v":{"N":"5.0"}})"));
  CHECK(cond("a <> :v", item, R"({":v":{"S":"5"}})"));
  CHECK_FALSE(cond("a < :v", item, R"({":v":{"S":"9"}})"));  // different types never compare
  CHECK(cond("a < :v OR a > :v AND s = :x", item, R"({":v":{"N":"6"},":x":{"S":"zzz"}})"));  // AND binds tighter
  CHECK_FALSE(cond("(a < :v OR a > :v) AND s = :x", item, R"({":v":{"N":"6"},":x":{"S":"zzz"}})"));
  CHECK(cond("NOT a = :v", item, R"({":v":{"N":"6"}})"));
  CHECK(cond("a between :lo and :hi", item, R"({":lo":{"N":"5"},":hi":{"N":"5"}})"));
  CHECK(cond("s IN (:x, :y)", item, R"({":x":{"S":"q"},":y":{"S":"abc"}})"));
  CHECK_FALSE(cond("nothere = nothere", item));
  CHECK(cond("nothere <> :v", item, R"({":v":{"N":"1"}})"));
}

TEST_CASE("functions") {
  const char* item = R"({"s":{"S":"hello"},"b":{"B":"xyz"},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"l":{"L":[{"N":"1"},{"S":"x"}]},"m":{"M":{"k":{"NULL":true}}}})";
  CHECK(cond("attribute_exists(m.k) AND attribute_not_exists(m.j)", item));
  CHECK(cond("attribute_type(m.k, :t)", item, R"({":t":{"S":"NULL"}})"));
  CHECK(cond("begins_with(s, :p)", item, R"({":p":{"S":"he"}})"));
  CHECK(cond("contains(s, :p) AND contains(ss, :a) AND contains(ns, :one) AND contains(l, :x)", item,
             R"({":p":{"S":"ll"},":a":{"S":"a"},":one":{"N":"1"},":x":{"S":"x"}})"));
  CHECK(cond("size(s) = :five AND size(ss) = :two AND size(l) = :two AND size(m) = :one", item,
             R"({":five":{"N":"5"},":two":{"N":"2"},":one":{"N":"1"}})"));
  CHECK_FALSE(cond("size(nothere) > :z", item, R"({":z":{"N":"0"}})"));
}

TEST_CASE("validation messages") {
  CHECK(error_of([] { cond("a = :v", "{}", R"({":v":{"N":"1"},":w":{"N":"1"}})"); }) ==
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
  CHECK(error_of([] { cond("#a = :v", "{}", R"({":v":{"N":"1"}})"); }) ==
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a");
  CHECK(error_of([] { cond("size = :v", "{}", R"({":v":{"N":"1"}})"); }) ==
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size");
  CHECK(error_of([] { cond("a = ", "{}"); }) == "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
  CHECK(error_of([] { cond("", "{}"); }) == "Invalid ConditionExpression: The expression can not be empty;");
  CHECK(error_of([] { cond("attribute_exists(:v)", "{}", R"({":v":{"N":"1"}})"); }) ==
        "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists");
  CHECK(error_of([] { cond("begins_with(a)", "{}"); }) ==
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1");
  CHECK(error_of([] { Ctx c(R"({"bad":"x"})", ""); }) == "ExpressionAttributeNames contains invalid key: Syntax error; key: \"bad\"");
  CHECK(error_of([] { Ctx c("", "{}"); }) == "ExpressionAttributeValues must not be empty");
  CHECK(error_of([] { cond("a BETWEEN :hi AND :lo", "{\"a\":{\"N\":\"1\"}}", R"({":lo":{"N":"1"},":hi":{"N":"2"}})"); })
            .find("requires upper bound to be greater than or equal to lower bound") != std::string::npos);
}

TEST_CASE("hostile input is bounded, never a crash") {
  std::string deep = std::string(100000, '(') + "a = :v" + std::string(100000, ')');
  CHECK(error_of([&] { cond(deep, "{}", R"({":v":{"N":"1"}})"); }) ==
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 200006");
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "NOT ";
  CHECK(!error_of([&] { cond(nots + "a = :v", "{}", R"({":v":{"N":"1"}})"); }).empty());
  for (const char* junk : {"((", ")", "a.", "a[", "a[x]", "a[1", "#", ":", "a = :v AND", "a IN ()", "SET", "a = :v ,", "\x01", "a.b.c[99999999999]"})
    CHECK_MESSAGE(!error_of([&] { cond(junk, "{}", R"({":v":{"N":"1"}})"); }).empty(), junk);
}

TEST_CASE("update: SET, REMOVE, ADD, DELETE") {
  CHECK(updated("SET a = :v, b.c = :v", R"({"b":{"M":{}}})", R"({":v":{"N":"1"}})") == json::parse(R"({"a":{"N":"1"},"b":{"M":{"c":{"N":"1"}}}})"));
  CHECK(updated("SET a = a - :v", R"({"a":{"N":"1"}})", R"({":v":{"N":"1.5"}})") == json::parse(R"({"a":{"N":"-0.5"}})"));
  CHECK(updated("SET a = if_not_exists(a, :v)", R"({})", R"({":v":{"N":"7"}})") == json::parse(R"({"a":{"N":"7"}})"));
  CHECK(updated("SET l = list_append(:h, l)", R"({"l":{"L":[{"N":"2"}]}})", R"({":h":{"L":[{"N":"1"}]}})") ==
        json::parse(R"({"l":{"L":[{"N":"1"},{"N":"2"}]}})"));
  CHECK(updated("SET l[9] = :v", R"({"l":{"L":[{"N":"0"}]}})", R"({":v":{"N":"1"}})") == json::parse(R"({"l":{"L":[{"N":"0"},{"N":"1"}]}})"));
  CHECK(updated("REMOVE l[0], l[1]", R"({"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]}})") == json::parse(R"({"l":{"L":[{"N":"2"}]}})"));
  CHECK(updated("ADD n :v, s :s", R"({"n":{"N":"1"},"s":{"SS":["b"]}})", R"({":v":{"N":"2"},":s":{"SS":["a"]}})") ==
        json::parse(R"({"n":{"N":"3"},"s":{"SS":["a","b"]}})"));
  CHECK(updated("DELETE s :s", R"({"s":{"SS":["a"]}})", R"({":s":{"SS":["a"]}})") == json::parse("{}"));
  CHECK(updated("set a = :v remove b", R"({"b":{"N":"1"}})", R"({":v":{"N":"1"}})") == json::parse(R"({"a":{"N":"1"}})"));
  CHECK(error_of([] { updated("SET a = :v SET b = :v", "{}", R"({":v":{"N":"1"}})"); }) ==
        "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
  CHECK(error_of([] { updated("SET a = size(b)", "{}"); }) ==
        "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: size");
  CHECK(error_of([] { updated("ADD n :v", R"({"n":{"S":"x"}})", R"({":v":{"N":"1"}})"); }) ==
        "An operand in the update expression has an incorrect data type");
  CHECK(error_of([] { updated("SET a = b", "{}"); }) == "The provided expression refers to an attribute that does not exist in the item");
}

TEST_CASE("projection keeps nested shape") {
  Ctx c("", "");
  auto paths = parse_projection("a.b, l[1], l[3], x", "ProjectionExpression", *c.ctx);
  Item it = item_of(R"({"a":{"M":{"b":{"N":"1"},"c":{"N":"2"}}},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]},"y":{"N":"9"}})");
  CHECK(json::value(item_to_json(project(it, paths))) == json::parse(R"({"a":{"M":{"b":{"N":"1"}}},"l":{"L":[{"N":"1"},{"N":"3"}]}})"));
  CHECK(error_of([&] { parse_projection("a, a.b", "ProjectionExpression", *c.ctx); }).find("overlap") != std::string::npos);
}

// ---- AWS's expression limits and operand rules (scylladb test/alternator/test_limits.py,
// test_condition_expression.py, test_update_expression.py; dynalite test/scan.js) ----

TEST_CASE("expressions longer than 4 KB are refused before parsing") {
  const char* v = R"({":v":{"N":"1"}})";
  std::string ok = "a" + std::string(4085, ' ') + " = :v";  // 4091 bytes
  CHECK(error_of([&] { cond(ok, "{}", v); }).empty());
  std::string at_limit = "a" + std::string(4096 - 5, ' ') + "= :v";
  REQUIRE(at_limit.size() == 4096);
  CHECK(error_of([&] { cond(at_limit, "{}", v); }).empty());
  std::string over = std::string(15000, '(');
  CHECK(error_of([&] { cond(over, "{}"); }) ==
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 15000");
  Ctx c("", "");
  CHECK(error_of([&] { parse_projection(std::string(4097, 'x'), "ProjectionExpression", *c.ctx); }) ==
        "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
  CHECK(error_of([&] { parse_projection(std::string(4096, 'x'), "ProjectionExpression", *c.ctx); }).empty());
}

TEST_CASE("at most 300 operators; nesting is bounded by them, not by a depth cap") {
  const char* item = R"({"a":{"N":"1"},"b":{"N":"2"}})";
  auto nested = [](int depth) {
    std::string s = "a<b ";
    for (int i = 0; i < depth; ++i) s += "or (a<b ";
    return s + std::string(depth, ')');
  };
  CHECK(cond(nested(149), item));  // 299 operators, 149 levels of parentheses
  std::string deep = nested(454);
  REQUIRE(deep.size() < 4096);
  CHECK(error_of([&] { cond(deep, item); }) == "Invalid ConditionExpression: The expression contains too many operators; operator count: 301");
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "not ";
  CHECK(error_of([&] { cond(nots + "a<b", item); }) == "Invalid ConditionExpression: The expression contains too many operators; operator count: 301");
  // Redundant parentheses are refused (AWS: "The expression has redundant parentheses;").
  std::string parens = std::string(2046, '(') + "a<b" + std::string(2046, ')');
  CHECK(error_of([&] { cond(parens, item); }) == "Invalid ConditionExpression: The expression has redundant parentheses;");
  CHECK(error_of([&] { cond("((a < b))", item); }) == "Invalid ConditionExpression: The expression has redundant parentheses;");
  CHECK(error_of([&] { cond("a=a AND ((a=b AND a=b)) AND a=a", item); }) == "Invalid ConditionExpression: The expression has redundant parentheses;");
  CHECK(cond("(a < b)", item));
  CHECK_FALSE(cond("((a < b) and b < a)", item));
  // Unbalanced: a syntax error, whatever the depth.
  CHECK(error_of([&] { cond(std::string(4000, '(') + "a<b", item); }).find("Syntax error; token: \"<EOF>\"") != std::string::npos);
  CHECK(error_of([&] { cond(std::string(4096, '('), item); }).find("Syntax error") != std::string::npos);
  // Function calls nest: an unknown one is named.
  std::string calls = "a < ";
  for (int i = 0; i < 1355; ++i) calls += "f(";
  calls += "b" + std::string(1355, ')');
  CHECK(error_of([&] { cond(calls, item); }) == "Invalid ConditionExpression: Invalid function name; function: f");
}

TEST_CASE("attribute names start with a letter") {
  const char* v = R"({":v":{"N":"1"}})";
  CHECK(error_of([&] { updated("SET _123 = :v", "{}", v); }) == "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _123\"");
  CHECK(error_of([&] { updated("SET 123a = :v", "{}", v); }) == "Invalid UpdateExpression: Syntax error; token: \"123\", near: \"SET 123a\"");
  CHECK(error_of([&] { cond("_hidden = :v", "{}", v); }).find("Invalid ConditionExpression: Syntax error; token: \"_\"") == 0);
  CHECK(updated("SET A123_ = :v", "{}", v) == json::parse(R"({"A123_":{"N":"1"}})"));
}

TEST_CASE("ordering comparisons refuse constants of other types than S, N, B") {
  const char* item = R"({"a":{"N":"1"},"l":{"L":[{"N":"1"}]}})";
  CHECK(error_of([&] { cond("a < :l", item, R"({":l":{"L":[{"N":"1"}]}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: L");
  CHECK(error_of([&] { cond(":m >= a", item, R"({":m":{"M":{}}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: M");
  CHECK(error_of([&] { cond("a between :lo and :hi", item, R"({":lo":{"BOOL":true},":hi":{"BOOL":true}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL");
  CHECK(error_of([&] { cond("a > :s", item, R"({":s":{"SS":["x"]}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >, operand type: SS");
  // From the item, a wrong type is simply false; equality takes any type.
  CHECK_FALSE(cond("l < a", item));
  CHECK(cond("l = :l", item, R"({":l":{"L":[{"N":"1"}]}})"));
}

TEST_CASE("<> of two absent attributes is true") {
  CHECK(cond("q <> z", "{}"));
  CHECK_FALSE(cond("q < z", "{}"));
  CHECK_FALSE(cond("q between z and x", "{}"));
}

TEST_CASE("attribute_type and size operands") {
  const char* item = R"({"a":{"N":"1"},"s":{"S":"abc"}})";
  CHECK(cond("attribute_type(:v, :t)", item, R"({":v":{"N":"0"},":t":{"S":"N"}})"));
  CHECK(error_of([&] { cond("attribute_type(a, s)", item); }).find(
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ") == 0);
  CHECK(error_of([&] { cond("attribute_type(a, :t)", item, R"({":t":{"N":"1"}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N");
  CHECK(error_of([&] { cond("attribute_type(a, :t)", item, R"({":t":{"S":"DOG"}})"); }) ==
        "Invalid ConditionExpression: Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  CHECK(cond("size(:v) >= :n", item, R"({":v":{"S":"abc"},":n":{"N":"2"}})"));
  CHECK(error_of([&] { cond("size(:v) >= :n", item, R"({":v":{"N":"123"},":n":{"N":"2"}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N");
  CHECK(error_of([&] { cond("size(size(s)) >= :n", item, R"({":n":{"N":"2"}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N");
  CHECK(error_of([&] { cond("size(:v) > a", item, R"({":v":{"BOOL":true}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL");
  CHECK(error_of([&] { cond("begins_with(:v, s)", item, R"({":v":{"N":"1"}})"); }) ==
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
  CHECK(error_of([&] { cond("size(s)", item); }) ==
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
}
