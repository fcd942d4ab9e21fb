// Fuzzes SNS subscription filter policies: validation for both scopes and,
// for a policy that validates, matching against message attributes of every
// type and a JSON message body. Matching a validated policy must not throw.
//
// Input: one scope byte ('b' MessageBody, anything else MessageAttributes),
// the policy JSON, then optionally a NUL byte and the message body.
#include "server/services/sns/filter_policy.h"
#include "tests/fuzz/fuzz_input.h"

using namespace podstack;
using namespace podstack::sns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const json::object attrs = attributes_for_filter(json::parse(R"({
    "store":{"DataType":"String","StringValue":"example_corp"},
    "price":{"DataType":"Number","StringValue":"100.5"},
    "count":{"DataType":"Number","StringValue":"-3"},
    "tags":{"DataType":"String.Array","StringValue":"[\"a\",\"b\",1,true,null]"},
    "ip":{"DataType":"String","StringValue":"10.0.0.1"},
    "ip6":{"DataType":"String","StringValue":"2001:db8::1"},
    "bin":{"DataType":"Binary","BinaryValue":"YWJj"}
  })").as_object());
  if (size == 0) return 0;
  FilterScope scope = data[0] == 'b' ? FilterScope::kMessageBody : FilterScope::kMessageAttributes;
  std::string_view rest = fuzz::as_view(data + 1, size - 1);
  size_t nul = rest.find('\0');
  std::string_view policy = rest.substr(0, nul);
  std::string_view body = nul == std::string_view::npos
                              ? std::string_view(R"({"store":"example_corp","price":100.5,"nested":{"a":[1,"x",{"b":null}]},"ip":"10.0.0.1"})")
                              : rest.substr(nul + 1);
  if (validate_filter_policy(policy, scope)) return 0;  // invalid: the reason is the answer
  (void)filter_matches(policy, scope, attrs, body);
  return 0;
}
