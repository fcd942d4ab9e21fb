#include "server/services/dynamodb/expression.h"

#include <algorithm>
#include <cctype>

#include "server/services/dynamodb/number.h"

namespace podstack::dynamodb {
namespace {

// AWS's limits: 4 KB of expression text and 300 operators (comparators,
// AND/OR/NOT, BETWEEN, IN, + and -, and function calls). Parentheses are not
// operators, but AWS refuses redundant ones ("((a < b))"), so nesting is
// bounded by the operators; kMaxDepth (recursion units, two or three per
// level) only stops unbalanced input before it can exhaust the stack.
constexpr size_t kMaxExpressionBytes = 4096;
constexpr int kMaxOperators = 300;
constexpr int kMaxDepth = 1000;

// ---- tokens ----
enum class Tok { kEnd, kIdent, kName, kValue, kNumber, kPunct };

struct Token {
  Tok type = Tok::kEnd;
  std::string text;
  size_t pos = 0;
};

// AWS: a name starts with a letter ("_x" and "1x" are syntax errors).
bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)); }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Parser {
 public:
  Parser(std::string_view text, std::string_view what, ExpressionContext& ctx) : text_(text), what_(what), ctx_(ctx) {
    if (text.size() > kMaxExpressionBytes)
      throw ApiError::validation("Invalid " + what_ + ": Expression size has exceeded the maximum allowed size; expression size: " +
                                 std::to_string(text.size()));
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
      throw ApiError::validation("Invalid " + what_ + ": The expression can not be empty;");
    tokenize();
  }

  // ---- conditions ----
  Node condition() {
    Depth d(*this);
    Node left = conjunction();
    while (keyword("OR")) {
      count_operator();
      Node n;
      n.kind = Node::Kind::kOr;
      n.kids.push_back(std::move(left));
      n.kids.push_back(conjunction());
      left = std::move(n);
    }
    return left;
  }

  Node full_condition() {
    Node n = condition();
    expect_end();
    return n;
  }

  // ---- update ----
  std::vector<UpdateAction> update() {
    std::vector<UpdateAction> out;
    std::set<std::string> seen;
    while (!at_end()) {
      const Token& t = peek();
      std::string kw = upper(t.text);
      if (t.type != Tok::kIdent || (kw != "SET" && kw != "REMOVE" && kw != "ADD" && kw != "DELETE")) syntax_error(t);
      if (!seen.insert(kw).second)
        throw ApiError::validation("Invalid UpdateExpression: The \"" + kw + "\" section can only be used once in an update expression;");
      next();
      do {
        UpdateAction a;
        a.kind = kw == "SET" ? UpdateAction::Kind::kSet : kw == "REMOVE" ? UpdateAction::Kind::kRemove
               : kw == "ADD" ? UpdateAction::Kind::kAdd : UpdateAction::Kind::kDelete;
        a.path = path();
        if (a.kind == UpdateAction::Kind::kSet) {
          expect("=");
          a.value = set_value();
        } else if (a.kind != UpdateAction::Kind::kRemove) {
          a.value = operand();
          if (a.value.kind != Node::Kind::kValue) syntax_error(peek_prev());
          auto vc = a.value.value->v_case();
          bool ok = a.kind == UpdateAction::Kind::kAdd
                        ? vc == AttributeValue::kN || vc == AttributeValue::kSs || vc == AttributeValue::kNs || vc == AttributeValue::kBs
                        : vc == AttributeValue::kSs || vc == AttributeValue::kNs || vc == AttributeValue::kBs;
          if (!ok)
            throw ApiError::validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: " + kw +
                                       ", operand type: " + operand_type(*a.value.value));
        }
        out.push_back(std::move(a));
      } while (punct(","));
    }
    if (out.empty()) syntax_error(peek());
    check_overlap(out);
    return out;
  }

  std::vector<Path> projection() {
    std::vector<Path> out;
    do out.push_back(path());
    while (punct(","));
    expect_end();
    for (size_t i = 0; i < out.size(); ++i)
      for (size_t j = i + 1; j < out.size(); ++j) overlap_error(out[i], out[j]);
    return out;
  }

 private:
  struct Depth {
    explicit Depth(Parser& p) : p_(p) {
      // Only unbalanced parentheses nest this deep: the syntax error they end in.
      if (++p_.depth_ > kMaxDepth) p_.syntax_error(p_.tokens_.back());
    }
    ~Depth() { --p_.depth_; }
    Parser& p_;
  };

  static std::string upper(std::string_view s) {
    std::string u(s);
    for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  }

  void tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.pos = i;
      if (ident_start(c)) {
        size_t j = i;
        while (j < text_.size() && ident_char(text_[j])) ++j;
        t.type = Tok::kIdent;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (c == '#' || c == ':') {
        size_t j = i + 1;
        while (j < text_.size() && ident_char(text_[j])) ++j;
        t.type = c == '#' ? Tok::kName : Tok::kValue;
        t.text = std::string(text_.substr(i, j - i));
        if (j == i + 1) {
          t.type = Tok::kPunct;
          tokens_.push_back(t);
          syntax_error(tokens_.back());
        }
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        t.type = Tok::kNumber;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else {
        static const char* kTwo[] = {"<>", "<=", ">="};
        t.type = Tok::kPunct;
        t.text = std::string(1, c);
        for (auto* two : kTwo)
          if (text_.substr(i, 2) == two) t.text = two;
        if (std::string_view("=<>()[].,+-_").find(c) == std::string_view::npos) {
          tokens_.push_back(t);
          syntax_error(tokens_.back());
        }
        i += t.text.size();
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.type = Tok::kEnd;
    end.text = "<EOF>";
    end.pos = text_.size();
    tokens_.push_back(end);
  }

  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& peek_prev() const { return tokens_[pos_ == 0 ? 0 : pos_ - 1]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool at_end() const { return peek().type == Tok::kEnd; }

  bool keyword(std::string_view kw) {
    if (peek().type == Tok::kIdent && upper(peek().text) == kw) {
      next();
      return true;
    }
    return false;
  }
  bool punct(std::string_view p) {
    if (peek().type == Tok::kPunct && peek().text == p) {
      next();
      return true;
    }
    return false;
  }
  void expect(std::string_view p) {
    if (!punct(p)) syntax_error(peek());
  }
  void expect_end() {
    if (!at_end()) syntax_error(peek());
  }

  [[noreturn]] void syntax_error(const Token& t) const {
    // AWS shows the offending token and the text around it.
    size_t idx = static_cast<size_t>(&t - tokens_.data());
    size_t from = idx > 0 ? tokens_[idx - 1].pos : t.pos;
    size_t to = idx + 1 < tokens_.size() ? tokens_[idx + 1].pos + tokens_[idx + 1].text.size() : text_.size();
    to = std::min(to, text_.size());
    std::string near(text_.substr(from, to > from ? to - from : 0));
    throw ApiError::validation("Invalid " + what_ + ": Syntax error; token: \"" + t.text + "\", near: \"" + near + "\"");
  }

  static std::string operand_type(const AttributeValue& v) {
    switch (v.v_case()) {
      case AttributeValue::kS: return "STRING";
      case AttributeValue::kN: return "NUMBER";
      case AttributeValue::kB: return "BINARY";
      case AttributeValue::kSs: return "STRING SET";
      case AttributeValue::kNs: return "NUMBER SET";
      case AttributeValue::kBs: return "BINARY SET";
      case AttributeValue::kM: return "MAP";
      case AttributeValue::kL: return "LIST";
      case AttributeValue::kBoolValue: return "BOOLEAN";
      case AttributeValue::kNullValue: return "NULL";
      default: return "";
    }
  }

  Node conjunction() {
    Node left = negation();
    while (keyword("AND")) {
      count_operator();
      Node n;
      n.kind = Node::Kind::kAnd;
      n.kids.push_back(std::move(left));
      n.kids.push_back(negation());
      left = std::move(n);
    }
    return left;
  }

  Node negation() {
    Depth d(*this);
    if (keyword("NOT")) {
      count_operator();
      Node n;
      n.kind = Node::Kind::kNot;
      n.kids.push_back(negation());
      return n;
    }
    return primary();
  }

  static bool is_condition_function(std::string_view f) {
    return f == "attribute_exists" || f == "attribute_not_exists" || f == "attribute_type" || f == "begins_with" || f == "contains";
  }
  static bool is_known_function(std::string_view f) {
    return is_condition_function(f) || f == "size" || f == "if_not_exists" || f == "list_append";
  }

  Node primary() {
    if (peek().type == Tok::kPunct && peek().text == "(") {
      check_redundant_parentheses();
      // A parenthesised condition, or a parenthesised operand that starts a
      // comparison ("(#a) = :v"): the condition is tried first.
      const size_t start = pos_;
      const int operators = operators_;
      try {
        next();
        Node n = condition();
        expect(")");
        return n;
      } catch (const ApiError& first) {
        pos_ = start;
        operators_ = operators;
        try {
          return comparison(operand());
        } catch (const ApiError&) {
          throw first;
        }
      }
    }
    if (peek().type == Tok::kIdent && peek(1).type == Tok::kPunct && peek(1).text == "(" && is_condition_function(peek().text)) {
      Node f = function_call();
      return f;
    }
    Node left = operand();
    if (left.kind == Node::Kind::kFunction && !at_comparison())  // "size(a)" alone
      throw ApiError::validation("Invalid " + what_ + ": The function is not allowed to be used this way in an expression; function: " + left.op);
    return comparison(std::move(left));
  }

  bool at_comparison() const {
    const Token& t = peek();
    if (t.type == Tok::kPunct) return t.text == "=" || t.text == "<>" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=";
    if (t.type != Tok::kIdent) return false;
    std::string kw = upper(t.text);
    return kw == "BETWEEN" || kw == "IN";
  }

  void count_operator() {
    if (++operators_ > kMaxOperators)
      throw ApiError::validation("Invalid " + what_ + ": The expression contains too many operators; operator count: " + std::to_string(operators_));
  }

  // The index of the ")" closing the "(" at token `open`, or npos.
  size_t closing(size_t open) const {
    int depth = 0;
    for (size_t i = open; i < tokens_.size(); ++i) {
      if (tokens_[i].type != Tok::kPunct) continue;
      if (tokens_[i].text == "(") ++depth;
      else if (tokens_[i].text == ")" && --depth == 0) return i;
    }
    return std::string_view::npos;
  }

  // AWS refuses "((x))": parentheses whose only content is another pair.
  void check_redundant_parentheses() const {
    if (!(peek(1).type == Tok::kPunct && peek(1).text == "(")) return;
    size_t outer = closing(pos_);
    if (outer != std::string_view::npos && closing(pos_ + 1) + 1 == outer)
      throw ApiError::validation("Invalid " + what_ + ": The expression has redundant parentheses;");
  }

  // AWS: a constant operand of <, <=, >, >= or BETWEEN must be a string, number or binary.
  void check_ordered(const Node& n, std::string_view op) const {
    if (n.kind != Node::Kind::kValue) return;
    auto vc = n.value->v_case();
    if (vc != AttributeValue::kS && vc != AttributeValue::kN && vc != AttributeValue::kB) incorrect_operand(op, *n.value);
  }

  [[noreturn]] void incorrect_operand(std::string_view op, const AttributeValue& v) const {
    incorrect_operand(op, type_name(v));
  }
  [[noreturn]] void incorrect_operand(std::string_view op, std::string_view type) const {
    throw ApiError::validation("Invalid " + what_ + ": Incorrect operand type for operator or function; operator or function: " + std::string(op) +
                               ", operand type: " + std::string(type));
  }

  // What follows a condition's first operand.
  Node comparison(Node left) {
    const Token& t = peek();
    if (t.type == Tok::kPunct && (t.text == "=" || t.text == "<>" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=")) {
      next();
      count_operator();
      Node n;
      n.kind = Node::Kind::kCompare;
      n.op = t.text;
      n.kids.push_back(std::move(left));
      n.kids.push_back(operand());
      if (n.op != "=" && n.op != "<>")
        for (auto& k : n.kids) check_ordered(k, n.op);
      return n;
    }
    if (keyword("BETWEEN")) {
      count_operator();
      Node n;
      n.kind = Node::Kind::kBetween;
      n.kids.push_back(std::move(left));
      n.kids.push_back(operand());
      if (!keyword("AND")) syntax_error(peek());
      n.kids.push_back(operand());
      for (auto& k : n.kids) check_ordered(k, "BETWEEN");
      return n;
    }
    if (keyword("IN")) {
      count_operator();
      Node n;
      n.kind = Node::Kind::kIn;
      n.kids.push_back(std::move(left));
      expect("(");
      do n.kids.push_back(operand());
      while (punct(","));
      expect(")");
      if (n.kids.size() > 101)
        throw ApiError::validation("Invalid " + what_ + ": The expression contains too many operands for the IN operator; limit: 100");
      return n;
    }
    syntax_error(t);
  }

  Node function_call() {
    Depth d(*this);
    Node f;
    f.kind = Node::Kind::kFunction;
    f.op = next().text;
    if (!is_known_function(f.op)) throw ApiError::validation("Invalid " + what_ + ": Invalid function name; function: " + f.op);
    count_operator();
    expect("(");
    do f.kids.push_back(operand());
    while (punct(","));
    expect(")");
    size_t want = f.op == "attribute_exists" || f.op == "attribute_not_exists" || f.op == "size" ? 1 : 2;
    if (f.kids.size() != want)
      throw ApiError::validation("Invalid " + what_ + ": Incorrect number of operands for operator or function; operator or function: " +
                                 f.op + ", number of operands: " + std::to_string(f.kids.size()));
    // attribute_type's first operand may be a value (AWS evaluates it).
    bool needs_path = f.op == "attribute_exists" || f.op == "attribute_not_exists" || f.op == "if_not_exists";
    if (needs_path && f.kids[0].kind != Node::Kind::kPath)
      throw ApiError::validation("Invalid " + what_ + ": Operator or function requires a document path; operator or function: " + f.op);
    if (f.op == "attribute_type") {
      // The type must be a value: a string naming one of the ten types.
      const Node& t = f.kids[1];
      if (t.kind == Node::Kind::kFunction && t.op == "size") incorrect_operand(f.op, "N");
      if (t.kind != Node::Kind::kValue) incorrect_operand(f.op, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
      if (t.value->v_case() != AttributeValue::kS) incorrect_operand(f.op, *t.value);
      static const std::set<std::string, std::less<>> kTypes = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"};
      if (!kTypes.count(t.value->s()))
        throw ApiError::validation("Invalid " + what_ + ": Invalid attribute type name found; type: " + t.value->s() +
                                   ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    } else if (f.op == "size") {
      // A constant or a size() has a type known now: sizes are of S, B, sets, L and M.
      const Node& a = f.kids[0];
      if (a.kind == Node::Kind::kFunction && a.op == "size") incorrect_operand(f.op, "N");
      if (a.kind == Node::Kind::kValue) {
        auto vc = a.value->v_case();
        if (vc == AttributeValue::kN || vc == AttributeValue::kBoolValue || vc == AttributeValue::kNullValue) incorrect_operand(f.op, *a.value);
      }
    } else if (f.op == "begins_with") {
      for (const Node& a : f.kids) {
        if (a.kind == Node::Kind::kFunction && a.op == "size") incorrect_operand(f.op, "N");
        if (a.kind == Node::Kind::kValue && a.value->v_case() != AttributeValue::kS && a.value->v_case() != AttributeValue::kB)
          incorrect_operand(f.op, *a.value);
      }
    }
    return f;
  }

  // An operand of a comparison or function: path, value or an operand function.
  Node operand() {
    Depth d(*this);
    if (peek().type == Tok::kPunct && peek().text == "(") {
      if (what_ != "UpdateExpression") check_redundant_parentheses();
      next();
      // A parenthesised operand; in an update it may hold "a + b".
      Node n = what_ == "UpdateExpression" ? set_value() : operand();
      expect(")");
      return n;
    }
    const Token& t = peek();
    if (t.type == Tok::kValue) {
      next();
      Node n;
      n.kind = Node::Kind::kValue;
      n.value_ref = t.text;
      n.value = ctx_.value(t.text);
      if (!n.value)
        throw ApiError::validation("Invalid " + what_ + ": An expression attribute value used in expression is not defined; attribute value: " + t.text);
      return n;
    }
    if (t.type == Tok::kIdent && peek(1).type == Tok::kPunct && peek(1).text == "(") {
      Node f = function_call();
      bool update = what_ == "UpdateExpression";
      if (is_condition_function(f.op) || (update && f.op == "size") || (!update && f.op != "size"))
        throw ApiError::validation("Invalid " + what_ + ": The function is not allowed to be used this way in an expression; function: " + f.op);
      return f;
    }
    Node n;
    n.kind = Node::Kind::kPath;
    n.path = path();
    return n;
  }

  Node set_value() {
    Node left = operand();
    if (peek().type == Tok::kPunct && (peek().text == "+" || peek().text == "-")) {
      count_operator();
      Node n;
      n.kind = next().text == "+" ? Node::Kind::kPlus : Node::Kind::kMinus;
      n.kids.push_back(std::move(left));
      n.kids.push_back(operand());
      return n;
    }
    return left;
  }

  PathElem name_elem() {
    const Token& t = peek();
    PathElem e;
    if (t.type == Tok::kName) {
      const std::string* n = ctx_.name(t.text);
      if (!n)
        throw ApiError::validation("Invalid " + what_ + ": An expression attribute name used in the document path is not defined; attribute name: " + t.text);
      e.name = *n;
    } else if (t.type == Tok::kIdent) {
      if (is_reserved_word(t.text))
        throw ApiError::validation("Invalid " + what_ + ": Attribute name is a reserved keyword; reserved keyword: " + t.text);
      e.name = t.text;
    } else {
      syntax_error(t);
    }
    next();
    return e;
  }

  Path path() {
    Path p;
    p.push_back(name_elem());
    for (;;) {
      if (punct(".")) {
        p.push_back(name_elem());
      } else if (punct("[")) {
        const Token& t = peek();
        if (t.type != Tok::kNumber) syntax_error(t);
        PathElem e;
        if (t.text.size() > 9) throw ApiError::validation("Invalid " + what_ + ": List index is too large; index: " + t.text);
        e.index = std::stoi(t.text);
        next();
        expect("]");
        p.push_back(e);
      } else {
        break;
      }
    }
    if (p.size() > 32)
      throw ApiError::validation("Invalid " + what_ + ": The document path has too many nesting levels; nesting levels: " + std::to_string(p.size()));
    return p;
  }

  static std::string bracketed(const Path& p) {
    std::string s = "[";
    for (size_t i = 0; i < p.size(); ++i) {
      if (i) s += ", ";
      s += p[i].index >= 0 ? "[" + std::to_string(p[i].index) + "]" : p[i].name;
    }
    return s + "]";
  }

  void overlap_error(const Path& a, const Path& b) const {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (a[i].name == b[i].name && a[i].index == b[i].index) continue;
      // One path takes the attribute as a list, the other as a map.
      if (i > 0 && (a[i].index >= 0) != (b[i].index >= 0))
        throw ApiError::validation("Invalid " + what_ + ": Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
                                   bracketed(a) + ", path two: " + bracketed(b));
      return;
    }
    throw ApiError::validation("Invalid " + what_ + ": Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
                               bracketed(a) + ", path two: " + bracketed(b));
  }

  void check_overlap(const std::vector<UpdateAction>& acts) const {
    for (size_t i = 0; i < acts.size(); ++i)
      for (size_t j = i + 1; j < acts.size(); ++j) overlap_error(acts[i].path, acts[j].path);
  }

  std::string_view text_;
  std::string what_;
  ExpressionContext& ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int operators_ = 0;
};

// ---- evaluation helpers ----

const AttributeValue* step(const AttributeValue* cur, const PathElem& e) {
  if (!cur) return nullptr;
  if (e.index >= 0) {
    if (cur->v_case() != AttributeValue::kL || e.index >= cur->l().values_size()) return nullptr;
    return &cur->l().values(e.index);
  }
  if (cur->v_case() != AttributeValue::kM) return nullptr;
  auto it = cur->m().fields().find(e.name);
  return it == cur->m().fields().end() ? nullptr : &it->second;
}

[[noreturn]] void bad_operand() { throw ApiError::validation("An operand in the update expression has an incorrect data type"); }

Decimal to_decimal(const AttributeValue& v) {
  Decimal d;
  parse_decimal(v.n(), d);
  return d;
}

AttributeValue number_value(const Decimal& d) {
  NumberError e = check_range(d);
  if (e != NumberError::kNone) throw ApiError::validation(number_error_message(e, d.str()));
  AttributeValue v;
  v.set_n(d.str());
  return v;
}

// Operand value for conditions: points into the item or the request, or
// into `tmp` for computed values (size). nullptr: absent.
const AttributeValue* operand_value(const Node& n, const Item& item, AttributeValue& tmp) {
  switch (n.kind) {
    case Node::Kind::kPath: return resolve(item, n.path);
    case Node::Kind::kValue: return n.value;
    case Node::Kind::kFunction: {
      if (n.op != "size") return nullptr;
      AttributeValue inner_tmp;
      const AttributeValue* v = operand_value(n.kids[0], item, inner_tmp);
      if (!v) return nullptr;
      int64_t size = 0;
      switch (v->v_case()) {
        case AttributeValue::kS: size = static_cast<int64_t>(v->s().size()); break;
        case AttributeValue::kB: size = static_cast<int64_t>(v->b().size()); break;
        case AttributeValue::kSs: size = v->ss().values_size(); break;
        case AttributeValue::kNs: size = v->ns().values_size(); break;
        case AttributeValue::kBs: size = v->bs().values_size(); break;
        case AttributeValue::kM: size = static_cast<int64_t>(v->m().fields().size()); break;
        case AttributeValue::kL: size = v->l().values_size(); break;
        default:
          if (n.kids[0].kind == Node::Kind::kValue)
            throw ApiError::validation("Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: " +
                                       std::string(type_name(*v)));
          return nullptr;
      }
      tmp.set_n(std::to_string(size));
      return &tmp;
    }
    default: return nullptr;
  }
}

bool contains_value(const AttributeValue& hay, const AttributeValue& needle) {
  switch (hay.v_case()) {
    case AttributeValue::kS: return needle.v_case() == AttributeValue::kS && hay.s().find(needle.s()) != std::string::npos;
    case AttributeValue::kB: return needle.v_case() == AttributeValue::kB && hay.b().find(needle.b()) != std::string::npos;
    case AttributeValue::kSs:
      return needle.v_case() == AttributeValue::kS && std::binary_search(hay.ss().values().begin(), hay.ss().values().end(), needle.s());
    case AttributeValue::kNs:
      if (needle.v_case() != AttributeValue::kN) return false;
      return std::find(hay.ns().values().begin(), hay.ns().values().end(), needle.n()) != hay.ns().values().end();
    case AttributeValue::kBs:
      return needle.v_case() == AttributeValue::kB && std::binary_search(hay.bs().values().begin(), hay.bs().values().end(), needle.b());
    case AttributeValue::kL:
      for (auto& e : hay.l().values())
        if (equal(e, needle)) return true;
      return false;
    default: return false;
  }
}

// ---- update helpers ----

AttributeValue update_value(const Node& n, const Item& item) {
  switch (n.kind) {
    case Node::Kind::kValue: return *n.value;
    case Node::Kind::kPath: {
      const AttributeValue* v = resolve(item, n.path);
      if (!v) throw ApiError::validation("The provided expression refers to an attribute that does not exist in the item");
      return *v;
    }
    case Node::Kind::kPlus:
    case Node::Kind::kMinus: {
      AttributeValue a = update_value(n.kids[0], item), b = update_value(n.kids[1], item);
      if (a.v_case() != AttributeValue::kN || b.v_case() != AttributeValue::kN) bad_operand();
      Decimal db = to_decimal(b);
      return number_value(add(to_decimal(a), n.kind == Node::Kind::kPlus ? db : negate(db)));
    }
    case Node::Kind::kFunction: {
      if (n.op == "if_not_exists") {
        const AttributeValue* v = resolve(item, n.kids[0].path);
        return v ? *v : update_value(n.kids[1], item);
      }
      // list_append
      AttributeValue a = update_value(n.kids[0], item), b = update_value(n.kids[1], item);
      if (a.v_case() != AttributeValue::kL || b.v_case() != AttributeValue::kL) bad_operand();
      for (auto& e : b.l().values()) *a.mutable_l()->add_values() = e;
      return a;
    }
    default: bad_operand();
  }
}

[[noreturn]] void invalid_path() { throw ApiError::validation("The document path provided in the update expression is invalid for update"); }

// The parent container of the path's last element; nullptr when a missing
// intermediate makes the path invalid.
AttributeValue* parent_of(Item& item, const Path& p, bool create_invalid_error) {
  auto it = item.mutable_attrs()->find(p[0].name);
  if (it == item.mutable_attrs()->end()) {
    if (create_invalid_error) invalid_path();
    return nullptr;
  }
  AttributeValue* cur = &it->second;
  for (size_t i = 1; i + 1 < p.size(); ++i) {
    const PathElem& e = p[i];
    if (e.index >= 0) {
      if (cur->v_case() != AttributeValue::kL || e.index >= cur->l().values_size()) {
        if (create_invalid_error) invalid_path();
        return nullptr;
      }
      cur = cur->mutable_l()->mutable_values(e.index);
    } else {
      if (cur->v_case() != AttributeValue::kM) {
        if (create_invalid_error) invalid_path();
        return nullptr;
      }
      auto f = cur->mutable_m()->mutable_fields()->find(e.name);
      if (f == cur->mutable_m()->mutable_fields()->end()) {
        if (create_invalid_error) invalid_path();
        return nullptr;
      }
      cur = &f->second;
    }
  }
  return cur;
}

void assign(Item& item, const Path& p, AttributeValue v) {
  if (p.size() == 1) {
    (*item.mutable_attrs())[p[0].name] = std::move(v);
    return;
  }
  if (p[0].index >= 0) invalid_path();
  AttributeValue* parent = parent_of(item, p, true);
  const PathElem& last = p.back();
  if (last.index >= 0) {
    if (parent->v_case() != AttributeValue::kL) invalid_path();
    auto* l = parent->mutable_l();
    if (last.index >= l->values_size()) *l->add_values() = std::move(v);
    else *l->mutable_values(last.index) = std::move(v);
  } else {
    if (parent->v_case() != AttributeValue::kM) invalid_path();
    (*parent->mutable_m()->mutable_fields())[last.name] = std::move(v);
  }
}

// AWS: the parent must exist and be a list (for an index) or a map (for a
// name); an absent last element is ignored.
void remove_path(Item& item, const Path& p) {
  if (p.size() == 1) {
    item.mutable_attrs()->erase(p[0].name);
    return;
  }
  AttributeValue* parent = parent_of(item, p, true);
  const PathElem& last = p.back();
  if (last.index >= 0) {
    if (parent->v_case() != AttributeValue::kL) invalid_path();
    auto* l = parent->mutable_l()->mutable_values();
    if (last.index < l->size()) l->erase(l->begin() + last.index);
  } else {
    if (parent->v_case() != AttributeValue::kM) invalid_path();
    parent->mutable_m()->mutable_fields()->erase(last.name);
  }
}

template <class Repeated>
void set_union(Repeated* into, const Repeated& add, bool numbers) {
  std::vector<std::string> all(into->begin(), into->end());
  for (auto& e : add)
    if (std::find(all.begin(), all.end(), e) == all.end()) all.push_back(e);
  if (numbers) std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return compare_numbers(a, b) < 0; });
  else std::sort(all.begin(), all.end());
  into->Clear();
  for (auto& e : all) *into->Add() = e;
}

template <class Repeated>
void set_difference(Repeated* from, const Repeated& del) {
  std::vector<std::string> keep;
  for (auto& e : *from)
    if (std::find(del.begin(), del.end(), e) == del.end()) keep.push_back(e);
  from->Clear();
  for (auto& e : keep) *from->Add() = e;
}

}  // namespace

std::string path_string(const Path& p) {
  std::string s;
  for (auto& e : p) {
    if (e.index >= 0) s += "[" + std::to_string(e.index) + "]";
    else s += (s.empty() ? "" : ".") + e.name;
  }
  return s;
}

ExpressionContext::ExpressionContext(const json::object* names, const json::object* values) {
  if (names) {
    if (names->empty()) throw ApiError::validation("ExpressionAttributeNames must not be empty");
    for (auto& kv : *names) {
      std::string_view k = kv.key();
      if (k.size() < 2 || k[0] != '#' || !std::all_of(k.begin() + 1, k.end(), ident_char))
        throw ApiError::validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + std::string(k) + "\"");
      names_.emplace(std::string(k), std::string(kv.value().as_string()));
    }
  }
  if (values) {
    if (values->empty()) throw ApiError::validation("ExpressionAttributeValues must not be empty");
    for (auto& kv : *values) {
      std::string_view k = kv.key();
      if (k.size() < 2 || k[0] != ':' || !std::all_of(k.begin() + 1, k.end(), ident_char))
        throw ApiError::validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + std::string(k) + "\"");
      try {
        values_.emplace(std::string(k), from_json(kv.value()));
      } catch (ApiError& e) {
        e.message = "ExpressionAttributeValues contains invalid value: " + e.message + " for key " + std::string(k);
        throw;
      }
    }
  }
}

