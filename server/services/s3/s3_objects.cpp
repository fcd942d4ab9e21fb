// S3 objects: PutObject, PostObject (browser form uploads), GetObject,
// HeadObject, DeleteObject, DeleteObjects, CopyObject, Put/Get/Delete
// ObjectTagging, GetObjectAttributes, and the (unstored) bucket and object
// ACLs.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
#include <cmath>
#include <set>

#include "server/protocol/encoding.h"
#include "server/protocol/xml.h"
#include "server/services/s3/s3_acl.h"
#include "server/services/s3/s3_body.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_post.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {
namespace {

// Range header -> [first, last] of `size`; nullopt: no (usable) range. Throws InvalidRange.
std::optional<std::pair<uint64_t, uint64_t>> parse_range(std::string_view r, uint64_t size) {
  if (r.rfind("bytes=", 0) != 0) return std::nullopt;
  r.remove_prefix(6);
  if (r.find(',') != std::string_view::npos) return std::nullopt;  // multiple ranges: S3 ignores them
  size_t dash = r.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string a(r.substr(0, dash)), b(r.substr(dash + 1));
  auto num = [](const std::string& s, uint64_t& v) {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    v = std::stoull(s);
    return true;
  };
  auto unsatisfiable = [&] {
    return invalid_range("bytes=" + std::string(r), size);
  };
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: last n bytes
    uint64_t n;
    if (!num(b, n)) return std::nullopt;
    if (n == 0 || size == 0) throw unsatisfiable();
    first = n >= size ? 0 : size - n;
    return std::make_pair(first, size - 1);
  }
  if (!num(a, first)) return std::nullopt;
  if (b.empty()) last = size == 0 ? 0 : size - 1;
  else if (!num(b, last)) return std::nullopt;
  if (last < first) return std::nullopt;  // syntactically invalid: ignored, as S3 does
  if (first >= size) throw unsatisfiable();
  return std::make_pair(first, std::min(last, size - 1));
}

json::value stream_spec(const ObjectVersion& o, uint64_t offset, uint64_t length) {
  json::array segs;
  for (auto& s : o.segments()) segs.push_back(json::array{json::value(s.blob()), s.offset(), s.size()});
  return json::object{{"segments", std::move(segs)}, {"offset", offset}, {"length", length}};
}

// The version a request names: VersionId or the latest. Throws S3's errors.
const ObjectVersion& find_version(const BucketState& b, std::string_view key, const Input& in, bool allow_marker = false) {
  auto it = b.objects.find(key);
  auto vid = in.opt_str("VersionId");
  if (vid && !vid->empty()) {
    if (it != b.objects.end())
      for (auto& v : it->second)
        if (v.version_id() == *vid) {
          if (v.delete_marker() && !allow_marker) {
            ApiError e = method_not_allowed("GET", "DeleteMarker");
            e.headers = {{"x-amz-delete-marker", "true"}, {"x-amz-version-id", v.version_id()}};
            throw e;
          }
          return v;
        }
    if (*vid != "null" && vid->size() != 32) throw invalid_argument("Invalid version id specified", "versionId", std::string(*vid));
    throw no_such_version(key, *vid);
  }
  if (it == b.objects.end() || it->second.empty()) throw no_such_key(key);
  const ObjectVersion& v = it->second.front();
  if (v.delete_marker() && !allow_marker) {
    ApiError e = no_such_key(key);
    e.headers = {{"x-amz-delete-marker", "true"}, {"x-amz-version-id", v.version_id()}};
    throw e;
  }
  return v;
}

std::string sse_of(const ObjectVersion& o) {
  const std::string* v = header_of(o, "x-amz-server-side-encryption");
  return v ? *v : "AES256";
}

