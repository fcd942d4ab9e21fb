#include "server/services/dynamodb/partiql.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace podstack::dynamodb {
namespace {

namespace json = boost::json;
using protocol::ApiError;

enum class T { kEnd, kIdent, kQuoted, kString, kNumber, kParam, kPunct };

struct Tok {
  T type = T::kEnd;
  std::string text;
};

[[noreturn]] void malformed(std::string_view why) {
  throw ApiError::validation("Statement wasn't well formed, can't be processed: " + std::string(why));
}

std::vector<Tok> tokenize(std::string_view s) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Tok t;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t = {T::kIdent, std::string(s.substr(i, j - i))};
      i = j;
    } else if (c == '"' || c == '\'') {
      std::string text;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= s.size()) malformed("unterminated quoted text");
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            text += c;
            ++j;
            continue;
          }
          break;
        }
        text += s[j];
      }
      t = {c == '"' ? T::kQuoted : T::kString, text};
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
                (out.empty() || out.back().type == T::kPunct))) {
      size_t j = i + 1;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
                              ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        ++j;
      t = {T::kNumber, std::string(s.substr(i, j - i))};
      i = j;
    } else if (c == '?') {
      t = {T::kParam, "?"};
      ++i;
    } else {
      static const char* kTwo[] = {"<>", "!=", "<=", ">=", "<<", ">>"};
      t = {T::kPunct, std::string(1, c)};
      for (auto* two : kTwo)
        if (s.substr(i, 2) == two) t.text = two;
      if (std::string_view(",.()[]{}:=<>+-*").find(c) == std::string_view::npos) malformed("unexpected character " + std::string(1, c));
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  out.push_back(Tok{T::kEnd, ""});
  return out;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

class Reader {
 public:
  Reader(std::string_view stmt, const json::array* params) : toks_(tokenize(stmt)), params_(params) {}

  PartiqlStatement parse() {
    std::string kw = upper(peek().text);
    if (peek().type != T::kIdent) malformed("expected SELECT, INSERT, UPDATE or DELETE");
    next();
    if (kw == "SELECT") select();
    else if (kw == "INSERT") insert();
    else if (kw == "UPDATE") update();
    else if (kw == "DELETE") remove();
    else malformed("unsupported statement " + kw);
    if (peek().type != T::kEnd) malformed("unexpected " + peek().text);
    if (params_ && next_param_ != params_->size())
      throw ApiError::validation("Number of parameters in request and statement don't match.");
    return std::move(st_);
  }

 private:
  const Tok& peek(size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  const Tok& next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool keyword(std::string_view k) {
    if (peek().type == T::kIdent && upper(peek().text) == k) {
      next();
      return true;
    }
    return false;
  }
  void expect_keyword(std::string_view k) {
    if (!keyword(k)) malformed("expected " + std::string(k));
  }
  bool punct(std::string_view p) {
    if (peek().type == T::kPunct && peek().text == p) {
      next();
      return true;
    }
    return false;
  }
  void expect(std::string_view p) {
    if (!punct(p)) malformed("expected " + std::string(p));
  }

  std::string name_ref(const std::string& name) {
    for (auto& kv : st_.names)
      if (kv.value().as_string() == name) return std::string(kv.key());
    std::string ref = "#n" + std::to_string(st_.names.size());
    st_.names[ref] = name;
    return ref;
  }
  std::string value_ref(json::value v) {
    std::string ref = ":v" + std::to_string(st_.values.size());
    st_.values[ref] = std::move(v);
    return ref;
  }

  void table_name() {
    const Tok& t = next();
    if (t.type != T::kQuoted && t.type != T::kIdent) malformed("expected a table name");
    st_.table = t.text;
    if (punct(".")) {
      const Tok& ix = next();
      if (ix.type != T::kQuoted && ix.type != T::kIdent) malformed("expected an index name");
      st_.index = ix.text;
    }
  }

  // A literal: 'str', number, ?, TRUE/FALSE/NULL, {'k': v}, [v, ...], <<v, ...>>.
  json::value literal() {
    // Nested documents are bounded as DynamoDB bounds them (32 levels).
    struct Depth {
      explicit Depth(int& d) : d_(d) {
        if (++d_ > 32) malformed("nesting exceeds 32 levels");
      }
      ~Depth() { --d_; }
      int& d_;
    } depth(literal_depth_);
    const Tok& t = next();
    switch (t.type) {
      case T::kString: return json::object{{"S", t.text}};
      case T::kNumber: return json::object{{"N", t.text}};
      case T::kParam: {
        if (!params_ || next_param_ >= params_->size())
          throw ApiError::validation("Number of parameters in request and statement don't match.");
        return (*params_)[next_param_++];
      }
      case T::kIdent: {
        std::string u = upper(t.text);
        if (u == "TRUE" || u == "FALSE") return json::object{{"BOOL", u == "TRUE"}};
        if (u == "NULL") return json::object{{"NULL", true}};
        malformed("unexpected " + t.text);
      }
      case T::kPunct:
        if (t.text == "{") {
          json::object m;
          if (!punct("}")) {
            do {
              const Tok& k = next();
              if (k.type != T::kString) malformed("expected a quoted attribute name");
              std::string key = k.text;
              expect(":");
              m[key] = literal();
            } while (punct(","));
            expect("}");
          }
          return json::object{{"M", std::move(m)}};
        }
        if (t.text == "[") {
          json::array l;
          if (!punct("]")) {
            do l.push_back(literal());
            while (punct(","));
            expect("]");
          }
          return json::object{{"L", std::move(l)}};
        }
        if (t.text == "<<") {
          json::array members;
          std::string type;
          do {
            json::value v = literal();
            if (!v.is_object() || v.as_object().size() != 1) malformed("a set member must be a string, number or binary");
            auto& o = v.as_object();
            std::string ty(o.begin()->key());
            if (!type.empty() && ty != type) malformed("a set must hold one type");
            type = ty;
            members.push_back(o.begin()->value());
          } while (punct(","));
          expect(">>");
          if (type != "S" && type != "N" && type != "B") malformed("sets hold strings, numbers or binaries");
          return json::object{{type + "S", std::move(members)}};
        }
        break;
      default: break;
    }
    malformed("unexpected " + t.text);
  }

  bool literal_start() const {
    const Tok& t = peek();
    bool list_index = pos_ > 0 && toks_[pos_ - 1].type == T::kPunct && toks_[pos_ - 1].text == "[";
    if (t.type == T::kNumber && list_index) return false;
    if (t.type == T::kString || t.type == T::kNumber || t.type == T::kParam) return true;
    if (t.type == T::kPunct) return t.text == "{" || t.text == "<<" || (t.text == "[" && prev_is_operator());
    if (t.type == T::kIdent) {
      std::string u = upper(t.text);
      return u == "TRUE" || u == "FALSE" || u == "NULL";
    }
    return false;
  }
  bool prev_is_operator() const {
    if (pos_ == 0) return true;
    const Tok& p = toks_[pos_ - 1];
    return p.type == T::kPunct && p.text != ")" && p.text != "]";
  }

  // Rewrites an expression up to one of `stops` (keywords at depth 0) into
  // DynamoDB expression syntax.
  std::string expression(std::initializer_list<std::string_view> stops) {
    static const std::vector<std::string> kKeep = {"AND", "OR", "NOT", "BETWEEN", "IN"};
    std::string out;
    int depth = 0;
    bool after_in = false;
    size_t path_start = 0;
    while (peek().type != T::kEnd) {
      const Tok& t = peek();
      if (depth == 0 && t.type == T::kIdent) {
        bool stop = false;
        for (auto s : stops) stop |= upper(t.text) == s;
        if (stop) break;
      }
      if (depth == 0 && t.type == T::kPunct && t.text == ",") {
        bool stop = false;
        for (auto s : stops) stop |= s == ",";
        if (stop) break;
      }
      if (!out.empty()) out += ' ';
      if (after_in && t.type == T::kPunct && t.text == "[") {
        // a IN [x, y] -> a IN (:x, :y)
        next();
        out += '(';
        bool first = true;
        while (!punct("]")) {
          if (!first) expect(",");
          out += (first ? "" : ", ") + value_ref(literal());
          first = false;
        }
        out += ')';
        after_in = false;
        continue;
      }
      after_in = false;
      if (literal_start()) {
        out += value_ref(literal());
        continue;
      }
      Tok tok = next();
      bool continues_path = pos_ >= 2 && toks_[pos_ - 2].type == T::kPunct && (toks_[pos_ - 2].text == "." || toks_[pos_ - 2].text == "[");
      switch (tok.type) {
        case T::kQuoted:
          if (!continues_path) path_start = out.size();
          out += name_ref(tok.text);
          break;
        case T::kNumber: out += tok.text; break;  // a list index
        case T::kIdent: {
          std::string u = upper(tok.text);
          if (u == "IS") {
            // "path IS [NOT] MISSING" -> attribute_[not_]exists(path)
            bool negated = keyword("NOT");
            expect_keyword("MISSING");
            std::string path = out.substr(path_start);
            while (!path.empty() && path.back() == ' ') path.pop_back();
            out.erase(path_start);
            out += std::string(negated ? "attribute_exists(" : "attribute_not_exists(") + path + ")";
            break;
          }
          if (std::find(kKeep.begin(), kKeep.end(), u) != kKeep.end()) {
            out += u;
            after_in = u == "IN";
          } else if (peek().type == T::kPunct && peek().text == "(") {
            out += tok.text;  // function name
          } else {
            if (!continues_path) path_start = out.size();
            out += name_ref(tok.text);
          }
          break;
        }
        case T::kPunct:
          if (tok.text == "(" || tok.text == "[") ++depth;
          if (tok.text == ")" || tok.text == "]") --depth;
          out += tok.text == "!=" ? "<>" : tok.text;
          break;
        default: malformed("unexpected " + tok.text);
      }
    }
    // Remove the spaces the token loop put inside paths ("a . b" -> "a.b").
    std::string tight;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == ' ' && ((i + 1 < out.size() && (out[i + 1] == '.' || out[i + 1] == '[' || out[i + 1] == ']')) ||
                            (i > 0 && (out[i - 1] == '.' || out[i - 1] == '['))))
        continue;
      tight += out[i];
    }
    return tight;
  }

  void select() {
    if (punct("*")) {
      // all attributes
    } else {
      std::string proj;
      do {
        std::string part = expression({"FROM", ","});
        proj += (proj.empty() ? "" : ", ") + part;
      } while (punct(","));
      st_.projection = proj;
    }
    expect_keyword("FROM");
    table_name();
    st_.kind = PartiqlStatement::Kind::kSelect;
    if (keyword("WHERE")) st_.where = expression({});
  }

  void insert() {
    expect_keyword("INTO");
    table_name();
    expect_keyword("VALUE");
    json::value v = literal();
    if (!v.is_object() || !v.as_object().contains("M")) malformed("INSERT needs an item {...}");
    st_.item = v.as_object().at("M").as_object();
    st_.kind = PartiqlStatement::Kind::kInsert;
  }

  void update() {
    table_name();
    std::string set, rem;
    for (;;) {
      if (keyword("SET")) {
        do set += (set.empty() ? "" : ", ") + expression({"SET", "REMOVE", "WHERE", ","});
        while (punct(","));
      } else if (keyword("REMOVE")) {
        do rem += (rem.empty() ? "" : ", ") + expression({"SET", "REMOVE", "WHERE", ","});
        while (punct(","));
      } else {
        break;
      }
    }
    if (set.empty() && rem.empty()) malformed("UPDATE needs SET or REMOVE");
    st_.update = (set.empty() ? "" : "SET " + set) + (rem.empty() ? "" : std::string(set.empty() ? "" : " ") + "REMOVE " + rem);
    expect_keyword("WHERE");
    st_.where = expression({});
    st_.kind = PartiqlStatement::Kind::kUpdate;
  }

  void remove() {
    expect_keyword("FROM");
    table_name();
    expect_keyword("WHERE");
    st_.where = expression({});
    st_.kind = PartiqlStatement::Kind::kDelete;
  }

  std::vector<Tok> toks_;
  size_t pos_ = 0;
  const json::array* params_;
  size_t next_param_ = 0;
  int literal_depth_ = 0;
  PartiqlStatement st_;
};

}  // namespace

PartiqlStatement parse_partiql(std::string_view statement, const json::array* parameters) {
  return Reader(statement, parameters).parse();
}

}  // namespace podstack::dynamodb