const std::string* ExpressionContext::name(std::string_view ref) {
  auto it = names_.find(ref);
  if (it == names_.end()) return nullptr;
  used_names_.emplace(ref);
  return &it->second;
}

const AttributeValue* ExpressionContext::value(std::string_view ref) {
  auto it = values_.find(ref);
  if (it == values_.end()) return nullptr;
  used_values_.emplace(ref);
  return &it->second;
}

void ExpressionContext::check_all_used() const {
  auto unused = [](const auto& all, const auto& used) {
    std::string s;
    for (auto& [k, v] : all)
      if (!used.count(k)) s += (s.empty() ? "" : ", ") + k;
    return s;
  };
  std::string n = unused(names_, used_names_);
  if (!n.empty()) throw ApiError::validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + n + "}");
  std::string v = unused(values_, used_values_);
  if (!v.empty()) throw ApiError::validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + v + "}");
}

Node parse_condition(std::string_view text, std::string_view what, ExpressionContext& ctx) {
  return Parser(text, what, ctx).full_condition();
}

std::vector<UpdateAction> parse_update(std::string_view text, ExpressionContext& ctx) {
  return Parser(text, "UpdateExpression", ctx).update();
}

std::vector<Path> parse_projection(std::string_view text, std::string_view what, ExpressionContext& ctx) {
  return Parser(text, what, ctx).projection();
}

