// EventBridge event patterns: a table of every operator with events that
// match and events that do not, and the patterns AWS refuses with their
// reasons. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
#include "server/services/events/event_pattern.h"

#include <doctest/doctest.h>

using namespace podstack::events;
namespace json = boost::json;

namespace {

struct Case {
  const char* pattern;
  const char* event;
  bool match;
};

// Each operator: at least one event that matches and one that does not.
const Case kCases[] = {
    // exact strings, numbers, booleans, null
    {R"({"source":["aws.ec2"]})", R"({"source":"aws.ec2"})", true},
    {R"({"source":["aws.ec2"]})", R"({"source":"aws.s3"})", false},
    {R"({"source":["aws.ec2"]})", R"({"detail":{}})", false},
    {R"({"source":["aws.ec2","aws.s3"]})", R"({"source":"aws.s3"})", true},
    {R"({"detail":{"n":[300]}})", R"({"detail":{"n":300}})", true},
    {R"({"detail":{"n":[300]}})", R"({"detail":{"n":3.0e2}})", true},
    {R"({"detail":{"n":[300]}})", R"({"detail":{"n":"300"}})", false},
    {R"({"detail":{"n":["300"]}})", R"({"detail":{"n":300}})", false},
    {R"({"detail":{"b":[true]}})", R"({"detail":{"b":true}})", true},
    {R"({"detail":{"b":[true]}})", R"({"detail":{"b":false}})", false},
    {R"({"detail":{"b":[true]}})", R"({"detail":{"b":"true"}})", false},
    {R"({"detail":{"x":[null]}})", R"({"detail":{"x":null}})", true},
    {R"({"detail":{"x":[null]}})", R"({"detail":{}})", false},
    {R"({"detail":{"x":[""]}})", R"({"detail":{"x":""}})", true},
    {R"({"detail":{"x":[""]}})", R"({"detail":{"x":null}})", false},
    // array fields in the event: any element
    {R"({"resources":["arn:a"]})", R"({"resources":["arn:b","arn:a"]})", true},
    {R"({"resources":["arn:a"]})", R"({"resources":["arn:b"]})", false},
    {R"({"resources":["arn:a"]})", R"({"resources":[]})", false},
    {R"({"detail":{"items":{"id":[2]}}})", R"({"detail":{"items":[{"id":1},{"id":2}]}})", true},
    {R"({"detail":{"items":{"id":[3]}}})", R"({"detail":{"items":[{"id":1},{"id":2}]}})", false},
    // nested objects
    {R"({"detail":{"state":{"name":["running"]}}})", R"({"detail":{"state":{"name":"running"}}})", true},
    {R"({"detail":{"state":{"name":["running"]}}})", R"({"detail":{"state":"running"}})", false},
    {R"({"detail":{"state":{"name":["running"]}}})", R"({"detail":{"name":"running"}})", false},
    // several keys: all must match
    {R"({"source":["a"],"detail-type":["t"]})", R"({"source":"a","detail-type":"t"})", true},
    {R"({"source":["a"],"detail-type":["t"]})", R"({"source":"a","detail-type":"u"})", false},
    // prefix, and prefix ignoring case
    {R"({"source":[{"prefix":"aws."}]})", R"({"source":"aws.ec2"})", true},
    {R"({"source":[{"prefix":"aws."}]})", R"({"source":"AWS.ec2"})", false},
    {R"({"source":[{"prefix":"aws."}]})", R"({"source":5})", false},
    {R"({"source":[{"prefix":{"equals-ignore-case":"aws."}}]})", R"({"source":"AWS.ec2"})", true},
    {R"({"source":[{"prefix":{"equals-ignore-case":"aws."}}]})", R"({"source":"myaws.ec2"})", false},
    // suffix, and suffix ignoring case
    {R"({"detail":{"key":[{"suffix":".png"}]}})", R"({"detail":{"key":"a/b.png"}})", true},
    {R"({"detail":{"key":[{"suffix":".png"}]}})", R"({"detail":{"key":"a/b.PNG"}})", false},
    {R"({"detail":{"key":[{"suffix":{"equals-ignore-case":".png"}}]}})", R"({"detail":{"key":"a/b.PNG"}})", true},
    {R"({"detail":{"key":[{"suffix":{"equals-ignore-case":".png"}}]}})", R"({"detail":{"key":"a/b.jpg"}})", false},
    // equals-ignore-case
    {R"({"detail":{"s":[{"equals-ignore-case":"Alice"}]}})", R"({"detail":{"s":"aLiCe"}})", true},
    {R"({"detail":{"s":[{"equals-ignore-case":"Alice"}]}})", R"({"detail":{"s":"Alicia"}})", false},
    // wildcard, with escapes
    {R"({"detail":{"f":[{"wildcard":"dir/*.png"}]}})", R"({"detail":{"f":"dir/a/b.png"}})", true},
    {R"({"detail":{"f":[{"wildcard":"dir/*.png"}]}})", R"({"detail":{"f":"dir/a.jpg"}})", false},
    {R"({"detail":{"f":[{"wildcard":"*a*b*"}]}})", R"({"detail":{"f":"xaybz"}})", true},
    {R"({"detail":{"f":[{"wildcard":"*a*b*"}]}})", R"({"detail":{"f":"xbya"}})", false},
    {R"({"detail":{"f":[{"wildcard":"a\\*b"}]}})", R"({"detail":{"f":"a*b"}})", true},
    {R"({"detail":{"f":[{"wildcard":"a\\*b"}]}})", R"({"detail":{"f":"axb"}})", false},
    {R"({"detail":{"f":[{"wildcard":"a\\\\b"}]}})", R"({"detail":{"f":"a\\b"}})", true},
    // anything-but: a value, a list, prefix, suffix, equals-ignore-case, wildcard
    {R"({"detail":{"s":[{"anything-but":"stopped"}]}})", R"({"detail":{"s":"running"}})", true},
    {R"({"detail":{"s":[{"anything-but":"stopped"}]}})", R"({"detail":{"s":"stopped"}})", false},
    {R"({"detail":{"s":[{"anything-but":"stopped"}]}})", R"({"detail":{}})", false},
    {R"({"detail":{"n":[{"anything-but":[1,2]}]}})", R"({"detail":{"n":3}})", true},
    {R"({"detail":{"n":[{"anything-but":[1,2]}]}})", R"({"detail":{"n":2}})", false},
    {R"({"detail":{"s":[{"anything-but":["a","b"]}]}})", R"({"detail":{"s":"c"}})", true},
    {R"({"detail":{"s":[{"anything-but":["a","b"]}]}})", R"({"detail":{"s":"a"}})", false},
    {R"({"detail":{"s":[{"anything-but":{"prefix":"init"}}]}})", R"({"detail":{"s":"running"}})", true},
    {R"({"detail":{"s":[{"anything-but":{"prefix":"init"}}]}})", R"({"detail":{"s":"initializing"}})", false},
    {R"({"detail":{"s":[{"anything-but":{"suffix":".tmp"}}]}})", R"({"detail":{"s":"a.txt"}})", true},
    {R"({"detail":{"s":[{"anything-but":{"suffix":".tmp"}}]}})", R"({"detail":{"s":"a.tmp"}})", false},
    {R"({"detail":{"s":[{"anything-but":{"equals-ignore-case":["Ab","cd"]}}]}})", R"({"detail":{"s":"ef"}})", true},
    {R"({"detail":{"s":[{"anything-but":{"equals-ignore-case":["Ab","cd"]}}]}})", R"({"detail":{"s":"aB"}})", false},
    {R"({"detail":{"s":[{"anything-but":{"wildcard":"*.tmp"}}]}})", R"({"detail":{"s":"a.txt"}})", true},
    {R"({"detail":{"s":[{"anything-but":{"wildcard":"*.tmp"}}]}})", R"({"detail":{"s":"x/a.tmp"}})", false},
    {R"({"detail":{"s":[{"anything-but":{"wildcard":["*.tmp","*.bak"]}}]}})", R"({"detail":{"s":"a.bak"}})", false},
    // numeric: every operator, and ranges
    {R"({"detail":{"n":[{"numeric":["=",10]}]}})", R"({"detail":{"n":10.0}})", true},
    {R"({"detail":{"n":[{"numeric":["=",10]}]}})", R"({"detail":{"n":10.5}})", false},
    {R"({"detail":{"n":[{"numeric":["<",10]}]}})", R"({"detail":{"n":9.99}})", true},
    {R"({"detail":{"n":[{"numeric":["<",10]}]}})", R"({"detail":{"n":10}})", false},
    {R"({"detail":{"n":[{"numeric":["<=",10]}]}})", R"({"detail":{"n":10}})", true},
    {R"({"detail":{"n":[{"numeric":["<=",10]}]}})", R"({"detail":{"n":10.000001}})", false},
    {R"({"detail":{"n":[{"numeric":[">",0]}]}})", R"({"detail":{"n":0.5}})", true},
    {R"({"detail":{"n":[{"numeric":[">",0]}]}})", R"({"detail":{"n":0}})", false},
    {R"({"detail":{"n":[{"numeric":[">=",0]}]}})", R"({"detail":{"n":0}})", true},
    {R"({"detail":{"n":[{"numeric":[">=",0]}]}})", R"({"detail":{"n":-1}})", false},
    {R"({"detail":{"n":[{"numeric":[">",0,"<=",5]}]}})", R"({"detail":{"n":5}})", true},
    {R"({"detail":{"n":[{"numeric":[">",0,"<=",5]}]}})", R"({"detail":{"n":5.5}})", false},
    {R"({"detail":{"n":[{"numeric":[">",0,"<=",5]}]}})", R"({"detail":{"n":"3"}})", false},
    // exists
    {R"({"detail":{"c":[{"exists":true}]}})", R"({"detail":{"c":"x"}})", true},
    {R"({"detail":{"c":[{"exists":true}]}})", R"({"detail":{"d":"x"}})", false},
    {R"({"detail":{"c":[{"exists":true}]}})", R"({"detail":{"c":{"inner":1}}})", false},  // only leaves exist
    {R"({"detail":{"c":[{"exists":false}]}})", R"({"detail":{"d":"x"}})", true},
    {R"({"detail":{"c":[{"exists":false}]}})", R"({"detail":{"c":null}})", false},
    {R"({"detail":{"c":[{"exists":false}]}})", R"({"source":"x"})", true},
    // cidr, IPv4 and IPv6
    {R"({"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}})", R"({"detail":{"ip":"10.0.0.255"}})", true},
    {R"({"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}})", R"({"detail":{"ip":"10.0.1.0"}})", false},
    {R"({"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}})", R"({"detail":{"ip":"not an ip"}})", false},
    {R"({"detail":{"ip":[{"cidr":"2001:db8::/32"}]}})", R"({"detail":{"ip":"2001:db8:1::5"}})", true},
    {R"({"detail":{"ip":[{"cidr":"2001:db8::/32"}]}})", R"({"detail":{"ip":"2001:db9::5"}})", false},
    // $or, at the top and nested
    {R"({"$or":[{"source":["a"]},{"detail":{"n":[{"numeric":[">",10]}]}}]})", R"({"source":"b","detail":{"n":11}})", true},
    {R"({"$or":[{"source":["a"]},{"detail":{"n":[{"numeric":[">",10]}]}}]})", R"({"source":"b","detail":{"n":9}})", false},
    {R"({"detail":{"$or":[{"a":["1"]},{"b":["2"]}]}})", R"({"detail":{"b":"2"}})", true},
    {R"({"detail":{"$or":[{"a":["1"]},{"b":["2"]}]}})", R"({"detail":{"a":"2"}})", false},
    // mixed conditions in one array: any of them
    {R"({"detail":{"s":["x",{"prefix":"y"},{"numeric":[">",5]}]}})", R"({"detail":{"s":"yes"}})", true},
    {R"({"detail":{"s":["x",{"prefix":"y"},{"numeric":[">",5]}]}})", R"({"detail":{"s":6}})", true},
    {R"({"detail":{"s":["x",{"prefix":"y"},{"numeric":[">",5]}]}})", R"({"detail":{"s":"no"}})", false},
};

struct Bad {
  const char* pattern;
  const char* reason;  // a part of AWS's reason
};

const Bad kBad[] = {
    {R"(not json)", "Filter is not valid JSON"},
    {R"(["a"])", "Filter is not an object"},
    {R"({"source":"aws.ec2"})", "\"source\" must be an object or an array"},
    {R"({"source":[]})", "Empty arrays are not allowed"},
    {R"({"detail":{}})", "Empty objects are not allowed"},
    {R"({"source":[{"prefixx":"a"}]})", "Unrecognized match type prefixx"},
    {R"({"source":[{"prefix":"a","suffix":"b"}]})", "Only one key allowed in match expression"},
    {R"({"source":[{"prefix":5}]})", "prefix match pattern must be a string"},
    {R"({"source":[{"prefix":{"other":"a"}}]})", "Unsupported prefix pattern"},
    {R"({"source":[{"suffix":{"equals-ignore-case":1}}]})", "equals-ignore-case match pattern must be a string"},
    {R"({"source":[{"wildcard":"a**b"}]})", "Consecutive wildcard characters at pos 2"},
    {R"({"source":[{"wildcard":"a\\b"}]})", "Invalid escape character at pos 2"},
    {R"({"source":[{"anything-but":true}]})", "Value of anything-but must be an array or single string/number value."},
    {R"({"source":[{"anything-but":[null]}]})", "Inside anything but list, start|null|boolean is not supported."},
    {R"({"source":[{"anything-but":["a",1]}]})", "all values must be of the same type"},
    {R"({"source":[{"anything-but":{"exists":true}}]})", "Unsupported anything-but pattern: exists"},
    {R"({"n":[{"numeric":["<"]}]})", "Too many terms in numeric range expression"},
    {R"({"n":[{"numeric":["!=",5]}]})", "Unrecognized numeric range operator: !="},
    {R"({"n":[{"numeric":["<","x"]}]})", "Value of < must be numeric"},
    {R"({"n":[{"numeric":[">",5,"<",1]}]})", "Bottom must be less than top"},
    {R"({"n":[{"numeric":["=",5,"<",1]}]})", "Bad numeric range operator: ="},
    {R"({"n":[{"numeric":["<",1,">",0]}]})", "Bad numeric range operator: >"},
    {R"({"n":[{"exists":"yes"}]})", "exists match pattern must be either true or false."},
    {R"({"ip":[{"cidr":"10.0.0.300/24"}]})", "Nonstandard IP address: 10.0.0.300/24"},
    {R"({"ip":[{"cidr":"10.0.0.0/33"}]})", "Nonstandard IP address"},
    {R"({"$or":[{"a":["1"]}]})", "There must have at least 2 Objects in $or relationship."},
    {R"({"$or":{"a":["1"]}})", "Or relationship must be an array"},
    {R"({"a":[[1]]})", "Match value must be String, number, true, false, or null"},
};

}  // namespace

TEST_CASE("event patterns: every operator matches what it should and nothing else") {
  for (auto& c : kCases) {
    CAPTURE(c.pattern);
    CAPTURE(c.event);
    auto p = parse_event_pattern(c.pattern);
    REQUIRE(p.error.empty());
    CHECK(pattern_matches(p.pattern, json::parse(c.event)) == c.match);
  }
}

TEST_CASE("event patterns: malformed ones are refused with AWS's reason") {
  for (auto& b : kBad) {
    CAPTURE(b.pattern);
    auto p = parse_event_pattern(b.pattern);
    REQUIRE_FALSE(p.error.empty());
    CHECK(p.error.find(b.reason) != std::string::npos);
  }
}

TEST_CASE("wildcards: stars, escapes, backtracking") {
  CHECK(wildcard_matches("*", ""));
  CHECK(wildcard_matches("a*", "a"));
  CHECK(wildcard_matches("*.png", "x.png.png"));
  CHECK_FALSE(wildcard_matches("*.png", "x.png.jpg"));
  CHECK(wildcard_matches("a*b*c", "aXbYbZc"));
  CHECK_FALSE(wildcard_matches("a*b*c", "aXbYbZ"));
  CHECK(wildcard_matches("\\*", "*"));
  CHECK_FALSE(wildcard_matches("\\*", "x"));
}
