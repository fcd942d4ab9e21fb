// SNS filter policies: every rule AWS documents, in both scopes, and the
// validation messages. https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
#include "server/services/sns/filter_policy.h"

#include <doctest/doctest.h>

using namespace podstack::sns;
namespace json = boost::json;

namespace {

// {"name": {"DataType": type, "StringValue": value}, ...} from (name, type, value) triples.
json::object attrs(std::initializer_list<std::tuple<const char*, const char*, const char*>> list) {
  json::object in;
  for (auto& [n, t, v] : list) in[n] = json::object{{"DataType", t}, {"StringValue", v}};
  return attributes_for_filter(in);
}

bool on_attrs(const char* policy, const json::object& a) {
  REQUIRE_FALSE(validate_filter_policy(policy, FilterScope::kMessageAttributes).has_value());
  return filter_matches(policy, FilterScope::kMessageAttributes, a, "");
}

bool on_body(const char* policy, const char* body) {
  REQUIRE_FALSE(validate_filter_policy(policy, FilterScope::kMessageBody).has_value());
  return filter_matches(policy, FilterScope::kMessageBody, {}, body);
}

}  // namespace

TEST_CASE("exact string and number matching") {
  auto a = attrs({{"store", "String", "example_corp"}, {"price", "Number", "100"}});
  CHECK(on_attrs(R"({"store":["example_corp"]})", a));
  CHECK(on_attrs(R"({"store":["other","example_corp"]})", a));
  CHECK_FALSE(on_attrs(R"({"store":["other"]})", a));
  CHECK(on_attrs(R"({"price":[100]})", a));
  CHECK(on_attrs(R"({"price":[100.0]})", a));
  CHECK_FALSE(on_attrs(R"({"price":[101]})", a));
  // Types must agree: a string condition does not match a Number attribute.
  CHECK_FALSE(on_attrs(R"({"price":["100"]})", a));
  // Every key must match (AND); a missing attribute fails.
  CHECK(on_attrs(R"({"store":["example_corp"],"price":[100]})", a));
  CHECK_FALSE(on_attrs(R"({"store":["example_corp"],"color":["red"]})", a));
}

TEST_CASE("prefix, suffix and equals-ignore-case") {
  auto a = attrs({{"event", "String", "order_placed"}});
  CHECK(on_attrs(R"({"event":[{"prefix":"order"}]})", a));
  CHECK_FALSE(on_attrs(R"({"event":[{"prefix":"placed"}]})", a));
  CHECK(on_attrs(R"({"event":[{"suffix":"_placed"}]})", a));
  CHECK_FALSE(on_attrs(R"({"event":[{"suffix":"order"}]})", a));
  CHECK(on_attrs(R"({"event":[{"equals-ignore-case":"ORDER_Placed"}]})", a));
  CHECK_FALSE(on_attrs(R"({"event":[{"equals-ignore-case":"order"}]})", a));
}

TEST_CASE("anything-but: value, list, number, prefix, suffix") {
  auto a = attrs({{"color", "String", "red"}, {"size", "Number", "5"}});
  CHECK(on_attrs(R"({"color":[{"anything-but":"blue"}]})", a));
  CHECK_FALSE(on_attrs(R"({"color":[{"anything-but":"red"}]})", a));
  CHECK_FALSE(on_attrs(R"({"color":[{"anything-but":["blue","red"]}]})", a));
  CHECK(on_attrs(R"({"color":[{"anything-but":["blue","green"]}]})", a));
  CHECK(on_attrs(R"({"size":[{"anything-but":[1,2]}]})", a));
  CHECK_FALSE(on_attrs(R"({"size":[{"anything-but":5}]})", a));
  CHECK_FALSE(on_attrs(R"({"color":[{"anything-but":{"prefix":"re"}}]})", a));
  CHECK(on_attrs(R"({"color":[{"anything-but":{"prefix":"bl"}}]})", a));
  CHECK_FALSE(on_attrs(R"({"color":[{"anything-but":{"suffix":"ed"}}]})", a));
  // anything-but needs the attribute to be there.
  CHECK_FALSE(on_attrs(R"({"shape":[{"anything-but":"square"}]})", a));
}

