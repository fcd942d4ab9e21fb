// EventBridge target input: InputPath and InputTransformer with AWS's
// quoting rules. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
#include "server/services/events/target_input.h"

#include <doctest/doctest.h>

using namespace podstack::events;
namespace json = boost::json;

namespace {
const json::object kEvent = json::parse(
    R"({"id":"e1","source":"app","detail":{"instance":"i-1","state":"running","n":5,"tags":["a","b"],"q":"say \"hi\""}})")
                                .as_object();
const RuleRef kRule{"r1", "arn:aws:events:us-east-1:000000000000:rule/r1", "2026-01-01T00:00:00Z"};

std::string render(const char* tmpl) {
  json::object map{{"instance", "$.detail.instance"}, {"state", "$.detail.state"}, {"n", "$.detail.n"},
                   {"tags", "$.detail.tags"},        {"q", "$.detail.q"},         {"missing", "$.detail.nope"},
                   {"first", "$.detail.tags[0]"}};
  return render_template(tmpl, map, kEvent, kRule);
}
}  // namespace

TEST_CASE("input transformer: plain text templates insert values as they are") {
  CHECK(render("<instance> is in state <state>") == "i-1 is in state running");
  CHECK(render("<instance> is \"<state>\"") == "i-1 is \"running\"");
  CHECK(render("n=<n> tags=<tags> first=<first>") == "n=5 tags=[\"a\",\"b\"] first=a");
  CHECK(render("x<missing>y <unknown>") == "xy <unknown>");
  CHECK(render("<aws.events.rule-name> <aws.events.rule-arn>") == "r1 arn:aws:events:us-east-1:000000000000:rule/r1");
}

TEST_CASE("input transformer: JSON templates quote strings outside quotes and escape inside them") {
  CHECK(render(R"({"i": <instance>, "s": "<instance> is <state>"})") == R"({"i": "i-1", "s": "i-1 is running"})");
  CHECK(render(R"({"n": <n>, "t": <tags>, "m": <missing>})") == R"({"n": 5, "t": ["a","b"], "m": null})");
  CHECK(render(R"({"q": <q>, "in": "x <q> y"})") == R"({"q": "say \"hi\"", "in": "x say \"hi\" y"})");
  CHECK(render(R"({"t": "<tags>"})") == R"({"t": "[\"a\",\"b\"]"})");
  // The whole event, and a literal "<" inside a string that names nothing.
  CHECK(json::parse(render(R"({"e": <aws.events.event>, "lt": "a<b"})")).at("e").at("id") == "e1");
  CHECK(render(R"({"esc": "a\"<state>\""})") == R"({"esc": "a\"running\""})");
}

TEST_CASE("target input: Input, InputPath, or the event") {
  CHECK(target_input(json::object{{"Input", "{\"k\":1}"}}, kEvent, kRule) == "{\"k\":1}");
  CHECK(target_input(json::object{{"InputPath", "$.detail.state"}}, kEvent, kRule) == "\"running\"");
  CHECK(target_input(json::object{{"InputPath", "$.detail.tags[1]"}}, kEvent, kRule) == "\"b\"");
  CHECK(json::parse(target_input(json::object{}, kEvent, kRule)) == json::value(kEvent));
  CHECK(valid_json_path("$.detail.a-b_c[0].d"));
  CHECK_FALSE(valid_json_path("detail"));
  CHECK_FALSE(valid_json_path("$.a..b"));
  CHECK_FALSE(valid_json_path("$.a[x]"));
}
