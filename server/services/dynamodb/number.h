// DynamoDB numbers: up to 38 significant decimal digits, magnitude between
// 1E-130 and 9.99..E+125, exact decimal arithmetic (no doubles anywhere).
// Text is normalised the way DynamoDB returns numbers: plain notation, no
// leading or trailing zeros, "-0" -> "0" ("1.50" -> "1.5", "1e2" -> "100").
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace podstack::dynamodb {

struct Decimal {
  bool negative = false;
  std::string digits;  // significand without leading/trailing zeros; empty = 0
  int exponent = 0;    // value = digits * 10^exponent

  bool zero() const { return digits.empty(); }
  // Plain notation, as DynamoDB returns numbers.
  std::string str() const;
};

enum class NumberError { kNone, kSyntax, kPrecision, kOverflow, kUnderflow };

// Parses DynamoDB number text ("+1.5e3", "-.5", "007"). Syntax errors and
// out-of-range values are reported, not thrown.
NumberError parse_decimal(std::string_view text, Decimal& out);
// The AWS ValidationException message for an error from parse_decimal.
std::string number_error_message(NumberError e, std::string_view text);
// Range and precision check of a computed value.
NumberError check_range(const Decimal& d);

int compare(const Decimal& a, const Decimal& b);
Decimal add(const Decimal& a, const Decimal& b);
Decimal negate(Decimal a);
// Compares two normalised number texts numerically (key order).
int compare_numbers(std::string_view a, std::string_view b);

}  // namespace podstack::dynamodb