const AttributeValue* resolve(const Item& item, const Path& path) {
  if (path.empty() || path[0].index >= 0) return nullptr;
  auto it = item.attrs().find(path[0].name);
  if (it == item.attrs().end()) return nullptr;
  const AttributeValue* cur = &it->second;
  for (size_t i = 1; i < path.size() && cur; ++i) cur = step(cur, path[i]);
  return cur;
}

bool evaluate(const Node& n, const Item& item) {
  switch (n.kind) {
    case Node::Kind::kAnd: return evaluate(n.kids[0], item) && evaluate(n.kids[1], item);
    case Node::Kind::kOr: return evaluate(n.kids[0], item) || evaluate(n.kids[1], item);
    case Node::Kind::kNot: return !evaluate(n.kids[0], item);
    case Node::Kind::kCompare: {
      AttributeValue ta, tb;
      const AttributeValue* a = operand_value(n.kids[0], item, ta);
      const AttributeValue* b = operand_value(n.kids[1], item, tb);
      if (n.op == "=") return a && b && equal(*a, *b);
      if (n.op == "<>") return !a || !b || !equal(*a, *b);  // an absent operand differs from anything, absence included
      if (!a || !b) return false;
      bool comparable = false;
      int c = compare_values(*a, *b, comparable);
      if (!comparable) return false;
      if (n.op == "<") return c < 0;
      if (n.op == "<=") return c <= 0;
      if (n.op == ">") return c > 0;
      return c >= 0;
    }
    case Node::Kind::kBetween: {
      AttributeValue t0, t1, t2;
      const AttributeValue* v = operand_value(n.kids[0], item, t0);
      const AttributeValue* lo = operand_value(n.kids[1], item, t1);
      const AttributeValue* hi = operand_value(n.kids[2], item, t2);
      if (!lo || !hi) return false;
      bool comparable = false;
      int c = compare_values(*lo, *hi, comparable);
      if (comparable && c > 0)
        throw ApiError::validation("Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: " +
                                   describe_value(*lo) + ", upper bound operand: AttributeValue: " + describe_value(*hi));
      if (!v) return false;
      int c1 = compare_values(*v, *lo, comparable);
      if (!comparable) return false;
      int c2 = compare_values(*v, *hi, comparable);
      return comparable && c1 >= 0 && c2 <= 0;
    }
    case Node::Kind::kIn: {
      AttributeValue t0;
      const AttributeValue* v = operand_value(n.kids[0], item, t0);
      if (!v) return false;
      for (size_t i = 1; i < n.kids.size(); ++i) {
        AttributeValue ti;
        const AttributeValue* c = operand_value(n.kids[i], item, ti);
        if (c && equal(*v, *c)) return true;
      }
      return false;
    }
    case Node::Kind::kFunction: {
      if (n.op == "attribute_exists") return resolve(item, n.kids[0].path) != nullptr;
      if (n.op == "attribute_not_exists") return resolve(item, n.kids[0].path) == nullptr;
      AttributeValue ta, tb;
      const AttributeValue* a = operand_value(n.kids[0], item, ta);
      const AttributeValue* b = operand_value(n.kids[1], item, tb);
      if (!a || !b) return false;
      if (n.op == "attribute_type") return b->v_case() == AttributeValue::kS && type_name(*a) == b->s();
      if (n.op == "begins_with") {
        if (a->v_case() == AttributeValue::kS && b->v_case() == AttributeValue::kS) return a->s().compare(0, b->s().size(), b->s()) == 0;
        if (a->v_case() == AttributeValue::kB && b->v_case() == AttributeValue::kB) return a->b().compare(0, b->b().size(), b->b()) == 0;
        if (n.kids[1].kind == Node::Kind::kValue && b->v_case() != AttributeValue::kS && b->v_case() != AttributeValue::kB)
          throw ApiError::validation("Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: " +
                                     std::string(type_name(*b)));
        return false;
      }
      if (n.op == "contains") return contains_value(*a, *b);
      return false;
    }
    default: return false;
  }
}

