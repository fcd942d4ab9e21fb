#include "server/services/dynamodb/number.h"

#include <algorithm>
#include <cctype>

namespace podstack::dynamodb {
namespace {

constexpr int kMaxDigits = 38;
constexpr int kMaxAdjusted = 125;   // 9.99..E+125
constexpr int kMinAdjusted = -130;  // 1E-130

void trim(Decimal& d) {
  size_t lead = d.digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    d = Decimal{};
    return;
  }
  d.digits.erase(0, lead);
  size_t last = d.digits.find_last_not_of('0');
  d.exponent += static_cast<int>(d.digits.size() - 1 - last);
  d.digits.resize(last + 1);
}

// Magnitude comparison.
int compare_abs(const Decimal& a, const Decimal& b) {
  if (a.zero() || b.zero()) return a.zero() == b.zero() ? 0 : a.zero() ? -1 : 1;
  long ea = static_cast<long>(a.digits.size()) + a.exponent, eb = static_cast<long>(b.digits.size()) + b.exponent;
  if (ea != eb) return ea < eb ? -1 : 1;
  size_t n = std::max(a.digits.size(), b.digits.size());
  for (size_t i = 0; i < n; ++i) {
    char ca = i < a.digits.size() ? a.digits[i] : '0', cb = i < b.digits.size() ? b.digits[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

// Aligned digit strings of |a| and |b| at the smaller exponent.
void align(const Decimal& a, const Decimal& b, std::string& da, std::string& db, int& exp) {
  exp = std::min(a.zero() ? b.exponent : a.exponent, b.zero() ? a.exponent : b.exponent);
  da = a.digits + std::string(a.zero() ? 0 : a.exponent - exp, '0');
  db = b.digits + std::string(b.zero() ? 0 : b.exponent - exp, '0');
  size_t n = std::max(da.size(), db.size());
  da.insert(0, n - da.size(), '0');
  db.insert(0, n - db.size(), '0');
}

}  // namespace

std::string Decimal::str() const {
  if (zero()) return "0";
  std::string out = negative ? "-" : "";
  long n = static_cast<long>(digits.size());
  if (exponent >= 0) {
    out += digits;
    out.append(static_cast<size_t>(exponent), '0');
  } else if (-exponent < n) {
    out += digits.substr(0, static_cast<size_t>(n + exponent));
    out += '.';
    out += digits.substr(static_cast<size_t>(n + exponent));
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - n), '0');
    out += digits;
  }
  return out;
}

NumberError check_range(const Decimal& d) {
  if (d.zero()) return NumberError::kNone;
  if (static_cast<int>(d.digits.size()) > kMaxDigits) return NumberError::kPrecision;
  long adjusted = static_cast<long>(d.digits.size()) - 1 + d.exponent;
  if (adjusted > kMaxAdjusted) return NumberError::kOverflow;
  if (adjusted < kMinAdjusted) return NumberError::kUnderflow;
  return NumberError::kNone;
}

NumberError parse_decimal(std::string_view t, Decimal& out) {
  out = Decimal{};
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) out.negative = t[i++] == '-';
  bool any = false;
  int frac = 0;
  for (; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, any = true) out.digits += t[i];
  if (i < t.size() && t[i] == '.') {
    for (++i; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, any = true, ++frac) out.digits += t[i];
  }
  if (!any) return NumberError::kSyntax;
  long exp = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
    bool edigits = false;
    for (; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, edigits = true)
      if (exp < 100000) exp = exp * 10 + (t[i] - '0');
    if (!edigits) return NumberError::kSyntax;
    if (eneg) exp = -exp;
  }
  if (i != t.size()) return NumberError::kSyntax;
  out.exponent = static_cast<int>(exp - frac);
  trim(out);
  if (out.zero()) out.negative = false;
  return check_range(out);
}

std::string number_error_message(NumberError e, std::string_view text) {
  switch (e) {
    case NumberError::kSyntax: return "The parameter cannot be converted to a numeric value: " + std::string(text);
    case NumberError::kPrecision: return "Attempting to store more than 38 significant digits in a Number";
    case NumberError::kOverflow: return "Number overflow. Attempting to store a number with magnitude larger than supported range";
    case NumberError::kUnderflow: return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
    case NumberError::kNone: break;
  }
  return {};
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  int c = compare_abs(a, b);
  return a.negative ? -c : c;
}

Decimal negate(Decimal a) {
  if (!a.zero()) a.negative = !a.negative;
  return a;
}

Decimal add(const Decimal& a, const Decimal& b) {
  if (a.zero()) return b;
  if (b.zero()) return a;
  std::string da, db;
  int exp = 0;
  align(a, b, da, db, exp);
  Decimal r;
  r.exponent = exp;
  if (a.negative == b.negative) {
    r.negative = a.negative;
    std::string s(da.size() + 1, '0');
    int carry = 0;
    for (size_t i = da.size(); i-- > 0;) {
      int v = (da[i] - '0') + (db[i] - '0') + carry;
      s[i + 1] = static_cast<char>('0' + v % 10);
      carry = v / 10;
    }
    s[0] = static_cast<char>('0' + carry);
    r.digits = std::move(s);
  } else {
    // Subtract the smaller magnitude from the larger.
    bool a_bigger = compare_abs(a, b) >= 0;
    const std::string& big = a_bigger ? da : db;
    const std::string& small = a_bigger ? db : da;
    r.negative = a_bigger ? a.negative : b.negative;
    std::string s(big.size(), '0');
    int borrow = 0;
    for (size_t i = big.size(); i-- > 0;) {
      int v = (big[i] - '0') - (small[i] - '0') - borrow;
      borrow = v < 0;
      if (v < 0) v += 10;
      s[i] = static_cast<char>('0' + v);
    }
    r.digits = std::move(s);
  }
  trim(r);
  if (r.zero()) r.negative = false;
  return r;
}

int compare_numbers(std::string_view a, std::string_view b) {
  Decimal da, db;
  parse_decimal(a, da);
  parse_decimal(b, db);
  return compare(da, db);
}

}  // namespace podstack::dynamodb