TEST_CASE("numeric ranges") {
  auto a = attrs({{"price", "Number", "10.5"}});
  CHECK(on_attrs(R"({"price":[{"numeric":["=",10.5]}]})", a));
  CHECK(on_attrs(R"({"price":[{"numeric":[">",10]}]})", a));
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":[">",10.5]}]})", a));
  CHECK(on_attrs(R"({"price":[{"numeric":[">=",10.5]}]})", a));
  CHECK(on_attrs(R"({"price":[{"numeric":["<",11]}]})", a));
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":["<",10.5]}]})", a));
  CHECK(on_attrs(R"({"price":[{"numeric":["<=",10.5]}]})", a));
  CHECK(on_attrs(R"({"price":[{"numeric":[">",0,"<=",10.5]}]})", a));
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":[">",0,"<",10]}]})", a));
  // A String attribute never matches a numeric condition.
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":[">",0]}]})", attrs({{"price", "String", "10"}})));
}

// AWS: numeric values from -10^9 to 10^9, five digits of precision after the
// decimal point (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
TEST_CASE("numeric matching at five decimal places") {
  auto a = attrs({{"price", "Number", "10.000001"}});
  CHECK(on_attrs(R"({"price":[{"numeric":["=",10]}]})", a));
  CHECK(on_attrs(R"({"price":[10]})", a));
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":[">",10]}]})", a));
  CHECK(on_attrs(R"({"price":[{"numeric":["<=",10]}]})", a));
  CHECK_FALSE(on_attrs(R"({"price":[{"anything-but":[10]}]})", a));
  auto b = attrs({{"price", "Number", "10.00001"}});
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":["=",10]}]})", b));
  CHECK(on_attrs(R"({"price":[{"numeric":[">",10]}]})", b));
  // A message value outside the range matches no numeric condition.
  auto big = attrs({{"price", "Number", "2000000000"}});
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":[">",0]}]})", big));
  CHECK_FALSE(on_attrs(R"({"price":[{"numeric":[">=",1000000000]}]})", big));
  CHECK(on_body(R"({"n":[{"numeric":["=",0.5]}]})", R"({"n":0.500004})"));
}

TEST_CASE("policy numbers are bounded to +-1e9") {
  auto why = [](const char* p) { return validate_filter_policy(p, FilterScope::kMessageAttributes).value_or(""); };
  const std::string bound = "FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive";
  CHECK(why(R"({"a":[{"numeric":[">",1000000001]}]})") == bound);
  CHECK(why(R"({"a":[{"numeric":["<",-1e10]}]})") == bound);
  CHECK(why(R"({"a":[5000000000]})") == bound);
  CHECK(why(R"({"a":[{"anything-but":[1,2e9]}]})") == bound);
  CHECK(why(R"({"a":[{"anything-but":-3e9}]})") == bound);
  CHECK(why(R"({"a":[{"numeric":[">=",-1000000000,"<=",1000000000]}]})").empty());
  CHECK(why(R"({"a":[1000000000]})").empty());
}

TEST_CASE("exists") {
  auto a = attrs({{"store", "String", "x"}});
  CHECK(on_attrs(R"({"store":[{"exists":true}]})", a));
  CHECK_FALSE(on_attrs(R"({"store":[{"exists":false}]})", a));
  CHECK(on_attrs(R"({"color":[{"exists":false}]})", a));
  CHECK_FALSE(on_attrs(R"({"color":[{"exists":true}]})", a));
}