void apply_update(const std::vector<UpdateAction>& actions, Item& item) {
  const Item original = item;
  // List element removals run from the highest index down, so that indexes
  // refer to the original list, as AWS evaluates them.
  std::vector<const UpdateAction*> removes;
  // SETs of list elements past the end append in index order (SET l[10] = :x,
  // l[7] = :y appends y, then x), as AWS; paths never overlap, so the order of
  // the SETs changes nothing else.
  std::vector<const UpdateAction*> sets;
  for (auto& a : actions)
    if (a.kind == UpdateAction::Kind::kSet) sets.push_back(&a);
  std::stable_sort(sets.begin(), sets.end(), [](const UpdateAction* x, const UpdateAction* y) {
    return x->path.back().index < y->path.back().index;
  });
  for (auto* a : sets) assign(item, a->path, update_value(a->value, original));
  for (auto& a : actions) {
    switch (a.kind) {
      case UpdateAction::Kind::kSet: break;
      case UpdateAction::Kind::kRemove: removes.push_back(&a); break;
      case UpdateAction::Kind::kAdd: {
        const AttributeValue* cur = resolve(item, a.path);
        const AttributeValue& add_v = *a.value.value;
        if (!cur) {
          assign(item, a.path, add_v);
          break;
        }
        AttributeValue merged = *cur;
        if (cur->v_case() != add_v.v_case()) bad_operand();
        if (add_v.v_case() == AttributeValue::kN) merged = number_value(add(to_decimal(*cur), to_decimal(add_v)));
        else if (add_v.v_case() == AttributeValue::kSs) set_union(merged.mutable_ss()->mutable_values(), add_v.ss().values(), false);
        else if (add_v.v_case() == AttributeValue::kNs) set_union(merged.mutable_ns()->mutable_values(), add_v.ns().values(), true);
        else set_union(merged.mutable_bs()->mutable_values(), add_v.bs().values(), false);
        assign(item, a.path, std::move(merged));
        break;
      }
      case UpdateAction::Kind::kDelete: {
        const AttributeValue* cur = resolve(item, a.path);
        if (!cur) break;
        const AttributeValue& del = *a.value.value;
        if (cur->v_case() != del.v_case()) bad_operand();
        AttributeValue left = *cur;
        int size = 0;
        if (del.v_case() == AttributeValue::kSs) set_difference(left.mutable_ss()->mutable_values(), del.ss().values()), size = left.ss().values_size();
        else if (del.v_case() == AttributeValue::kNs) set_difference(left.mutable_ns()->mutable_values(), del.ns().values()), size = left.ns().values_size();
        else set_difference(left.mutable_bs()->mutable_values(), del.bs().values()), size = left.bs().values_size();
        if (size == 0) remove_path(item, a.path);
        else assign(item, a.path, std::move(left));
        break;
      }
    }
  }
  std::stable_sort(removes.begin(), removes.end(), [](const UpdateAction* x, const UpdateAction* y) {
    return x->path.back().index > y->path.back().index;
  });
  for (auto* r : removes) remove_path(item, r->path);
}