// Object headers for GET/HEAD and the like.
void object_output(const ObjectVersion& o, json::object& out, bool with_checksums) {
  out["ETag"] = quoted(o.etag());
  out["LastModified"] = seconds(o.last_modified_ms());
  out["ContentLength"] = o.size();
  out["AcceptRanges"] = "bytes";
  std::string ct = "binary/octet-stream";
  for (auto& [member, header] : header_members()) {
    if (const std::string* v = header_of(o, header)) {
      if (member == "Expires") {
        if (auto t = protocol::parse_http_date(*v)) out["Expires"] = *t;
      } else if (member == "ContentType") {
        ct = *v;
      } else {
        out[member] = *v;
      }
    }
  }
  out["ContentType"] = ct;
  if (!out.contains("ServerSideEncryption")) out["ServerSideEncryption"] = "AES256";  // SSE-S3, AWS's default since 2023
  if (o.metadata_size()) {
    json::object md;
    for (auto& h : o.metadata()) md[h.name()] = h.value();
    out["Metadata"] = std::move(md);
  }
  if (o.version_id() != "null") out["VersionId"] = o.version_id();
  if (o.storage_class() != "STANDARD" && !o.storage_class().empty()) out["StorageClass"] = o.storage_class();
  if (o.tags_size()) out["TagCount"] = o.tags_size();
  if (o.part_sizes_size()) out["PartsCount"] = o.part_sizes_size();
  lock_output(o, out);
  if (with_checksums)
    for (auto& c : o.checksums())
      for (auto& [alg, member] : kChecksumMembers)
        if (c.algorithm() == alg) out[member] = c.value();
}

// A new version of `key` holding a received body (PutObject, POST Object);
// a small body travels with the event in the same group commit.
ObjectVersion new_version(const BucketState& b, const std::string& key, const RequestBody& body, const CallContext& ctx,
                          Decision& out) {
  ObjectVersion o;
  o.set_key(key);
  o.set_version_id(version_for_write(b));
  o.set_last_modified_ms(ctx.now_ms);
  o.set_etag(body.md5);
  o.set_size(body.size);
  o.set_owner(ctx.account);
  if (body.size > 0) {
    auto* seg = o.add_segments();
    seg->set_blob(body.blob);
    seg->set_size(body.size);
    if (body.inline_data) out.blobs.emplace_back(chunk_key(body.blob, 0), std::string(*body.inline_data));
  }
  return o;
}

// The "tagging" field of a POST form: a Tagging document (XML), whose tags
// the new object gets; another root element gives none.
void post_tagging(std::string_view xml, ObjectVersion& o) {
  std::string why;
  auto doc = protocol::parse_xml(xml, &why);
  if (!doc) throw malformed_xml();
  json::array set;
  if (doc->name == "Tagging")
    if (const auto* ts = doc->child("TagSet"))
      for (const auto& tag : ts->children) {
        if (tag.name != "Tag") continue;
        const auto* k = tag.child("Key");
        const auto* v = tag.child("Value");
        json::object t{{"Key", k ? k->text : std::string()}};
        if (!k) t.erase("Key");
        if (v) t["Value"] = v->text;
        set.push_back(std::move(t));
      }
  json::object tagging{{"TagSet", std::move(set)}};
  for (auto& t : tags_from_input(&tagging)) *o.add_tags() = std::move(t);
}