TEST_CASE("cidr: IP address matching") {
  auto a = attrs({{"source_ip", "String", "10.0.0.255"}, {"v6", "String", "2001:db8::1"}});
  CHECK(on_attrs(R"({"source_ip":[{"cidr":"10.0.0.0/24"}]})", a));
  CHECK_FALSE(on_attrs(R"({"source_ip":[{"cidr":"10.0.1.0/24"}]})", a));
  CHECK(on_attrs(R"({"source_ip":[{"cidr":"10.0.0.128/25"}]})", a));
  CHECK(on_attrs(R"({"v6":[{"cidr":"2001:db8::/32"}]})", a));
  CHECK_FALSE(on_attrs(R"({"v6":[{"cidr":"2001:db9::/32"}]})", a));
}

TEST_CASE("$or at the top and nested") {
  auto a = attrs({{"source", "String", "aws.cloudwatch"}, {"metric", "String", "CPU"}});
  CHECK(on_attrs(R"({"source":["aws.cloudwatch"],"$or":[{"metric":["Disk"]},{"metric":["CPU"]}]})", a));
  CHECK_FALSE(on_attrs(R"({"source":["aws.cloudwatch"],"$or":[{"metric":["Disk"]},{"metric":["Net"]}]})", a));
  CHECK(on_attrs(R"({"$or":[{"source":["nope"]},{"metric":[{"prefix":"CP"}]}]})", a));
  CHECK(on_body(R"({"a":{"$or":[{"b":[1]},{"c":[2]}]}})", R"({"a":{"c":2}})"));
  CHECK_FALSE(on_body(R"({"a":{"$or":[{"b":[1]},{"c":[2]}]}})", R"({"a":{"c":3}})"));
}

TEST_CASE("String.Array attributes match any element") {
  auto a = attrs({{"customer_interests", "String.Array", R"(["rugby","football","baseball"])"}});
  CHECK(on_attrs(R"({"customer_interests":["rugby"]})", a));
  CHECK(on_attrs(R"({"customer_interests":[{"prefix":"foot"}]})", a));
  CHECK_FALSE(on_attrs(R"({"customer_interests":["tennis"]})", a));
  auto n = attrs({{"sizes", "String.Array", "[1, 5, 9]"}});
  CHECK(on_attrs(R"({"sizes":[{"numeric":[">",8]}]})", n));
  CHECK_FALSE(on_attrs(R"({"sizes":[{"numeric":[">",9]}]})", n));
}

TEST_CASE("Binary attributes are not matched") {
  json::object in;
  in["blob"] = json::object{{"DataType", "Binary"}, {"BinaryValue", "abc"}};
  auto a = attributes_for_filter(in);
  CHECK_FALSE(on_attrs(R"({"blob":[{"exists":true}]})", a));
}

TEST_CASE("MessageBody scope: nested keys, arrays, non-JSON bodies") {
  const char* body = R"({"order":{"status":"shipped","total":42,"items":[{"sku":"a-1"},{"sku":"b-2"}]},"vip":true})";
  CHECK(on_body(R"({"order":{"status":["shipped"]}})", body));
  CHECK_FALSE(on_body(R"({"order":{"status":["pending"]}})", body));
  CHECK(on_body(R"({"order":{"total":[{"numeric":[">=",40]}]},"vip":[true]})", body));
  CHECK(on_body(R"({"order":{"items":{"sku":[{"prefix":"b-"}]}}})", body));
  CHECK_FALSE(on_body(R"({"order":{"items":{"sku":["c-3"]}}})", body));
  CHECK(on_body(R"({"order":{"coupon":[{"exists":false}]}})", body));
  CHECK_FALSE(on_body(R"({"missing":{"x":["y"]}})", body));
  CHECK(on_body(R"({"note":[null]})", R"({"note":null})"));
  CHECK_FALSE(on_body(R"({"order":{"status":["shipped"]}})", "not json"));
}

TEST_CASE("empty policy matches everything") {
  CHECK(filter_matches("", FilterScope::kMessageAttributes, {}, ""));
  CHECK(filter_matches("{}", FilterScope::kMessageAttributes, {}, ""));
}