namespace {

// Projection tree: names map to children; list indexes are kept in order and
// compacted into a list when the tree is turned back into a value.
struct ProjNode {
  const AttributeValue* leaf = nullptr;
  bool is_list = false;
  std::map<std::string, ProjNode> fields;
  std::map<int, ProjNode> elems;
};

AttributeValue build(const ProjNode& n) {
  if (n.leaf) return *n.leaf;
  AttributeValue v;
  if (n.is_list) {
    auto* l = v.mutable_l();
    for (auto& [i, c] : n.elems) *l->add_values() = build(c);
  } else {
    auto* m = v.mutable_m()->mutable_fields();
    for (auto& [k, c] : n.fields) (*m)[k] = build(c);
  }
  return v;
}

}  // namespace

Item project(const Item& item, const std::vector<Path>& paths) {
  std::map<std::string, ProjNode> top;
  for (auto& p : paths) {
    const AttributeValue* v = resolve(item, p);
    if (!v) continue;
    ProjNode* cur = &top[p[0].name];
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i].index >= 0) {
        cur->is_list = true;
        cur = &cur->elems[p[i].index];
      } else {
        cur = &cur->fields[p[i].name];
      }
    }
    cur->leaf = v;
  }
  Item out;
  for (auto& [k, n] : top) (*out.mutable_attrs())[k] = build(n);
  return out;
}

}  // namespace podstack::dynamodb
