#include "server/services/s3/s3_post.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_errors.h"

namespace podstack::s3 {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// name="value" parameter of a Content-Disposition header value.
std::optional<std::string> disposition_param(std::string_view v, std::string_view param) {
  size_t pos = 0;
  while ((pos = v.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view rest = trim(v.substr(pos));
    if (rest.size() > param.size() && lower(rest.substr(0, param.size())) == param && rest[param.size()] == '=') {
      rest.remove_prefix(param.size() + 1);
      if (!rest.empty() && rest.front() == '"') {
        size_t end = rest.find('"', 1);
        return std::string(rest.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
      }
      return std::string(rest.substr(0, rest.find(';')));
    }
  }
  return std::nullopt;
}

ApiError policy_denied(const std::string& why) {
  return access_denied("Invalid according to Policy: " + why);
}

}  // namespace

std::string form_boundary(std::string_view content_type) {
  if (lower(trim(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") return {};
  auto b = disposition_param(content_type, "boundary");
  return b ? *b : std::string();
}

FormReceiver::FormReceiver(BlobStore& blobs, std::string boundary, std::string blob_id)
    : blobs_(blobs), delim_("\r\n--" + boundary), blob_id_(std::move(blob_id)) {
  // The body starts with "--boundary" (no CRLF before the first one).
  buf_ = "\r\n";
}

std::optional<ApiError> FormReceiver::feed(std::string_view data) {
  buf_.append(data);
  return step();
}

std::optional<ApiError> FormReceiver::emit(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  switch (state_) {
    case State::kField:
      field_bytes_ += bytes.size();
      if (field_bytes_ > kMaxFormFields)
        return max_post_pre_data_length_exceeded();
      value_.append(bytes);
      return std::nullopt;
    case State::kFile: return file_->feed(bytes);
    default: return std::nullopt;
  }
}

std::optional<ApiError> FormReceiver::step() {
  for (;;) {
    switch (state_) {
      case State::kDone:
        buf_.clear();
        return std::nullopt;
      case State::kHeaders: {
        size_t end = buf_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (buf_.size() > 16 << 10) return malformed_post_request("The body of your POST request is not well-formed multipart/form-data.");
          return std::nullopt;
        }
        std::string headers = buf_.substr(0, end);
        buf_.erase(0, end + 4);
        if (auto e = part_headers(headers)) return e;
        continue;
      }
      case State::kPreamble:
      case State::kField:
      case State::kFile:
      case State::kIgnored: {
        size_t at = buf_.find(delim_);
        if (at == std::string::npos) {
          // Keep what could be the start of a delimiter; the rest is content.
          size_t keep = std::min(buf_.size(), delim_.size() - 1);
          if (auto e = emit(std::string_view(buf_).substr(0, buf_.size() - keep))) return e;
          buf_.erase(0, buf_.size() - keep);
          return std::nullopt;
        }
        if (buf_.size() < at + delim_.size() + 2) {  // need the two bytes after it
          if (auto e = emit(std::string_view(buf_).substr(0, at))) return e;
          buf_.erase(0, at);
          return std::nullopt;
        }
        if (auto e = emit(std::string_view(buf_).substr(0, at))) return e;
        // The part before this delimiter is complete.
        if (state_ == State::kField) {
          if (!fields_.count(name_)) fields_[name_] = value_;
        } else if (state_ == State::kFile) {
          if (auto e = file_->finish()) return e;
          file_done_ = true;
        }
        std::string after = buf_.substr(at + delim_.size(), 2);
        bool last = after == "--";
        buf_.erase(0, at + delim_.size() + 2);
        if (last) {
          state_ = State::kDone;
          continue;
        }
        if (after != "\r\n") return malformed_post_request("The body of your POST request is not well-formed multipart/form-data.");
        state_ = State::kHeaders;
        continue;
      }
    }
  }
}

std::optional<ApiError> FormReceiver::part_headers(std::string_view headers) {
  std::optional<std::string> name, filename;
  std::string type;
  size_t pos = 0;
  while (pos <= headers.size()) {
    size_t eol = headers.find("\r\n", pos);
    std::string_view line = headers.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? headers.size() + 1 : eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (key == "content-disposition") {
      name = disposition_param(value, "name");
      filename = disposition_param(value, "filename");
    } else if (key == "content-type") {
      type = std::string(value);
    }
  }
  if (!name) return malformed_post_request("The body of your POST request is not well-formed multipart/form-data.");
  std::string n = lower(*name);
  if (file_done_) {  // AWS ignores every field after the file
    state_ = State::kIgnored;
  } else if (n == "file") {
    filename_ = filename.value_or("");
    file_type_ = type;
    // The file's length is known only at its closing delimiter.
    boost::beast::http::fields h;
    h.set(boost::beast::http::field::transfer_encoding, "chunked");
    file_ = std::make_unique<BodyReceiver>(blobs_, h, blob_id_);
    if (auto& e = file_->header_error()) return e;
    state_ = State::kFile;
  } else {
    name_ = n;
    value_.clear();
    state_ = State::kField;
  }
  return std::nullopt;
}

std::optional<ApiError> FormReceiver::finish() {
  if (state_ != State::kDone) return malformed_post_request("The body of your POST request is not well-formed multipart/form-data.");
  // Field values become the key, metadata and tags of the object (strings in
  // its events); bytes that are not UTF-8 make the form one S3 cannot read.
  auto text = [](std::string_view s) { return protocol::valid_utf8(s); };
  bool ok = text(filename_) && text(file_type_);
  for (auto& [k, v] : fields_) ok = ok && text(k) && text(v);
  if (!ok) return malformed_post_request("The body of your POST request is not well-formed multipart/form-data.");
  return std::nullopt;
}

void FormReceiver::discard() {
  if (file_) file_->discard();
}

void FormReceiver::committed() {
  if (file_) file_->committed();
}

json::value FormReceiver::describe() const {
  json::object fields;
  for (auto& [k, v] : fields_) fields[k] = v;
  json::object o{{"fields", std::move(fields)}, {"filename", filename_}, {"file_content_type", file_type_}};
  if (file_ && file_done_) {
    const auto& b = file_->body();
    json::object cs;
    for (auto& [a, v] : b.checksums) cs[a] = v;
    json::object f{{"blob", b.blob}, {"size", b.size}, {"md5", hex(b.md5)}, {"checksums", std::move(cs)}};
    if (b.inline_data) f["inline"] = json::string(*b.inline_data);
    o["file"] = std::move(f);
  }
  return o;
}

void check_post_policy(const std::map<std::string, std::string>& fields, std::string_view bucket, uint64_t size,
                       int64_t now_ms) {
  auto it = fields.find("policy");
  if (it == fields.end() || it->second.empty()) return;
  auto raw = protocol::base64_decode(it->second);
  boost::system::error_code ec;
  json::value doc = raw ? json::parse(*raw, ec) : json::value();
  if (!raw || ec || !doc.is_object())
    throw invalid_policy_document("Invalid Policy: Invalid JSON.");
  const json::object& policy = doc.as_object();
  auto* exp = policy.if_contains("expiration");
  if (!exp || !exp->is_string())
    throw invalid_policy_document("Invalid Policy: Policy missing expiration.");
  auto until = protocol::parse_iso8601(exp->as_string());
  if (!until) throw invalid_policy_document("Invalid Policy: Invalid 'expiration' value: '" + std::string(exp->as_string()) + "'");
  if (static_cast<double>(now_ms) / 1000.0 > *until) throw policy_denied("Policy expired.");
  auto* conds = policy.if_contains("conditions");
  if (!conds || !conds->is_array())
    throw invalid_policy_document("Invalid Policy: Policy missing conditions.");

  auto value_of = [&](std::string name) -> std::optional<std::string> {
    name = lower(name);
    if (!name.empty() && name[0] == '$') name.erase(0, 1);
    if (name == "bucket") return std::string(bucket);
    auto f = fields.find(name);
    if (f == fields.end()) return std::nullopt;
    return f->second;
  };
  std::set<std::string> covered{"bucket"};
  for (const json::value& c : conds->as_array()) {
    if (c.is_object()) {  // {"field": "value"}: exact match, one field per condition
      if (c.as_object().size() != 1)
        throw invalid_policy_document("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
      for (auto& kv : c.as_object()) {
        std::string want = kv.value().is_string() ? std::string(kv.value().as_string()) : json::serialize(kv.value());
        auto got = value_of(std::string(kv.key()));
        covered.insert(lower(kv.key()));
        if (!got || *got != want)
          throw policy_denied("Policy Condition failed: [\"eq\", \"$" + std::string(kv.key()) + "\", \"" + want + "\"]");
      }
      continue;
    }
    if (!c.is_array() || c.as_array().size() != 3 || !c.as_array()[0].is_string())
      throw invalid_policy_document("Invalid Policy: Invalid Condition: " + json::serialize(c));
    const json::array& a = c.as_array();
    std::string op = lower(a[0].as_string());
    if (op == "content-length-range") {
      if (!a[1].is_number() || !a[2].is_number())
        throw invalid_policy_document("Invalid Policy: Invalid content-length-range: " + json::serialize(c));
      auto lo = a[1].to_number<int64_t>(), hi = a[2].to_number<int64_t>();
      if (static_cast<int64_t>(size) < lo)
        throw entity_too_small("Your proposed upload is smaller than the minimum allowed size", size, lo);
      if (static_cast<int64_t>(size) > hi)
        throw entity_too_large(size, hi);
      continue;
    }
    if (op != "eq" && op != "starts-with")
      throw invalid_policy_document("Invalid Policy: Invalid Condition: unknown operation \"" + std::string(a[0].as_string()) + "\".");
    if (!a[1].is_string() || !a[2].is_string())
      throw invalid_policy_document("Invalid Policy: Invalid Condition: " + json::serialize(c));
    std::string field(a[1].as_string()), want(a[2].as_string());
    // The field is named with a "$"; without one the condition never holds.
    bool named = field.rfind('$', 0) == 0;
    covered.insert(lower(field.substr(named ? 1 : 0)));
    auto got = named ? value_of(field) : std::nullopt;
    bool ok = got && (op == "eq" ? *got == want : got->rfind(want, 0) == 0);
    if (!ok) throw policy_denied("Policy Condition failed: [\"" + op + "\", \"" + field + "\", \"" + want + "\"]");
  }
  // Every field but these must be named by a condition.
  std::string extra;
  for (auto& [name, v] : fields) {
    if (name == "policy" || name == "x-amz-signature" || name == "signature" || name == "awsaccesskeyid" || name == "file" ||
        name.rfind("x-ignore-", 0) == 0 || covered.count(name))
      continue;
    extra += (extra.empty() ? "" : ", ") + name;
  }
  if (!extra.empty()) throw policy_denied("Extra input fields: " + extra);
}

}  // namespace podstack::s3