// Deletes `key` (a version, or the latest): the events and the output members.
// Object Lock refuses deleting a protected version (not a delete marker).
void delete_one(const BucketState& b, const std::string& key, std::optional<std::string> version_id, bool bypass,
                const CallContext& ctx, Decision& out, json::object& res) {
  Event ev;
  if (version_id) {
    auto it = b.objects.find(key);
    if (it != b.objects.end())
      for (auto& v : it->second)
        if (v.version_id() == *version_id) {
          check_deletable(v, bypass, ctx.now_ms);
          if (v.delete_marker()) res["DeleteMarker"] = true;
          auto* d = ev.mutable_version_deleted();
          d->set_bucket(b.meta.name());
          d->set_key(key);
          d->set_version_id(*version_id);
          out.add(ev);  // ev is read below
          notify(b, "ObjectRemoved:Delete", v, ctx, out, false);
          break;
        }
    bool found = res.contains("DeleteMarker") || !ev.version_deleted().key().empty();
    if (!found && *version_id != "null" && version_id->size() != 32)
      throw invalid_argument("Invalid version id specified", "versionId", *version_id);
    res["VersionId"] = *version_id;
    return;
  }
  if (b.meta.versioning().empty()) {
    auto it = b.objects.find(key);
    if (it == b.objects.end()) return;
    auto* d = ev.mutable_version_deleted();
    d->set_bucket(b.meta.name());
    d->set_key(key);
    d->set_version_id("null");
    out.add(std::move(ev));
    if (!it->second.empty()) notify(b, "ObjectRemoved:Delete", it->second.front(), ctx, out, false);
    return;
  }
  // Versioned (or suspended): a delete marker becomes the latest version.
  ObjectVersion m;
  m.set_key(key);
  m.set_version_id(version_for_write(b));
  m.set_delete_marker(true);
  m.set_last_modified_ms(ctx.now_ms);
  m.set_owner(ctx.account);
  ev.mutable_object_put()->set_bucket(b.meta.name());
  *ev.mutable_object_put()->mutable_object() = m;
  out.add(std::move(ev));
  notify(b, "ObjectRemoved:DeleteMarkerCreated", m, ctx, out, false);
  res["DeleteMarker"] = true;
  res["VersionId"] = m.version_id();
}

}  // namespace

