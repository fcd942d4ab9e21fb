// Helpers shared by S3's handler files (s3_util.h).
#include "server/services/s3/s3_util.h"

#include <map>
#include <set>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/s3/s3_body.h"
#include "server/services/s3/s3_acl.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_notifications.h"
#include "server/services/tags.h"

namespace podstack::s3 {

std::string unquote(std::string_view s) {
  while (!s.empty() && (s.front() == ' ')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ')) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}
// If-Match / If-None-Match lists: "*" or comma-separated (quoted) etags.
bool etag_matches(std::string_view list, const std::string& etag) {
  for (const auto& item : protocol::split_header_list(list)) {
    std::string one = unquote(item);
    if (one == "*" || one == etag) return true;
  }
  return false;
}

std::string url_encode(std::string_view s) {
  static const char* hexd = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') out += static_cast<char>(c);
    else {
      out += '%';
      out += hexd[c >> 4];
      out += hexd[c & 15];
    }
  }
  return out;
}

const std::map<std::string_view, std::string_view>& header_members() {
  // Input/output member -> stored header name.
  static const std::map<std::string_view, std::string_view> m = {
      {"ContentType", "Content-Type"},           {"CacheControl", "Cache-Control"},
      {"ContentDisposition", "Content-Disposition"}, {"ContentEncoding", "Content-Encoding"},
      {"ContentLanguage", "Content-Language"},   {"Expires", "Expires"},
      {"WebsiteRedirectLocation", "x-amz-website-redirect-location"},
      {"ServerSideEncryption", "x-amz-server-side-encryption"},
      {"SSEKMSKeyId", "x-amz-server-side-encryption-aws-kms-key-id"}};
  return m;
}

const char* const kChecksumMembers[5][2] = {
    {"CRC32", "ChecksumCRC32"}, {"CRC32C", "ChecksumCRC32C"}, {"SHA1", "ChecksumSHA1"}, {"SHA256", "ChecksumSHA256"},
    {"CRC64NVME", "ChecksumCRC64NVME"}};

// "k1=v1&k2=v2" (x-amz-tagging) -> the object's tags, sorted by key; a
// duplicate name or a character tags do not take refuses the header.
void add_tagging_header(std::string_view h, ObjectVersion& o) {
  std::vector<Tag> tags;
  std::set<std::string> seen;
  for (auto& [k, v] : protocol::parse_form(h)) {
    if (!seen.insert(k).second || !valid_tag_text(k) || !valid_tag_text(v))
      throw invalid_argument(
          "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
          "x-amz-tagging", std::string(h));
    Tag t;
    t.set_key(k);
    t.set_value(v);
    tags.push_back(std::move(t));
  }
  std::sort(tags.begin(), tags.end(), [](auto& a, auto& b) { return a.key() < b.key(); });
  for (auto& tag : tags) *o.add_tags() = std::move(tag);
}

std::vector<Tag> tags_from_input(const json::object* tagging) {
  // {"TagSet": [{"Key":..,"Value":..}]}
  std::vector<Tag> out;
  if (!tagging) throw malformed_xml();
  auto* set = tagging->if_contains("TagSet");
  if (!set || !set->is_array()) throw malformed_xml();
  std::map<std::string, std::string> seen;
  for (auto& t : set->as_array()) {
    if (!t.is_object()) throw malformed_xml();
    auto* k = t.as_object().if_contains("Key");
    auto* v = t.as_object().if_contains("Value");
    if (!k || !k->is_string()) throw malformed_xml();
    std::string key(k->as_string());
    if (seen.count(key)) throw invalid_argument("Cannot provide multiple Tags with the same key", "Tag", key);
    seen[key] = v && v->is_string() ? std::string(v->as_string()) : "";
  }
  if (seen.size() > 50) throw bad_request("Object tags cannot be greater than 50");
  for (auto& [k, v] : seen) {
    if (k.empty() || k.size() > 128) throw invalid_tag("The TagKey you have provided is invalid");
    if (v.size() > 256) throw invalid_tag("The TagValue you have provided is invalid");
    Tag t;
    t.set_key(k);
    t.set_value(v);
    out.push_back(std::move(t));
  }
  return out;
}

json::array tags_json(const google::protobuf::RepeatedPtrField<Tag>& tags) {
  json::array a;
  for (auto& t : tags) a.push_back(json::object{{"Key", t.key()}, {"Value", t.value()}});
  return a;
}

void checksum_output(const google::protobuf::RepeatedPtrField<Checksum>& cs, json::object& out) {
  for (auto& c : cs)
    for (auto& [alg, member] : kChecksumMembers)
      if (c.algorithm() == alg) out[member] = c.value();
}
const ObjectVersion* latest(const BucketState& b, std::string_view key) {
  auto it = b.objects.find(key);
  if (it == b.objects.end() || it->second.empty() || it->second.front().delete_marker()) return nullptr;
  return &it->second.front();
}

void check_key(std::string_view key) {
  if (key.size() > static_cast<size_t>(kMaxKeyLength))
    throw key_too_long_error(key.size());
}

const std::string* header_of(const ObjectVersion& o, std::string_view name) {
  for (auto& h : o.headers())
    if (h.name() == name) return &h.value();
  return nullptr;
}

// Headers, metadata, tags and storage class of a new object from the request.
void describe_object(const Input& in, ObjectVersion& o) {
  for (auto& [member, header] : header_members()) {
    auto* v = in.raw().if_contains(member);
    if (!v || v->is_null()) continue;
    std::string value;
    if (v->is_string()) value = std::string(v->as_string());
    else if (v->is_number()) value = protocol::http_date(v->to_number<double>());
    if (member == "ContentEncoding") {
      // aws-chunked is the transfer of this request, not the object's encoding.
      std::string kept;
      for (const auto& one : protocol::split_header_list(value))
        if (one != "aws-chunked") kept += (kept.empty() ? "" : ",") + one;
      value = kept;
    }
    if (value.empty()) continue;
    if (member == "WebsiteRedirectLocation" && value[0] != '/' && value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0)
      throw invalid_redirect_location();
    auto* h = o.add_headers();
    h->set_name(std::string(header));
    h->set_value(value);
  }
  sort_by(o.mutable_headers(), [](const Header& h) { return h.name(); });
  o.clear_metadata();
  if (auto* md = in.object("Metadata")) {
    std::map<std::string, std::string> sorted;
    size_t bytes = 0;
    for (auto& kv : *md) {
      sorted[std::string(kv.key())] = kv.value().is_string() ? std::string(kv.value().as_string()) : "";
      bytes += kv.key().size() + sorted[std::string(kv.key())].size();
    }
    if (bytes > 2048)  // user-defined metadata: keys and values, UTF-8 bytes
      throw metadata_too_large(bytes);
    for (auto& [k, v] : sorted) {
      auto* h = o.add_metadata();
      h->set_name(k);
      h->set_value(v);
    }
  }
  if (auto t = in.opt_str("Tagging")) {
    add_tagging_header(*t, o);
  }
  std::string sc = in.str_or("StorageClass", "STANDARD");
  if (sc == "OUTPOSTS") throw invalid_storage_class(sc);  // in the model, but only for S3 on Outposts
  o.set_storage_class(sc);
  if (auto acl = acl_from_input(in)) o.set_acl(std::move(*acl));
}

// SSE-KMS: the request's algorithm and key, else the bucket's default
// encryption; a key is reported as an ARN, as AWS does. Without KMS in
// podstack, a request naming no key gets the ARN of the alias of S3's AWS
// managed key (AWS reports that key's own ARN).
void apply_encryption(const BucketState& b, const CallContext& ctx, ObjectVersion& o) {
  static constexpr std::string_view kSse = "x-amz-server-side-encryption", kKey = "x-amz-server-side-encryption-aws-kms-key-id";
  const std::string* sse = header_of(o, kSse);
  const std::string* key = header_of(o, kKey);
  if (key && (!sse || sse->rfind("aws:kms", 0) != 0))
    throw invalid_argument("Server Side Encryption with KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
                           "x-amz-server-side-encryption", sse ? *sse : "null");
  std::string alg = sse ? *sse : "", kid = key ? *key : "";
  if (alg.empty()) {
    for (auto& c : b.meta.configs()) {
      if (c.name() != "encryption") continue;
      boost::system::error_code ec;
      json::value v = json::parse(c.value(), ec);
      const json::value* rules = !ec && v.is_object() ? v.as_object().if_contains("Rules") : nullptr;
      if (!rules || !rules->is_array() || rules->as_array().empty() || !rules->as_array()[0].is_object()) break;
      const json::value* def = rules->as_array()[0].as_object().if_contains("ApplyServerSideEncryptionByDefault");
      if (!def || !def->is_object()) break;
      if (auto* a = def->as_object().if_contains("SSEAlgorithm"); a && a->is_string()) alg = std::string(a->as_string());
      if (auto* k = def->as_object().if_contains("KMSMasterKeyID"); k && k->is_string()) kid = std::string(k->as_string());
    }
  }
  if (alg.rfind("aws:kms", 0) != 0) return;
  std::string kms_prefix = podstack::arn_prefix(ctx.region) + "kms:" + ctx.region + ":" + ctx.account + ":";
  if (kid.empty()) kid = kms_prefix + "alias/aws/s3";
  else if (kid.rfind("arn:", 0) != 0) kid = kms_prefix + (kid.rfind("alias/", 0) == 0 ? kid : "key/" + kid);
  auto set = [&](std::string_view name, const std::string& value) {
    for (auto& h : *o.mutable_headers())
      if (h.name() == name) {
        h.set_value(value);
        return;
      }
    auto* h = o.add_headers();
    h->set_name(std::string(name));
    h->set_value(value);
  };
  set(kSse, alg);
  set(kKey, kid);
  sort_by(o.mutable_headers(), [](const Header& h) { return h.name(); });
}

std::string new_version_id() { return random_chars(32, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._"); }

void check_write_conditions(const BucketState& b, std::string_view key, const Input& in) {
  const ObjectVersion* cur = latest(b, key);
  if (auto inm = in.opt_str("IfNoneMatch")) {
    if (*inm != "*") throw not_implemented_header("If-None-Match");
    if (cur) throw precondition_failed("If-None-Match");
  }
  if (auto im = in.opt_str("IfMatch")) {
    if (!cur) throw no_such_key(key);
    if (!etag_matches(*im, cur->etag())) throw precondition_failed("If-Match");
  }
}

// S3 event notifications for one object change (s3_notifications.h).
void notify(const BucketState& b, std::string_view event, const ObjectVersion& o, const CallContext& ctx, Decision& out,
            bool created) {
  for (auto& c : b.meta.configs()) {
    if (c.name() != "notification") continue;
    ObjectEvent e{event, b.meta.name(), b.meta.region(), o.key(), created ? std::string_view(o.etag()) : std::string_view(),
                  o.version_id(), o.size(), created};
    object_event_deliveries(c.value(), e, ctx, out.deliveries);
  }
}

// Request::body of a PutObject / UploadPart (StreamedBody::describe()).
RequestBody received_body(const json::object* o) {
  RequestBody b;
  if (!o) throw ApiError::internal("the object body was not received");
  b.blob = std::string(o->at("blob").as_string());
  b.size = o->at("size").to_number<uint64_t>();
  b.md5 = std::string(o->at("md5").as_string());
  if (auto* d = o->if_contains("inline"); d && d->is_string()) {
    b.inline_data = &d->as_string();
    // A small body is written with its event, so its blob id can be made
    // here, under the service's lock: ids (time, then a counter) then
    // ascend in log order, each memtable flush of the blobs column family
    // covers a key range after the previous one's, and RocksDB moves such
    // files down a level instead of merging them (the id made when the
    // upload began is older than ids of uploads that committed first).
    b.blob = new_blob_id();
  }
  for (auto& kv : o->at("checksums").as_object()) b.checksums.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
  return b;
}

CopySource parse_copy_source(std::string_view cs) {
  CopySource src;
  std::string_view rest = cs;
  std::string_view q;
  if (size_t p = rest.find('?'); p != std::string_view::npos) {
    q = rest.substr(p + 1);
    rest = rest.substr(0, p);
  }
  std::string decoded = protocol::url_decode(rest, false);
  // The header is ASCII; what it decodes to becomes the source key. S3's
  // answer when that is not UTF-8 (its message as S3 clients quote it:
  // https://github.com/matecat/MateCat handles "<Message>Invalid copy source encoding.</Message>").
  if (!protocol::valid_utf8(decoded)) throw invalid_argument("Invalid copy source encoding.", "x-amz-copy-source");
  std::string_view d = decoded;
  if (!d.empty() && d[0] == '/') d.remove_prefix(1);
  size_t slash = d.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= d.size())
    throw invalid_argument("Invalid copy source object key", "x-amz-copy-source", std::string(cs));
  src.bucket = std::string(d.substr(0, slash));
  src.key = std::string(d.substr(slash + 1));
  for (auto& [k, v] : protocol::parse_form(q))
    if (k == "versionId") src.version_id = v;
  return src;
}

}  // namespace podstack::s3
