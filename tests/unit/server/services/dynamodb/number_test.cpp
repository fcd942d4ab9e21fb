// DynamoDB numbers: parsing, AWS's normalised text, range/precision errors,
// exact addition and the order-preserving key encoding.
#include <doctest/doctest.h>

#include "server/services/dynamodb/item.h"
#include "server/services/dynamodb/number.h"

using namespace podstack::dynamodb;

namespace {
std::string norm(std::string_view s) {
  Decimal d;
  REQUIRE(parse_decimal(s, d) == NumberError::kNone);
  return d.str();
}
std::string sum(std::string_view a, std::string_view b) {
  Decimal x, y;
  REQUIRE(parse_decimal(a, x) == NumberError::kNone);
  REQUIRE(parse_decimal(b, y) == NumberError::kNone);
  return add(x, y).str();
}
AttributeValue n(std::string_view s) {
  AttributeValue v;
  v.set_n(norm(s));
  return v;
}
}  // namespace

TEST_CASE("numbers come back in AWS's canonical form") {
  CHECK(norm("1.0") == "1");
  CHECK(norm("0.10") == "0.1");
  CHECK(norm("-0") == "0");
  CHECK(norm("-0.000") == "0");
  CHECK(norm("+5") == "5");
  CHECK(norm("007") == "7");
  CHECK(norm(".5") == "0.5");
  CHECK(norm("5.") == "5");
  CHECK(norm("1e2") == "100");
  CHECK(norm("1.5E+3") == "1500");
  CHECK(norm("1.5e-3") == "0.0015");
  CHECK(norm("-12.340") == "-12.34");
  CHECK(norm("1E125") == "1" + std::string(125, '0'));
  CHECK(norm("1E-130") == "0." + std::string(129, '0') + "1");
}

TEST_CASE("syntax, precision and range errors") {
  Decimal d;
  for (auto bad : {"", "-", "abc", "1..2", "1e", "1e+", "0x10", " 1", "1 ", "e5", "--1", "1.2.3", "NaN", "Infinity"})
    CHECK_MESSAGE(parse_decimal(bad, d) == NumberError::kSyntax, bad);
  CHECK(parse_decimal("12345678901234567890123456789012345678", d) == NumberError::kNone);
  CHECK(parse_decimal("123456789012345678901234567890123456789", d) == NumberError::kPrecision);
  // Trailing zeros are not significant.
  CHECK(parse_decimal("1234567890123456789012345678901234567800000", d) == NumberError::kNone);
  CHECK(parse_decimal("9.9999999999999999999999999999999999999E+125", d) == NumberError::kNone);
  CHECK(parse_decimal("1E126", d) == NumberError::kOverflow);
  CHECK(parse_decimal("1E-131", d) == NumberError::kUnderflow);
  CHECK(parse_decimal("0E-999", d) == NumberError::kNone);
  CHECK(parse_decimal("1e99999999999", d) == NumberError::kOverflow);
  CHECK(number_error_message(NumberError::kSyntax, "x") == "The parameter cannot be converted to a numeric value: x");
}

TEST_CASE("addition is exact decimal arithmetic") {
  CHECK(sum("0.1", "0.2") == "0.3");
  CHECK(sum("1", "-1") == "0");
  CHECK(sum("-5", "3") == "-2");
  CHECK(sum("3", "-5") == "-2");
  CHECK(sum("99999999999999999999999999999999999999", "1") == "100000000000000000000000000000000000000");
  CHECK(sum("1E100", "1") == "1" + std::string(99, '0') + "1");
  CHECK(sum("-0.001", "-0.009") == "-0.01");
  CHECK(sum("123.456", "0") == "123.456");
  Decimal big;
  REQUIRE(parse_decimal("1E100", big) == NumberError::kNone);
  Decimal one;
  REQUIRE(parse_decimal("1", one) == NumberError::kNone);
  CHECK(check_range(add(big, one)) == NumberError::kPrecision);  // 101 significant digits
}

TEST_CASE("comparison is numeric") {
  CHECK(compare_numbers("10", "9") > 0);
  CHECK(compare_numbers("-10", "-9") < 0);
  CHECK(compare_numbers("0.1", "0.10") == 0);
  CHECK(compare_numbers("-0.5", "0") < 0);
  CHECK(compare_numbers("1E2", "99.99") > 0);
}

TEST_CASE("key bytes sort numbers numerically with memcmp") {
  std::vector<std::string> ordered = {"-1E100", "-100", "-12.3", "-12", "-1", "-0.5", "0", "0.001", "0.5", "1", "12", "12.3", "100", "1E100"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i)
    CHECK_MESSAGE(key_bytes(n(ordered[i])) < key_bytes(n(ordered[i + 1])), ordered[i] << " < " << ordered[i + 1]);
  CHECK(key_bytes(n("1.0")) == key_bytes(n("1")));
}