void S3Service::put_object(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string key(in.str("Key"));
  check_key(key);
  check_write_conditions(b, key, in);
  RequestBody body = received_body(req.body);
  ObjectVersion o = new_version(b, key, body, ctx, out);
  for (auto& [alg, v] : body.checksums) {
    auto* c = o.add_checksums();
    c->set_algorithm(alg);
    c->set_value(v);
  }
  describe_object(in, o);
  check_acls_allowed(b, o.acl());
  apply_encryption(b, ctx, o);
  apply_object_lock(b, in, ctx, o);
  json::object res{{"ETag", quoted(o.etag())}, {"ServerSideEncryption", sse_of(o)}};
  if (const std::string* k = header_of(o, "x-amz-server-side-encryption-aws-kms-key-id")) res["SSEKMSKeyId"] = *k;
  if (o.version_id() != "null") res["VersionId"] = o.version_id();
  checksum_output(o.checksums(), res);
  notify(b, "ObjectCreated:Put", o, ctx, out);
  Event ev;
  ev.mutable_object_put()->set_bucket(b.meta.name());
  *ev.mutable_object_put()->mutable_object() = std::move(o);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::get_object(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string key(in.str("Key"));
  auto vid = in.opt_str("VersionId");
  if ((!vid || vid->empty()) && lifecycle_expired(b, key, ctx.now_ms)) throw no_such_key(key);
  const ObjectVersion& o = find_version(b, key, in);
  double lm = std::floor(seconds(o.last_modified_ms()));
  // Conditions, in RFC 7232's order (as S3 applies them).
  auto im = in.opt_str("IfMatch");
  auto inm = in.opt_str("IfNoneMatch");
  if (im && !etag_matches(*im, o.etag())) throw precondition_failed("If-Match");
  if (!im)
    if (auto t = in.raw().if_contains("IfUnmodifiedSince"); t && t->is_number() && lm > t->to_number<double>())
      throw precondition_failed("If-Unmodified-Since");
  auto not_modified = [&] {
    ApiError e = s3::not_modified();
    e.headers = {{"ETag", quoted(o.etag())}, {"Last-Modified", protocol::http_date(seconds(o.last_modified_ms()))}};
    return e;
  };
  if (inm && etag_matches(*inm, o.etag())) throw not_modified();
  if (!inm)
    if (auto t = in.raw().if_contains("IfModifiedSince"); t && t->is_number() && lm <= t->to_number<double>()) throw not_modified();

  json::object res;
  object_output(o, res, in.str_or("ChecksumMode", "") == "ENABLED");
  uint64_t first = 0, length = o.size();
  if (auto pn = in.opt_int("PartNumber")) {
    int64_t parts = std::max(1, o.part_sizes_size());
    if (*pn < 1 || *pn > parts)
      throw invalid_part_number(*pn, parts);
    if (o.part_sizes_size()) {
      for (int i = 0; i < *pn - 1; ++i) first += o.part_sizes(i);
      length = o.part_sizes(static_cast<int>(*pn - 1));
      out.status = 206;
      res["ContentRange"] = "bytes " + std::to_string(first) + "-" + std::to_string(first + length - 1) + "/" + std::to_string(o.size());
      res.erase("ChecksumCRC32");
      res.erase("ChecksumCRC32C");
      res.erase("ChecksumSHA1");
      res.erase("ChecksumSHA256");
      res.erase("ChecksumCRC64NVME");
    }
    res["PartsCount"] = parts;
  } else if (auto r = in.opt_str("Range")) {
    if (auto range = parse_range(*r, o.size())) {
      first = range->first;
      length = range->second - range->first + 1;
      out.status = 206;
      res["ContentRange"] = "bytes " + std::to_string(first) + "-" + std::to_string(range->second) + "/" + std::to_string(o.size());
    }
  }
  res["ContentLength"] = length;
  // response-* query overrides
  static const std::pair<const char*, const char*> kOverrides[] = {
      {"ResponseContentType", "ContentType"},         {"ResponseContentLanguage", "ContentLanguage"},
      {"ResponseCacheControl", "CacheControl"},       {"ResponseContentDisposition", "ContentDisposition"},
      {"ResponseContentEncoding", "ContentEncoding"}, {"ResponseExpires", "Expires"}};
  for (auto& [q, member] : kOverrides)
    if (auto* v = in.raw().if_contains(q); v && !v->is_null()) res[member] = *v;
  if (length > 0) out.stream = stream_spec(o, first, length);
  out.output = std::move(res);
}

// Browser-based upload (POST Object, multipart/form-data; s3_post.h): the
// form's fields become PutObject's members, the policy is enforced, and
// the answer follows success_action_redirect / success_action_status.
void S3Service::post_object(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const json::object* form = req.body;  // FormReceiver::describe()
  if (!form || !form->contains("fields")) throw precondition_failed("Bucket POST must be of the enclosure-type multipart/form-data");
  std::map<std::string, std::string> fields;
  for (auto& kv : form->at("fields").as_object()) fields[std::string(kv.key())] = std::string(kv.value().as_string());
  auto key_it = fields.find("key");
  if (key_it == fields.end())
    throw invalid_argument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
                           "key", "");
  const json::value* file = form->if_contains("file");
  if (!file) throw invalid_argument("POST requires exactly one file upload per request.", "file", "0");
  uint64_t size = file->at("size").to_number<uint64_t>();
  check_post_policy(fields, b.meta.name(), size, ctx.now_ms);
  std::string key = key_it->second;
  if (size_t p = key.find("${filename}"); p != std::string::npos)
    key.replace(p, 11, std::string(form->at("filename").as_string()));
  check_key(key);

  // The form as PutObject's input, with the file as its body.
  json::object put;
  static const std::pair<std::string_view, std::string_view> kMembers[] = {
      {"content-type", "ContentType"},         {"cache-control", "CacheControl"},
      {"content-disposition", "ContentDisposition"}, {"content-encoding", "ContentEncoding"},
      {"expires", "Expires"},                  {"x-amz-storage-class", "StorageClass"},
      {"x-amz-website-redirect-location", "WebsiteRedirectLocation"},
      {"x-amz-server-side-encryption", "ServerSideEncryption"}};
  for (auto& [field, member] : kMembers)
    if (auto f = fields.find(std::string(field)); f != fields.end()) put[member] = f->second;
  if (!put.contains("ContentType")) put["ContentType"] = "binary/octet-stream";
  json::object meta;
  for (auto& [k, v] : fields)
    if (k.rfind("x-amz-meta-", 0) == 0) meta[k.substr(11)] = v;
  if (!meta.empty()) put["Metadata"] = std::move(meta);
  static const std::set<std::string_view> kClasses = {"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                                      "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
                                                      "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE"};
  if (auto sc = put.if_contains("StorageClass"); sc && !kClasses.count(std::string_view(sc->as_string())))
    throw invalid_storage_class(std::string(sc->as_string()));
  const Request put_req{req.operation, Input(put), ctx, file->if_object()};
  ObjectVersion o = new_version(b, key, received_body(put_req.body), ctx, out);
  describe_object(put_req.in, o);
  check_acls_allowed(b, o.acl());
  if (auto t = fields.find("tagging"); t != fields.end()) post_tagging(t->second, o);
  apply_encryption(b, ctx, o);
  apply_object_lock(b, put_req.in, ctx, o);
  notify(b, "ObjectCreated:Post", o, ctx, out);

  std::string location = "http://" + (ctx.host.empty() ? std::string("localhost:4566") : ctx.host) + "/" +
                         b.meta.name() + "/" + url_encode(key);
  json::object res{{"ETag", quoted(o.etag())}, {"Location", location}};
  if (o.version_id() != "null") res["VersionId"] = o.version_id();
  auto redirect = fields.find("success_action_redirect");
  if (redirect == fields.end()) redirect = fields.find("redirect");
  auto status = fields.find("success_action_status");
  if (redirect != fields.end() && !redirect->second.empty()) {
    std::string url = redirect->second;
    url += url.find('?') == std::string::npos ? "?" : "&";
    url += "bucket=" + url_encode(b.meta.name()) + "&key=" + url_encode(key) + "&etag=" + url_encode(quoted(o.etag()));
    res["Location"] = url;
    out.status = 303;
  } else if (status != fields.end() && status->second == "201") {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>";
    protocol::xml_escape_append(xml, location);
    xml += "</Location><Bucket>";
    protocol::xml_escape_append(xml, b.meta.name());
    xml += "</Bucket><Key>";
    protocol::xml_escape_append(xml, key);
    xml += "</Key><ETag>";
    protocol::xml_escape_append(xml, quoted(o.etag()));
    xml += "</ETag></PostResponse>";
    out.raw_xml = std::move(xml);
    out.status = 201;
  } else {
    out.status = status != fields.end() && status->second == "200" ? 200 : 204;
  }
  Event ev;
  ev.mutable_object_put()->set_bucket(b.meta.name());
  *ev.mutable_object_put()->mutable_object() = std::move(o);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::delete_object(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string key(in.str("Key"));
  json::object res;
  auto vid = in.opt_str("VersionId");
  bool bypass = bypass_governance(b, in);
  delete_one(b, key, vid ? std::optional<std::string>(std::string(*vid)) : std::nullopt, bypass, ctx, out, res);
  out.output = std::move(res);
}

void S3Service::delete_objects(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  auto* del = in.object("Delete");
  auto* objs = del ? del->if_contains("Objects") : nullptr;
  if (!objs || !objs->is_array() || objs->as_array().empty() || objs->as_array().size() > 1000) throw malformed_xml();
  bool quiet = del->if_contains("Quiet") && del->at("Quiet").is_bool() && del->at("Quiet").as_bool();
  bool bypass = bypass_governance(b, in);
  json::array deleted, errors;
  for (auto& ov : objs->as_array()) {
    if (!ov.is_object() || !ov.as_object().contains("Key")) throw malformed_xml();
    std::string key(ov.as_object().at("Key").as_string());
    std::optional<std::string> vid;
    if (auto* v = ov.as_object().if_contains("VersionId"); v && v->is_string()) vid = std::string(v->as_string());
    json::object r;
    try {
      delete_one(b, key, vid, bypass, ctx, out, r);
    } catch (const ApiError& e) {
      json::object err{{"Key", key}, {"Code", e.code}, {"Message", e.message}};
      if (vid) err["VersionId"] = *vid;
      errors.push_back(std::move(err));
      continue;
    }
    if (quiet) continue;
    json::object d{{"Key", key}};
    if (vid) d["VersionId"] = *vid;
    if (r.contains("DeleteMarker")) {
      d["DeleteMarker"] = true;
      if (!vid) d["DeleteMarkerVersionId"] = r.at("VersionId");
    }
    deleted.push_back(std::move(d));
  }
  json::object res;
  if (!deleted.empty()) res["Deleted"] = std::move(deleted);
  if (!errors.empty()) res["Errors"] = std::move(errors);
  out.output = std::move(res);
}

const ObjectVersion& S3Service::copy_source(const CallContext& ctx, const Input& in, CopySource& src) const {
  src = parse_copy_source(in.str("CopySource"));
  const BucketState& sb = bucket(ctx, src.bucket);
  const ObjectVersion* o = nullptr;
  auto it = sb.objects.find(src.key);
  if (!src.version_id.empty()) {
    if (it != sb.objects.end())
      for (auto& v : it->second)
        if (v.version_id() == src.version_id) o = &v;
    if (!o) throw no_such_version(src.key, src.version_id);
    if (o->delete_marker()) throw invalid_argument("The source of a copy request may not specifically refer to a delete marker by version id.");
  } else {
    o = latest(sb, src.key);
    if (!o) throw no_such_key(src.key);
  }
  double lm = std::floor(seconds(o->last_modified_ms()));
  auto im = in.opt_str("CopySourceIfMatch");
  if (im && !etag_matches(*im, o->etag())) throw precondition_failed("x-amz-copy-source-If-Match");
  if (auto inm = in.opt_str("CopySourceIfNoneMatch"); inm && etag_matches(*inm, o->etag()))
    throw precondition_failed("x-amz-copy-source-If-None-Match");
  if (auto* t = in.raw().if_contains("CopySourceIfUnmodifiedSince"); !im && t && t->is_number() && lm > t->to_number<double>())
    throw precondition_failed("x-amz-copy-source-If-Unmodified-Since");
  if (auto* t = in.raw().if_contains("CopySourceIfModifiedSince"); t && t->is_number() && lm <= t->to_number<double>())
    throw precondition_failed("x-amz-copy-source-If-Modified-Since");
  return *o;
}

void S3Service::copy_object(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string key(in.str("Key"));
  check_key(key);
  CopySource src;
  const ObjectVersion& s = copy_source(ctx, in, src);
  std::string directive = in.str_or("MetadataDirective", "COPY");
  std::string tag_directive = in.str_or("TaggingDirective", "COPY");
  if (src.bucket == b.meta.name() && src.key == key && src.version_id.empty() && directive == "COPY" &&
      !in.has("StorageClass") && !in.has("WebsiteRedirectLocation") && !in.has("ServerSideEncryption"))
    throw invalid_request("This copy request is illegal because it is trying to copy an object to itself without changing the "
                          "object's metadata, storage class, website redirect location or encryption attributes.");
  ObjectVersion o = s;
  o.set_key(key);
  o.set_version_id(version_for_write(b));
  o.set_last_modified_ms(ctx.now_ms);
  o.set_owner(ctx.account);
  o.clear_acl();  // a copy has the ACL its request names, not the source's
  // The copy does not keep the source's lock; it gets its own.
  o.clear_lock_mode();
  o.clear_lock_until_ms();
  o.clear_legal_hold();
  apply_object_lock(b, in, ctx, o);
  if (directive == "REPLACE") {
    o.clear_headers();
    o.clear_metadata();
    auto tags = o.tags();
    describe_object(in, o);
    apply_encryption(b, ctx, o);
    if (tag_directive != "REPLACE") *o.mutable_tags() = tags;
  } else {
    if (auto acl = acl_from_input(in)) o.set_acl(std::move(*acl));
    if (in.has("StorageClass")) o.set_storage_class(in.str_or("StorageClass", "STANDARD"));
    if (tag_directive == "REPLACE") {
      o.clear_tags();
      if (auto t = in.opt_str("Tagging")) {
        add_tagging_header(*t, o);
      }
    }
  }
  json::object res{{"CopyObjectResult", json::object{{"ETag", quoted(o.etag())}, {"LastModified", seconds(o.last_modified_ms())}}}};
  if (o.version_id() != "null") res["VersionId"] = o.version_id();
  if (s.version_id() != "null") res["CopySourceVersionId"] = s.version_id();
  notify(b, "ObjectCreated:Copy", o, ctx, out);
  Event ev;
  ev.mutable_object_put()->set_bucket(b.meta.name());
  *ev.mutable_object_put()->mutable_object() = std::move(o);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::put_object_tagging(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string key(in.str("Key"));
  ObjectVersion o = find_version(b, key, in);
  o.clear_tags();
  if (in.has("Tagging"))
    for (auto& t : tags_from_input(in.object("Tagging"))) *o.add_tags() = t;
  json::object res;
  if (o.version_id() != "null") res["VersionId"] = o.version_id();
  notify(b, in.has("Tagging") ? "ObjectTagging:Put" : "ObjectTagging:Delete", o, ctx, out);
  Event ev;
  ev.mutable_object_updated()->set_bucket(b.meta.name());
  *ev.mutable_object_updated()->mutable_object() = std::move(o);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::get_object_tagging(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const ObjectVersion& o = find_version(b, in.str("Key"), in);
  json::object res{{"TagSet", tags_json(o.tags())}};
  if (o.version_id() != "null") res["VersionId"] = o.version_id();
  out.output = std::move(res);
}

void S3Service::get_object_attributes(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const ObjectVersion& o = find_version(b, in.str("Key"), in);
  std::set<std::string> want;
  if (auto* a = in.array("ObjectAttributes"))
    for (auto& v : *a)
      if (v.is_string()) want.insert(std::string(v.as_string()));
  if (want.empty())
    throw invalid_argument("Invalid attribute name specified.");
  json::object res{{"LastModified", seconds(o.last_modified_ms())}};
  if (o.version_id() != "null") res["VersionId"] = o.version_id();
  if (want.count("ETag")) res["ETag"] = o.etag();
  if (want.count("ObjectSize")) res["ObjectSize"] = o.size();
  if (want.count("StorageClass")) res["StorageClass"] = storage_class_of(o);
  if (want.count("Checksum") && o.checksums_size()) {
    json::object c;
    checksum_output(o.checksums(), c);
    res["Checksum"] = std::move(c);
  }
  if (want.count("ObjectParts") && o.part_sizes_size()) res["ObjectParts"] = json::object{{"TotalPartsCount", o.part_sizes_size()}};
  out.output = std::move(res);
}

void S3Service::get_acl(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const BucketState& b = bucket(req.ctx, in.str("Bucket"));
  std::string acl;
  if (auto key = in.opt_str("Key")) {
    acl = find_version(b, *key, in).acl();
  } else {
    for (auto& c : b.meta.configs())
      if (c.name() == "acl") acl = c.value();
  }
  out.output = json::object{{"Owner", owner_json()}, {"Grants", acl_grants(acl)}};
}

void S3Service::put_acl(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const BucketState& b = bucket(req.ctx, in.str("Bucket"));
  std::optional<std::string> acl = acl_from_input(in);
  if (!acl) throw missing_security_header("x-amz-acl");
  check_acls_allowed(b, *acl);
  Event ev;
  if (auto key = in.opt_str("Key")) {
    ObjectVersion o = find_version(b, *key, in);
    json::object res;
    if (o.version_id() != "null") res["VersionId"] = o.version_id();
    out.output = std::move(res);
    if (o.acl() == *acl) return;
    o.set_acl(std::move(*acl));
    ev.mutable_object_updated()->set_bucket(b.meta.name());
    *ev.mutable_object_updated()->mutable_object() = std::move(o);
  } else {
    std::string current;
    for (auto& c : b.meta.configs())
      if (c.name() == "acl") current = c.value();
    if (current == *acl) return;
    auto* cs = ev.mutable_config_set();
    cs->set_bucket(b.meta.name());
    cs->set_name("acl");
    cs->set_value(std::move(*acl));
  }
  out.add(std::move(ev));
}

}  // namespace podstack::s3