TEST_CASE("validation messages") {
  auto why = [](const char* p, FilterScope s = FilterScope::kMessageAttributes) {
    return validate_filter_policy(p, s).value_or("");
  };
  CHECK(why("{nope").rfind("FilterPolicy: failed to parse JSON.", 0) == 0);
  CHECK(why("[]") == "FilterPolicy: Filter policy must be a JSON object");
  CHECK(why(R"({"a":[]})") == "FilterPolicy: Empty arrays are not allowed");
  CHECK(why(R"({"a":"x"})") == "FilterPolicy: \"a\" must be an object or an array");
  CHECK(why(R"({"a":{"b":["x"]}})") == "Filter policy scope MessageAttributes does not support nested filter policy");
  CHECK(why(R"({"a":{"b":["x"]}})", FilterScope::kMessageBody).empty());
  CHECK(why(R"({"a":[{"bogus":1}]})") == "FilterPolicy: Unrecognized match type bogus");
  CHECK(why(R"({"a":[{"prefix":1}]})") == "FilterPolicy: prefix match pattern must be a string");
  CHECK(why(R"({"a":[{"exists":"yes"}]})") == "FilterPolicy: exists match pattern must be either true or false.");
  CHECK(why(R"({"a":[{"numeric":[">","x"]}]})") == "FilterPolicy: Value of > must be numeric");
  CHECK(why(R"({"a":[{"numeric":["~",1]}]})") == "FilterPolicy: Unrecognized numeric range operator: ~");
  CHECK(why(R"({"a":[{"numeric":[">",10,"<",5]}]})") == "FilterPolicy: Bottom must be less than top");
  CHECK(why(R"({"a":[{"anything-but":true}]})") ==
        "FilterPolicy: Value of anything-but must be an array or single string/number value.");
  CHECK(why(R"({"a":[["x"]]})") == "FilterPolicy: Match value must be String, number, true, false, or null");
  CHECK(why(R"({"$or":[{"a":["x"]}]})") == "FilterPolicy: Or statement must have at least 2 options");
  CHECK(why(R"({"a":[{"cidr":"10.0.0.1"}]})") == "FilterPolicy: Malformed CIDR, one '/' required");
  // 6 * 5 * 6 = 180 combinations > 150.
  CHECK(why(R"({"a":[1,2,3,4,5,6],"b":[1,2,3,4,5],"c":[1,2,3,4,5,6]})") == "FilterPolicy: Filter policy is too complex");
}

// SNS filter policies and EventBridge patterns share one matcher
// (server/services/content_filter.h); SNS's dialect keeps its own limits
// and refuses the operators only EventBridge has.
TEST_CASE("the SNS dialect of the shared matcher") {
  auto reason = [](const char* p) { return validate_filter_policy(p, FilterScope::kMessageBody).value_or(""); };
  CHECK(reason(R"({"a":[{"wildcard":"x*"}]})") == "FilterPolicy: Unrecognized match type wildcard");
  CHECK(reason(R"({"a":[{"prefix":{"equals-ignore-case":"x"}}]})") == "FilterPolicy: prefix match pattern must be a string");
  CHECK(reason(R"({"a":[{"anything-but":{"wildcard":"x*"}}]})") == "FilterPolicy: Unsupported anything-but pattern: wildcard");
  CHECK(reason(R"({"a":[1e9]})").empty());
  CHECK(reason(R"({"a":[2e9]})") == "FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive");
  CHECK(reason(R"({"a":[{"cidr":"10.0.0.1"}]})") == "FilterPolicy: Malformed CIDR, one '/' required");
  // Five decimals: values that differ in the sixth compare equal.
  CHECK(on_body(R"({"n":[1.000001]})", R"({"n":1.000004})"));
  CHECK_FALSE(on_body(R"({"n":[1.00001]})", R"({"n":1.00002})"));
  // A field holding an object is not a leaf: it does not "exist" for a value condition.
  CHECK(on_body(R"({"a":[{"exists":false}]})", R"({"a":{"b":1}})"));
  CHECK(on_body(R"({"a":{"b":[1]}})", R"({"a":[{"b":2},{"b":1}]})"));
}
