// S3: buckets, objects, versions, multipart uploads, bucket configuration.
//
// State: per account (buckets are global to an account, not per region, as
// in AWS), buckets by name; per bucket, objects by key with their versions
// newest first, and multipart uploads by id. Bodies live in the blob store
// (s3_body.h); objects hold segments of blobs, so copies share bytes.
// AWS reference: https://docs.aws.amazon.com/AmazonS3/latest/API/
#include "server/services/s3/s3_service.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "proto/s3.pb.h"
#include "server/protocol/encoding.h"
#include "server/services/s3/s3_body.h"
#include "server/services/s3/s3_http.h"
#include "server/services/s3/s3_notifications.h"
#include "server/services/s3/s3_post.h"

namespace podstack {
namespace {

using s3::ObjectVersion;

constexpr std::string_view kOwnerId = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
constexpr std::string_view kOwnerName = "webfile";
constexpr uint64_t kMinPartSize = 5ull << 20;
constexpr int kMaxKeyLength = 1024;

struct BucketState {
  s3::Bucket meta;  // without objects and uploads
  std::map<std::string, std::vector<ObjectVersion>, std::less<>> objects;  // newest version first
  std::map<std::string, s3::Upload, std::less<>> uploads;
};

struct Partition {
  std::map<std::string, BucketState, std::less<>> buckets;
};

// ---- errors, in S3's words ----

ApiError no_such_bucket(std::string_view b) {
  return ApiError::make(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", std::string(b));
}
ApiError no_such_key(std::string_view k) {
  return ApiError::make(404, "NoSuchKey", "The specified key does not exist.").with("Key", std::string(k));
}
ApiError no_such_upload(std::string_view id) {
  return ApiError::make(404, "NoSuchUpload",
                        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                        "aborted or completed.")
      .with("UploadId", std::string(id));
}
ApiError invalid_argument(std::string msg, std::string name = {}, std::string value = {}) {
  ApiError e = ApiError::bad_request("InvalidArgument", std::move(msg));
  if (!name.empty()) e.details = {{"ArgumentName", std::move(name)}, {"ArgumentValue", std::move(value)}};
  return e;
}
ApiError precondition_failed(std::string condition) {
  return ApiError::make(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
      .with("Condition", std::move(condition));
}
ApiError malformed_xml() {
  return ApiError::bad_request("MalformedXML",
                               "The XML you provided was not well-formed or did not validate against our published schema");
}

// ---- small helpers ----

std::string quoted(const std::string& etag) { return "\"" + etag + "\""; }
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

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

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

bool valid_bucket_name(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  for (char c : n)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return false;
  if (!std::isalnum(static_cast<unsigned char>(n.front())) || !std::isalnum(static_cast<unsigned char>(n.back()))) return false;
  if (n.find("..") != std::string_view::npos || n.find(".-") != std::string_view::npos || n.find("-.") != std::string_view::npos)
    return false;
  if (n.rfind("xn--", 0) == 0 || n.rfind("sthree-", 0) == 0) return false;
  // Not an IP address.
  int dots = 0;
  bool digits_only = true;
  for (char c : n) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) digits_only = false;
  }
  return !(dots == 3 && digits_only);
}

// Sorted (name, value) lists in the protos.
template <class R, class F>
void sort_by(R* list, F key) {
  std::sort(list->begin(), list->end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
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

const char* kChecksumMembers[][2] = {
    {"CRC32", "ChecksumCRC32"}, {"CRC32C", "ChecksumCRC32C"}, {"SHA1", "ChecksumSHA1"}, {"SHA256", "ChecksumSHA256"},
    {"CRC64NVME", "ChecksumCRC64NVME"}};

// "k1=v1&k2=v2" (x-amz-tagging) -> the object's tags, sorted by key.
void add_tagging_header(std::string_view h, ObjectVersion& o) {
  std::vector<s3::Tag> tags;
  for (auto& [k, v] : protocol::parse_form(h)) {
    s3::Tag t;
    t.set_key(k);
    t.set_value(v);
    tags.push_back(std::move(t));
  }
  std::sort(tags.begin(), tags.end(), [](auto& a, auto& b) { return a.key() < b.key(); });
  for (auto& tag : tags) *o.add_tags() = std::move(tag);
}

// Objects written without a storage class are STANDARD.
std::string storage_class_of(const ObjectVersion& o) { return o.storage_class().empty() ? "STANDARD" : o.storage_class(); }

std::vector<s3::Tag> tags_from_input(const json::object* tagging) {
  // {"TagSet": [{"Key":..,"Value":..}]}
  std::vector<s3::Tag> out;
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
  if (seen.size() > 50) throw ApiError::bad_request("BadRequest", "Object tags cannot be greater than 50");
  for (auto& [k, v] : seen) {
    if (k.empty() || k.size() > 128) throw ApiError::bad_request("InvalidTag", "The TagKey you have provided is invalid");
    if (v.size() > 256) throw ApiError::bad_request("InvalidTag", "The TagValue you have provided is invalid");
    s3::Tag t;
    t.set_key(k);
    t.set_value(v);
    out.push_back(std::move(t));
  }
  return out;
}

json::array tags_json(const google::protobuf::RepeatedPtrField<s3::Tag>& tags) {
  json::array a;
  for (auto& t : tags) a.push_back(json::object{{"Key", t.key()}, {"Value", t.value()}});
  return a;
}

json::object owner_json() { return json::object{{"ID", kOwnerId}, {"DisplayName", kOwnerName}}; }

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
    return ApiError::make(416, "InvalidRange", "The requested range is not satisfiable")
        .with("RangeRequested", "bytes=" + std::string(r))
        .with("ActualObjectSize", std::to_string(size));
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

// Generic stored bucket configurations: one table, one code path.
struct ConfigOp {
  std::string_view config;   // stored name
  std::string_view member;   // input/output payload member
  std::string_view missing_code, missing_message;
};
const std::map<std::string_view, ConfigOp>& config_ops() {
  static const std::map<std::string_view, ConfigOp> m = {
      {"Cors", {"cors", "CORSConfiguration", "NoSuchCORSConfiguration", "The CORS configuration does not exist"}},
      {"LifecycleConfiguration",
       {"lifecycle", "LifecycleConfiguration", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"}},
      {"Encryption",
       {"encryption", "ServerSideEncryptionConfiguration", "ServerSideEncryptionConfigurationNotFoundError",
        "The server side encryption configuration was not found"}},
      {"Policy", {"policy", "Policy", "NoSuchBucketPolicy", "The bucket policy does not exist"}},
      {"Website", {"website", "WebsiteConfiguration", "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"}},
      {"NotificationConfiguration", {"notification", "NotificationConfiguration", "", ""}},
      {"Replication",
       {"replication", "ReplicationConfiguration", "ReplicationConfigurationNotFoundError", "The replication configuration was not found"}},
      {"OwnershipControls",
       {"ownership", "OwnershipControls", "OwnershipControlsNotFoundError", "The bucket ownership controls were not found"}},
      {"Logging", {"logging", "BucketLoggingStatus", "", ""}},
      {"RequestPayment", {"requestpayment", "RequestPaymentConfiguration", "", ""}},
      {"AccelerateConfiguration", {"accelerate", "AccelerateConfiguration", "", ""}},
      // Put/GetObjectLockConfiguration (named without "Bucket"): stored, not enforced.
      {"ObjectLockConfiguration",
       {"objectlock", "ObjectLockConfiguration", "ObjectLockConfigurationNotFoundError",
        "Object Lock configuration does not exist for this bucket"}},
  };
  return m;
}

class S3Service final : public ServiceBase<S3Service> {
 public:
  std::string_view name() const override { return "s3"; }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("s3"); }

  static const Table& operations() {
    static const Table t = [] {
      Table t = {
          {"CreateBucket", {true, &S3Service::create_bucket}},
          {"DeleteBucket", {true, &S3Service::delete_bucket}},
          {"HeadBucket", {false, &S3Service::head_bucket}},
          {"ListBuckets", {false, &S3Service::list_buckets}},
          {"GetBucketLocation", {false, &S3Service::get_bucket_location}},
          {"PutBucketVersioning", {true, &S3Service::put_bucket_versioning}},
          {"GetBucketVersioning", {false, &S3Service::get_bucket_versioning}},
          {"PutBucketTagging", {true, &S3Service::put_bucket_tagging}},
          {"GetBucketTagging", {false, &S3Service::get_bucket_tagging}},
          {"DeleteBucketTagging", {true, &S3Service::delete_bucket_tagging}},
          {"GetBucketAcl", {false, &S3Service::get_acl}},
          {"PutBucketAcl", {false, &S3Service::put_acl}},
          {"GetObjectAcl", {false, &S3Service::get_acl}},
          {"PutObjectAcl", {false, &S3Service::put_acl}},
          {"PutObject", {true, &S3Service::put_object}},
          {"PostObject", {true, &S3Service::post_object}},
          {"GetObject", {false, &S3Service::get_object}},
          {"HeadObject", {false, &S3Service::get_object}},
          {"DeleteObject", {true, &S3Service::delete_object}},
          {"DeleteObjects", {true, &S3Service::delete_objects}},
          {"CopyObject", {true, &S3Service::copy_object}},
          {"ListObjects", {false, &S3Service::list_objects}},
          {"ListObjectsV2", {false, &S3Service::list_objects}},
          {"ListObjectVersions", {false, &S3Service::list_object_versions}},
          {"PutObjectTagging", {true, &S3Service::put_object_tagging}},
          {"GetObjectTagging", {false, &S3Service::get_object_tagging}},
          {"DeleteObjectTagging", {true, &S3Service::put_object_tagging}},
          {"CreateMultipartUpload", {true, &S3Service::create_multipart_upload}},
          {"UploadPart", {true, &S3Service::upload_part}},
          {"UploadPartCopy", {true, &S3Service::upload_part}},
          {"CompleteMultipartUpload", {true, &S3Service::complete_multipart_upload}},
          {"AbortMultipartUpload", {true, &S3Service::abort_multipart_upload}},
          {"ListParts", {false, &S3Service::list_parts}},
          {"ListMultipartUploads", {false, &S3Service::list_multipart_uploads}},
          {"GetObjectAttributes", {false, &S3Service::get_object_attributes}},
          {"PutPublicAccessBlock", {true, &S3Service::put_public_access_block}},
          {"GetPublicAccessBlock", {false, &S3Service::get_public_access_block}},
          {"DeletePublicAccessBlock", {true, &S3Service::put_public_access_block}},
          // Not AWS operations: CORS evaluation for the gateway (preflight and
          // the headers of a request with an Origin).
          {"__EvaluateCors", {false, &S3Service::evaluate_cors}},  // internal: Service::cors_operation
      };
      // Stored configurations: the operations the model has for each.
      static std::deque<std::string> names;  // the table keys are views: keep the strings alive
      const auto& ops = protocol::builtin_model("s3")->operations();
      for (auto& [name, c] : config_ops()) {
        for (std::string verb : {"Put", "Get", "Delete"}) {
          std::string op = verb + "Bucket" + std::string(name);
          if (verb == "Delete" && name == "LifecycleConfiguration") op = "DeleteBucketLifecycle";
          if (!ops.count(op)) continue;
          names.push_back(op);
          t[names.back()] = {verb != "Get", verb == "Get" ? &S3Service::get_config : &S3Service::put_config};
        }
      }
      t["PutObjectLockConfiguration"] = {true, &S3Service::put_config};
      t["GetObjectLockConfiguration"] = {false, &S3Service::get_config};
      return t;
    }();
    return t;
  }

  void attach_store(EventStore* store) override { store_ = store; }

  // ---- HTTP hooks (see Service) ----
  bool serves_unscoped() const override { return true; }
  std::string address(std::string_view host, std::string_view path) const override { return s3::addressed_path(host, path); }
  ApiError input_error(ApiError e) const override { return s3::input_error(std::move(e)); }
  std::string_view cors_operation() const override { return "__EvaluateCors"; }

  // Bodies whose upload never committed (a crash mid-upload or between the
  // write and its event) are deleted; a marked body the state references
  // did commit (the crash came before the marker's removal) and stays.
  void recover(EventStore& store) override {
    std::vector<std::string> pending;
    (void)store.scan_meta(s3::kPendingPrefix, [&](std::string_view k, std::string_view) {
      pending.emplace_back(k.substr(s3::kPendingPrefix.size()));
      return true;
    });
    if (pending.empty()) return;
    std::set<std::string> referenced;
    blob_prefixes(snapshot(), [&](const std::string& p) { referenced.insert(p.substr(3, p.size() - 4)); });
    for (auto& id : pending) {
      if (!referenced.count(id)) (void)s3::delete_blob(store, id);
      (void)store.delete_meta(s3::pending_key(id));
    }
  }

  void blob_prefixes(std::string_view snapshot, const std::function<void(const std::string&)>& visit) const override {
    s3::State st;
    if (!st.ParseFromArray(snapshot.data(), static_cast<int>(snapshot.size()))) return;
    std::set<std::string> seen;
    auto add = [&](const s3::Segment& s) {
      if (seen.insert(s.blob()).second) visit("s3/" + s.blob() + "/");
    };
    for (auto& p : st.partitions())
      for (auto& b : p.buckets()) {
        for (auto& o : b.objects())
          for (auto& s : o.segments()) add(s);
        for (auto& u : b.uploads())
          for (auto& part : u.parts())
            for (auto& s : part.segments()) add(s);
      }
  }

  // The handlers shared by several operations need the operation's name.
  std::optional<ApiError> decide(std::string_view op, const json::object& input, const CallContext& ctx,
                                 Decision& out) const override {
    current_op() = op;
    return ServiceBase<S3Service>::decide(op, input, ctx, out);
  }
  static std::string_view& current_op() {
    static thread_local std::string_view op;
    return op;
  }

  std::unique_ptr<StreamedBody> streamed_body(std::string_view op, const boost::beast::http::fields& headers,
                                              EventStore& store) const override {
    if (op == "PostObject") {
      std::string boundary = s3::form_boundary(headers[boost::beast::http::field::content_type]);
      if (boundary.empty()) return nullptr;
      struct Form final : StreamedBody {
        s3::FormReceiver r;
        Form(EventStore& st, std::string b) : r(st, std::move(b), s3::new_blob_id()) {}
        std::optional<ApiError> feed(std::string_view b) override { return r.feed(b); }
        std::optional<ApiError> finish() override { return r.finish(); }
        void discard() override { r.discard(); }
        void committed() override { r.committed(); }
        json::value describe() const override { return r.describe(); }
      };
      return std::make_unique<Form>(store, std::move(boundary));
    }
    if (op != "PutObject" && op != "UploadPart") return nullptr;
    struct Body final : StreamedBody {
      s3::BodyReceiver r;
      Body(EventStore& st, const boost::beast::http::fields& h) : r(st, h, s3::new_blob_id()) {}
      std::optional<ApiError> feed(std::string_view b) override {
        if (auto& e = r.header_error()) return e;
        return r.feed(b);
      }
      std::optional<ApiError> finish() override { return r.finish(); }
      void discard() override { r.discard(); }
      void committed() override { r.committed(); }
      json::value describe() const override {
        const auto& b = r.body();
        json::object cs;
        for (auto& [a, v] : b.checksums) cs[a] = v;
        json::object o{{"blob", b.blob}, {"size", b.size}, {"md5", s3::hex(b.md5)}, {"checksums", std::move(cs)}};
        if (b.inline_data) o["inline"] = json::string(*b.inline_data);
        return o;
      }
    };
    return std::make_unique<Body>(store, headers);
  }

  std::unique_ptr<BodySource> body_source(const json::value& spec, EventStore& store,
                                          std::function<void()> settle) const override {
    struct Source final : BodySource {
      s3::BlobReader r;
      Source(EventStore& st, std::vector<s3::SegmentRef> segs, uint64_t off, uint64_t len, std::function<void()> settle)
          : r(st, std::move(segs), off, len, std::move(settle)) {}
      uint64_t length() const override { return r.length(); }
      Result<std::string> next() override { return r.next(); }
    };
    const auto& o = spec.as_object();
    std::vector<s3::SegmentRef> segs;
    for (auto& s : o.at("segments").as_array()) {
      const auto& a = s.as_array();
      segs.push_back({std::string(a[0].as_string()), a[1].to_number<uint64_t>(), a[2].to_number<uint64_t>()});
    }
    return std::make_unique<Source>(store, std::move(segs), o.at("offset").to_number<uint64_t>(),
                                    o.at("length").to_number<uint64_t>(), std::move(settle));
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &s3::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    s3::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("s3 event does not parse");
    apply_event(e, ev);
  }
  void apply_decoded(const proto::Event& e, google::protobuf::MessageLite& payload) override {
    apply_event(e, static_cast<s3::Event&>(payload));
  }
  // May consume ev's objects.
  void apply_event(const proto::Event& e, s3::Event& ev) {
    Partition& part = parts_.get(e.account(), "");
    auto bucket = [&](const std::string& name) -> BucketState* {
      auto it = part.buckets.find(name);
      return it == part.buckets.end() ? nullptr : &it->second;
    };
    switch (ev.kind_case()) {
      case s3::Event::kBucketCreated: {
        BucketState& b = part.buckets[ev.bucket_created().bucket().name()];
        b.meta = ev.bucket_created().bucket();
        break;
      }
      case s3::Event::kBucketDeleted:
        part.buckets.erase(ev.bucket_deleted().bucket());
        break;
      case s3::Event::kConfigSet:
        if (auto* b = bucket(ev.config_set().bucket())) {
          auto* cfgs = b->meta.mutable_configs();
          for (int i = 0; i < cfgs->size(); ++i)
            if (cfgs->Get(i).name() == ev.config_set().name()) {
              cfgs->DeleteSubrange(i, 1);
              break;
            }
          if (!ev.config_set().value().empty()) {
            auto* c = cfgs->Add();
            c->set_name(ev.config_set().name());
            c->set_value(ev.config_set().value());
            sort_by(cfgs, [](const s3::Config& c) { return c.name(); });
          }
        }
        break;
      case s3::Event::kVersioningSet:
        if (auto* b = bucket(ev.versioning_set().bucket())) b->meta.set_versioning(ev.versioning_set().status());
        break;
      case s3::Event::kTagsSet:
        if (auto* b = bucket(ev.tags_set().bucket())) *b->meta.mutable_tags() = ev.tags_set().tags();
        break;
      case s3::Event::kObjectPut:
        if (auto* b = bucket(ev.object_put().bucket())) put_version(*b, std::move(*ev.mutable_object_put()->mutable_object()));
        break;
      case s3::Event::kObjectUpdated:
        if (auto* b = bucket(ev.object_updated().bucket())) {
          auto it = b->objects.find(ev.object_updated().object().key());
          if (it != b->objects.end())
            for (auto& v : it->second)
              if (v.version_id() == ev.object_updated().object().version_id()) v = ev.object_updated().object();
        }
        break;
      case s3::Event::kVersionDeleted:
        if (auto* b = bucket(ev.version_deleted().bucket())) {
          auto it = b->objects.find(ev.version_deleted().key());
          if (it != b->objects.end()) {
            auto& vs = it->second;
            vs.erase(std::remove_if(vs.begin(), vs.end(),
                                    [&](const ObjectVersion& v) { return v.version_id() == ev.version_deleted().version_id(); }),
                     vs.end());
            if (vs.empty()) b->objects.erase(it);
          }
        }
        break;
      case s3::Event::kUploadCreated:
        if (auto* b = bucket(ev.upload_created().bucket())) b->uploads[ev.upload_created().upload().upload_id()] = ev.upload_created().upload();
        break;
      case s3::Event::kPartUploaded:
        if (auto* b = bucket(ev.part_uploaded().bucket())) {
          auto it = b->uploads.find(ev.part_uploaded().upload_id());
          if (it == b->uploads.end()) break;
          auto* parts = it->second.mutable_parts();
          const s3::Part& p = ev.part_uploaded().part();
          bool replaced = false;
          for (auto& q : *parts)
            if (q.number() == p.number()) {
              q = p;
              replaced = true;
            }
          if (!replaced) {
            *parts->Add() = p;
            sort_by(parts, [](const s3::Part& x) { return x.number(); });
          }
        }
        break;
      case s3::Event::kUploadCompleted:
        if (auto* b = bucket(ev.upload_completed().bucket())) {
          b->uploads.erase(ev.upload_completed().upload_id());
          put_version(*b, std::move(*ev.mutable_upload_completed()->mutable_object()));
        }
        break;
      case s3::Event::kUploadAborted:
        if (auto* b = bucket(ev.upload_aborted().bucket())) b->uploads.erase(ev.upload_aborted().upload_id());
        break;
      default:
        throw std::runtime_error("empty s3 event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;
    for (auto& [key, part] : parts_) {
      w.begin(key.first, key.second);
      for (auto& [n, b] : part.buckets) w.item_bytes(bucket_bytes(b));
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    s3::State st;
    if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Status::corruption("s3 state does not parse");
    parts_.clear();
    for (auto& p : st.partitions()) {
      Partition& part = parts_.get(p.account(), p.region());
      for (auto& pb : p.buckets()) {
        BucketState& b = part.buckets[pb.name()];
        b.meta = pb;
        b.meta.clear_objects();
        b.meta.clear_uploads();
        for (auto& o : pb.objects()) b.objects[o.key()].push_back(o);
        for (auto& u : pb.uploads()) b.uploads[u.upload_id()] = u;
      }
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    s3::State st;
    if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Status::corruption("s3 state does not parse");
    return Status::ok();
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) {
      uint64_t n = p.buckets.size();
      for (auto& [k, b] : p.buckets) n += b.objects.size();
      return n;
    });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    s3::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    switch (ev.kind_case()) {
      case s3::Event::kBucketCreated: return "bucket=" + ev.bucket_created().bucket().name();
      case s3::Event::kBucketDeleted: return "bucket=" + ev.bucket_deleted().bucket();
      case s3::Event::kConfigSet: return "bucket=" + ev.config_set().bucket() + " " + ev.config_set().name();
      case s3::Event::kVersioningSet: return "bucket=" + ev.versioning_set().bucket() + " " + ev.versioning_set().status();
      case s3::Event::kTagsSet: return "bucket=" + ev.tags_set().bucket();
      case s3::Event::kObjectPut: {
        auto& o = ev.object_put().object();
        return "s3://" + ev.object_put().bucket() + "/" + o.key() + (o.delete_marker() ? " delete-marker" : " size=" + std::to_string(o.size())) +
               " version=" + o.version_id();
      }
      case s3::Event::kObjectUpdated: return "s3://" + ev.object_updated().bucket() + "/" + ev.object_updated().object().key();
      case s3::Event::kVersionDeleted:
        return "s3://" + ev.version_deleted().bucket() + "/" + ev.version_deleted().key() + " version=" + ev.version_deleted().version_id();
      case s3::Event::kUploadCreated: return "s3://" + ev.upload_created().bucket() + "/" + ev.upload_created().upload().key();
      case s3::Event::kPartUploaded:
        return "upload=" + ev.part_uploaded().upload_id() + " part=" + std::to_string(ev.part_uploaded().part().number());
      case s3::Event::kUploadCompleted:
        return "s3://" + ev.upload_completed().bucket() + "/" + ev.upload_completed().object().key() + " size=" +
               std::to_string(ev.upload_completed().object().size());
      case s3::Event::kUploadAborted: return "upload=" + ev.upload_aborted().upload_id();
      default: return {};
    }
  }

 private:
  // ---- state helpers ----
  static void put_version(BucketState& b, ObjectVersion&& o) {
    auto& vs = b.objects[o.key()];
    vs.erase(std::remove_if(vs.begin(), vs.end(), [&](const ObjectVersion& v) { return v.version_id() == o.version_id(); }),
             vs.end());
    vs.insert(vs.begin(), std::move(o));
  }

  // deterministic_bytes(to_proto(b)), without copying every object into one
  // message first (that copy was most of the cost of a snapshot of many
  // objects). Field order as protobuf writes it: the bucket's fields up to
  // 6, objects (7), uploads (8), owner (9); unit-tested against to_proto.
  static std::string bucket_bytes(const BucketState& b) {
    std::string out;
    if (b.meta.owner().empty()) {
      out = deterministic_bytes(b.meta);
    } else {
      s3::Bucket head = b.meta;
      head.clear_owner();
      out = deterministic_bytes(head);
    }
    for (auto& [k, vs] : b.objects)
      for (auto& v : vs) put_length_delimited(out, s3::Bucket::kObjectsFieldNumber, deterministic_bytes(v));
    for (auto& [id, u] : b.uploads) put_length_delimited(out, s3::Bucket::kUploadsFieldNumber, deterministic_bytes(u));
    if (!b.meta.owner().empty()) put_length_delimited(out, s3::Bucket::kOwnerFieldNumber, b.meta.owner());
    return out;
  }

  static s3::Bucket to_proto(const BucketState& b) {
    s3::Bucket pb = b.meta;
    for (auto& [k, vs] : b.objects)
      for (auto& v : vs) *pb.add_objects() = v;
    for (auto& [id, u] : b.uploads) *pb.add_uploads() = u;
    return pb;
  }

  const BucketState& bucket(const CallContext& ctx, std::string_view name) const {
    const Partition* p = parts_.find(ctx.account, "");
    if (p) {
      auto it = p->buckets.find(name);
      if (it != p->buckets.end()) return it->second;
    }
    throw no_such_bucket(name);
  }

  static std::string new_version_id() { return random_chars(32, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._"); }

  // The version a request names: VersionId or the latest. Throws S3's errors.
  static const ObjectVersion& find_version(const BucketState& b, std::string_view key, const Input& in, bool allow_marker = false) {
    auto it = b.objects.find(key);
    auto vid = in.opt_str("VersionId");
    if (vid && !vid->empty()) {
      if (it != b.objects.end())
        for (auto& v : it->second)
          if (v.version_id() == *vid) {
            if (v.delete_marker() && !allow_marker) {
              ApiError e = ApiError::make(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
                               .with("Method", "GET")
                               .with("ResourceType", "DeleteMarker");
              e.headers = {{"x-amz-delete-marker", "true"}, {"x-amz-version-id", v.version_id()}};
              throw e;
            }
            return v;
          }
      if (*vid != "null" && vid->size() != 32) throw invalid_argument("Invalid version id specified", "versionId", std::string(*vid));
      throw ApiError::make(404, "NoSuchVersion", "The specified version does not exist.")
          .with("Key", std::string(key))
          .with("VersionId", std::string(*vid));
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

  static const ObjectVersion* latest(const BucketState& b, std::string_view key) {
    auto it = b.objects.find(key);
    if (it == b.objects.end() || it->second.empty() || it->second.front().delete_marker()) return nullptr;
    return &it->second.front();
  }

  static void check_key(std::string_view key) {
    if (key.size() > static_cast<size_t>(kMaxKeyLength))
      throw ApiError::bad_request("KeyTooLongError", "Your key is too long").with("MaxSizeAllowed", "1024").with("Size", std::to_string(key.size()));
  }

  // Headers, metadata, tags and storage class of a new object from the request.
  static void describe_object(const Input& in, ObjectVersion& o) {
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
      auto* h = o.add_headers();
      h->set_name(std::string(header));
      h->set_value(value);
    }
    sort_by(o.mutable_headers(), [](const s3::Header& h) { return h.name(); });
    o.clear_metadata();
    if (auto* md = in.object("Metadata")) {
      std::map<std::string, std::string> sorted;
      size_t bytes = 0;
      for (auto& kv : *md) {
        sorted[std::string(kv.key())] = kv.value().is_string() ? std::string(kv.value().as_string()) : "";
        bytes += kv.key().size() + sorted[std::string(kv.key())].size();
      }
      if (bytes > 2048)  // user-defined metadata: keys and values, UTF-8 bytes
        throw ApiError::bad_request("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size")
            .with("Size", std::to_string(bytes))
            .with("MaxSizeAllowed", "2048");
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
    o.set_storage_class(sc);
  }

  // SSE-KMS: the request's algorithm and key, else the bucket's default
  // encryption; a key is reported as an ARN, as AWS does. Without KMS in
  // podstack, a request naming no key gets the ARN of the alias of S3's AWS
  // managed key (AWS reports that key's own ARN).
  static void apply_encryption(const BucketState& b, const CallContext& ctx, ObjectVersion& o) {
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
    std::string arn_prefix = "arn:aws:kms:" + ctx.region + ":" + ctx.account + ":";
    if (kid.empty()) kid = arn_prefix + "alias/aws/s3";
    else if (kid.rfind("arn:", 0) != 0) kid = arn_prefix + (kid.rfind("alias/", 0) == 0 ? kid : "key/" + kid);
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
    sort_by(o.mutable_headers(), [](const s3::Header& h) { return h.name(); });
  }

  static const std::string* header_of(const ObjectVersion& o, std::string_view name) {
    for (auto& h : o.headers())
      if (h.name() == name) return &h.value();
    return nullptr;
  }
  static std::string sse_of(const ObjectVersion& o) {
    const std::string* v = header_of(o, "x-amz-server-side-encryption");
    return v ? *v : "AES256";
  }

  // Object headers for GET/HEAD and the like.
  static void object_output(const ObjectVersion& o, json::object& out, bool with_checksums) {
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
    if (with_checksums)
      for (auto& c : o.checksums())
        for (auto& [alg, member] : kChecksumMembers)
          if (c.algorithm() == alg) out[member] = c.value();
  }

  static void checksum_output(const google::protobuf::RepeatedPtrField<s3::Checksum>& cs, json::object& out) {
    for (auto& c : cs)
      for (auto& [alg, member] : kChecksumMembers)
        if (c.algorithm() == alg) out[member] = c.value();
  }

  // The body a PutObject / UploadPart received ("__body" from the HTTP layer).
  struct Body {
    std::string blob, md5;
    const json::string* inline_data = nullptr;  // chunk 0, written with the event
    uint64_t size = 0;
    std::vector<std::pair<std::string, std::string>> checksums;
  };
  static Body received_body(const Input& in) {
    Body b;
    auto* o = in.object("__body");
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
      b.blob = s3::new_blob_id();
    }
    for (auto& kv : o->at("checksums").as_object()) b.checksums.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
    return b;
  }

  // ---- buckets ----
  void create_bucket(const Input& in, const CallContext& ctx, Decision& out) const {
    std::string name(in.str("Bucket"));
    if (!valid_bucket_name(name))
      throw ApiError::bad_request("InvalidBucketName", "The specified bucket is not valid.").with("BucketName", name);
    std::string constraint;
    if (auto* cfg = in.object("CreateBucketConfiguration"))
      if (auto* lc = cfg->if_contains("LocationConstraint"); lc && lc->is_string()) constraint = std::string(lc->as_string());
    std::string region = ctx.region;
    if (!constraint.empty()) {
      if (constraint == "us-east-1")
        throw ApiError::bad_request("InvalidLocationConstraint", "The specified location-constraint is not valid")
            .with("LocationConstraint", constraint);
      if (constraint != "EU" && constraint != region)
        throw ApiError::bad_request("IllegalLocationConstraintException",
                                    "The " + constraint + " location constraint is incompatible for the region specific endpoint this request was sent to.");
      region = constraint == "EU" ? "eu-west-1" : constraint;
    } else if (region != "us-east-1") {
      throw ApiError::bad_request("IllegalLocationConstraintException",
                                  "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.");
    }
    for (auto& [key, part] : parts_) {
      if (!part.buckets.count(name)) continue;
      if (key.first != ctx.account)
        throw ApiError::make(409, "BucketAlreadyExists",
                             "The requested bucket name is not available. The bucket namespace is shared by all users of the system. "
                             "Please select a different name and try again.")
            .with("BucketName", name);
      if (region == "us-east-1" && part.buckets.at(name).meta.region() == "us-east-1") {
        out.output = json::object{{"Location", "/" + name}};  // us-east-1 answers a re-create with 200
        return;
      }
      throw ApiError::make(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
          .with("BucketName", name);
    }
    s3::Event ev;
    auto* b = ev.mutable_bucket_created()->mutable_bucket();
    b->set_name(name);
    b->set_created_ms(ctx.now_ms);
    b->set_region(region);
    b->set_owner(ctx.account);
    if (auto ol = in.opt_str("ObjectOwnership")) {
      auto* c = b->add_configs();
      c->set_name("ownership");
      c->set_value(json::serialize(json::object{{"Rules", json::array{json::object{{"ObjectOwnership", *ol}}}}}));
    }
    out.add(ev);
    out.output = json::object{{"Location", "/" + name}};
  }

  void delete_bucket(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    if (!b.objects.empty())
      throw ApiError::make(409, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", b.meta.name());
    s3::Event ev;
    ev.mutable_bucket_deleted()->set_bucket(b.meta.name());
    out.add(ev);
  }

  void head_bucket(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    out.output = json::object{{"BucketRegion", b.meta.region()}};
  }

  void list_buckets(const Input& in, const CallContext& ctx, Decision& out) const {
    json::array list;
    if (const Partition* p = parts_.find(ctx.account, ""))
      for (auto& [n, b] : p->buckets) list.push_back(json::object{{"Name", n}, {"CreationDate", seconds(b.meta.created_ms())}});
    out.output = json::object{{"Buckets", std::move(list)}, {"Owner", owner_json()}};
  }

  void get_bucket_location(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    // <LocationConstraint>region</LocationConstraint>, empty for us-east-1.
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    if (b.meta.region() != "us-east-1") protocol::xml_escape_append(xml, b.meta.region());
    xml += "</LocationConstraint>";
    out.output = json::object{{"__xml", xml}};
  }

  void put_bucket_versioning(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    auto* cfg = in.object("VersioningConfiguration");
    auto* st = cfg ? cfg->if_contains("Status") : nullptr;
    if (!st || !st->is_string()) throw malformed_xml();
    std::string status(st->as_string());
    if (status != "Enabled" && status != "Suspended") throw malformed_xml();
    s3::Event ev;
    ev.mutable_versioning_set()->set_bucket(b.meta.name());
    ev.mutable_versioning_set()->set_status(status);
    out.add(ev);
  }

  void get_bucket_versioning(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    json::object o;
    if (!b.meta.versioning().empty()) o["Status"] = b.meta.versioning();
    out.output = std::move(o);
  }

  void put_bucket_tagging(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    auto tags = tags_from_input(in.object("Tagging"));
    s3::Event ev;
    ev.mutable_tags_set()->set_bucket(b.meta.name());
    for (auto& t : tags) *ev.mutable_tags_set()->add_tags() = t;
    out.add(ev);
  }

  void get_bucket_tagging(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    if (b.meta.tags_size() == 0)
      throw ApiError::make(404, "NoSuchTagSet", "The TagSet does not exist").with("BucketName", b.meta.name());
    out.output = json::object{{"TagSet", tags_json(b.meta.tags())}};
  }

  void delete_bucket_tagging(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    if (b.meta.tags_size() == 0) return;
    s3::Event ev;
    ev.mutable_tags_set()->set_bucket(b.meta.name());
    out.add(ev);
  }

  // Stored configurations (CORS, lifecycle, encryption, policy, ...): the
  // payload member's value kept as JSON, returned as given.
  // The stored configuration an operation names: "PutBucketCors" -> cors.
  static const ConfigOp& config_of(std::string_view op) {
    if (op == "PutObjectLockConfiguration" || op == "GetObjectLockConfiguration") return config_ops().at("ObjectLockConfiguration");
    for (std::string_view verb : {"PutBucket", "GetBucket", "DeleteBucket"})
      if (op.rfind(verb, 0) == 0) {
        std::string_view rest = op.substr(verb.size());
        if (rest == "Lifecycle") rest = "LifecycleConfiguration";
        auto it = config_ops().find(rest);
        if (it != config_ops().end()) return it->second;
      }
    throw ApiError::internal("unknown configuration operation " + std::string(op));
  }

  void put_config(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string_view opname = current_op();
    const ConfigOp& op = config_of(opname);
    bool del = opname.rfind("DeleteBucket", 0) == 0;
    std::string value;
    if (!del) {
      const json::value* v = in.raw().if_contains(op.member);
      if (!v || v->is_null()) throw malformed_xml();
      if (op.config == "policy") {
        if (!v->is_string()) throw malformed_xml();
        boost::system::error_code ec;
        json::value doc = json::parse(v->as_string(), ec);
        if (ec || !doc.is_object())
          throw ApiError::bad_request("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'");
        value = std::string(v->as_string());
      } else if (op.config == "notification" && v->is_object()) {
        json::object config = v->as_object();
        s3::check_notification_config(config);
        s3::test_event_deliveries(config, b.meta.name(), ctx, out.deliveries);
        value = json::serialize(config);
      } else {
        value = json::serialize(*v);
      }
    } else {
      bool have = false;
      for (auto& c : b.meta.configs()) have = have || c.name() == op.config;
      if (!have) return;
    }
    s3::Event ev;
    auto* cs = ev.mutable_config_set();
    cs->set_bucket(b.meta.name());
    cs->set_name(std::string(op.config));
    cs->set_value(value);
    out.add(ev);
  }

  void get_config(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    const ConfigOp* op = &config_of(current_op());
    for (auto& c : b.meta.configs()) {
      if (c.name() != op->config) continue;
      if (op->config == "policy") {
        out.output = json::object{{"Policy", c.value()}};
        return;
      }
      json::value v = json::parse(c.value());
      // Operations whose output is the configuration's members, not a payload.
      if (v.is_object() && (op->config == "cors" || op->config == "lifecycle" || op->config == "notification" ||
                            op->config == "website" || op->config == "logging" || op->config == "requestpayment" ||
                            op->config == "accelerate")) {
        out.output = v.as_object();
      } else {
        out.output = json::object{{op->member, std::move(v)}};
      }
      return;
    }
    if (op->config == "encryption") {  // every bucket has SSE-S3 by default (since 2023)
      out.output = json::object{{"ServerSideEncryptionConfiguration",
                                 json::object{{"Rules", json::array{json::object{
                                                            {"ApplyServerSideEncryptionByDefault", json::object{{"SSEAlgorithm", "AES256"}}},
                                                            {"BucketKeyEnabled", false}}}}}}};
      return;
    }
    if (op->missing_code.empty()) {
      out.output = json::object();
      return;
    }
    throw ApiError::make(404, std::string(op->missing_code), std::string(op->missing_message)).with("BucketName", b.meta.name());
  }

  void get_acl(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    if (auto key = in.opt_str("Key")) find_version(b, *key, in);
    json::object grantee = owner_json();
    grantee["Type"] = "CanonicalUser";
    out.output = json::object{{"Owner", owner_json()},
                              {"Grants", json::array{json::object{{"Grantee", std::move(grantee)}, {"Permission", "FULL_CONTROL"}}}}};
  }

  void put_acl(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    if (auto key = in.opt_str("Key")) find_version(b, *key, in);
  }

  // ---- objects ----
  std::string version_for_write(const BucketState& b) const { return b.meta.versioning() == "Enabled" ? new_version_id() : "null"; }

  static void check_write_conditions(const BucketState& b, std::string_view key, const Input& in) {
    const ObjectVersion* cur = latest(b, key);
    if (auto inm = in.opt_str("IfNoneMatch")) {
      if (*inm != "*") throw ApiError::make(501, "NotImplemented", "A header you provided implies functionality that is not implemented").with("Header", "If-None-Match");
      if (cur) throw precondition_failed("If-None-Match");
    }
    if (auto im = in.opt_str("IfMatch")) {
      if (!cur) throw no_such_key(key);
      if (!etag_matches(*im, cur->etag())) throw precondition_failed("If-Match");
    }
  }

  // S3 event notifications for one object change (s3_notifications.h).
  static void notify(const BucketState& b, std::string_view event, const ObjectVersion& o, const CallContext& ctx,
                     Decision& out, bool created = true) {
    for (auto& c : b.meta.configs()) {
      if (c.name() != "notification") continue;
      s3::ObjectEvent e{event, b.meta.name(), b.meta.region(), o.key(), created ? std::string_view(o.etag()) : std::string_view(),
                    o.version_id(), o.size(), created};
      s3::object_event_deliveries(c.value(), e, ctx, out.deliveries);
    }
  }

  // A new version of `key` holding a received body (PutObject, POST Object);
  // a small body travels with the event in the same group commit.
  ObjectVersion new_version(const BucketState& b, const std::string& key, const Body& body, const CallContext& ctx,
                            Decision& out) const {
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
      if (body.inline_data) out.blobs.emplace_back(s3::chunk_key(body.blob, 0), std::string(*body.inline_data));
    }
    return o;
  }

  // Browser-based upload (POST Object, multipart/form-data; s3_post.h): the
  // form's fields become PutObject's members, the policy is enforced, and
  // the answer follows success_action_redirect / success_action_status.
  void post_object(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    const json::object* form = in.object("__body");
    if (!form || !form->contains("fields"))
      throw ApiError::make(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
          .with("Condition", "Bucket POST must be of the enclosure-type multipart/form-data");
    std::map<std::string, std::string> fields;
    for (auto& kv : form->at("fields").as_object()) fields[std::string(kv.key())] = std::string(kv.value().as_string());
    auto key_it = fields.find("key");
    if (key_it == fields.end())
      throw invalid_argument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
                             "key", "");
    const json::value* file = form->if_contains("file");
    if (!file) throw invalid_argument("POST requires exactly one file upload per request.", "file", "0");
    uint64_t size = file->at("size").to_number<uint64_t>();
    s3::check_post_policy(fields, b.meta.name(), size, ctx.now_ms);
    std::string key = key_it->second;
    if (size_t p = key.find("${filename}"); p != std::string::npos)
      key.replace(p, 11, std::string(form->at("filename").as_string()));
    check_key(key);

    // The form as PutObject's input.
    json::object put{{"__body", *file}};
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
      throw ApiError::bad_request("InvalidStorageClass", "The storage class you specified is not valid");
    Input pin(put);
    ObjectVersion o = new_version(b, key, received_body(pin), ctx, out);
    describe_object(pin, o);
    apply_encryption(b, ctx, o);
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
      res["__status"] = 303;
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
      res["__xml"] = xml;
      res["__status"] = 201;
    } else {
      res["__status"] = status != fields.end() && status->second == "200" ? 200 : 204;
    }
    s3::Event ev;
    ev.mutable_object_put()->set_bucket(b.meta.name());
    *ev.mutable_object_put()->mutable_object() = std::move(o);
    out.add(ev);
    out.output = std::move(res);
  }

  void put_object(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string key(in.str("Key"));
    check_key(key);
    check_write_conditions(b, key, in);
    Body body = received_body(in);
    ObjectVersion o = new_version(b, key, body, ctx, out);
    for (auto& [alg, v] : body.checksums) {
      auto* c = o.add_checksums();
      c->set_algorithm(alg);
      c->set_value(v);
    }
    describe_object(in, o);
    apply_encryption(b, ctx, o);
    json::object res{{"ETag", quoted(o.etag())}, {"ServerSideEncryption", sse_of(o)}};
    if (const std::string* k = header_of(o, "x-amz-server-side-encryption-aws-kms-key-id")) res["SSEKMSKeyId"] = *k;
    if (o.version_id() != "null") res["VersionId"] = o.version_id();
    checksum_output(o.checksums(), res);
    notify(b, "ObjectCreated:Put", o, ctx, out);
    s3::Event ev;
    ev.mutable_object_put()->set_bucket(b.meta.name());
    *ev.mutable_object_put()->mutable_object() = std::move(o);
    out.add(std::move(ev));
    out.output = std::move(res);
  }

  void get_object(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string key(in.str("Key"));
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
      ApiError e = ApiError::make(304, "NotModified", "Not Modified");
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
        throw ApiError::make(416, "InvalidPartNumber", "The requested partnumber is not satisfiable").with("PartNumberRequested", std::to_string(*pn)).with("ActualPartCount", std::to_string(parts));
      if (o.part_sizes_size()) {
        for (int i = 0; i < *pn - 1; ++i) first += o.part_sizes(i);
        length = o.part_sizes(static_cast<int>(*pn - 1));
        res["__status"] = 206;
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
        res["__status"] = 206;
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
    if (length > 0) res["__stream"] = stream_spec(o, first, length);
    out.output = std::move(res);
  }

  // Deletes `key` (a version, or the latest): the events and the output members.
  void delete_one(const BucketState& b, const std::string& key, std::optional<std::string> version_id, const CallContext& ctx,
                  Decision& out, json::object& res) const {
    s3::Event ev;
    if (version_id) {
      auto it = b.objects.find(key);
      if (it != b.objects.end())
        for (auto& v : it->second)
          if (v.version_id() == *version_id) {
            if (v.delete_marker()) res["DeleteMarker"] = true;
            auto* d = ev.mutable_version_deleted();
            d->set_bucket(b.meta.name());
            d->set_key(key);
            d->set_version_id(*version_id);
            out.add(ev);
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
      out.add(ev);
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
    out.add(ev);
    notify(b, "ObjectRemoved:DeleteMarkerCreated", m, ctx, out, false);
    res["DeleteMarker"] = true;
    res["VersionId"] = m.version_id();
  }

  void delete_object(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string key(in.str("Key"));
    json::object res;
    auto vid = in.opt_str("VersionId");
    delete_one(b, key, vid ? std::optional<std::string>(std::string(*vid)) : std::nullopt, ctx, out, res);
    out.output = std::move(res);
  }

  void delete_objects(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    auto* del = in.object("Delete");
    auto* objs = del ? del->if_contains("Objects") : nullptr;
    if (!objs || !objs->is_array() || objs->as_array().empty() || objs->as_array().size() > 1000) throw malformed_xml();
    bool quiet = del->if_contains("Quiet") && del->at("Quiet").is_bool() && del->at("Quiet").as_bool();
    json::array deleted, errors;
    for (auto& ov : objs->as_array()) {
      if (!ov.is_object() || !ov.as_object().contains("Key")) throw malformed_xml();
      std::string key(ov.as_object().at("Key").as_string());
      std::optional<std::string> vid;
      if (auto* v = ov.as_object().if_contains("VersionId"); v && v->is_string()) vid = std::string(v->as_string());
      json::object r;
      try {
        delete_one(b, key, vid, ctx, out, r);
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

  // "bucket/key?versionId=x" (URL-encoded, leading slash optional).
  struct CopySource {
    std::string bucket, key, version_id;
  };
  static CopySource parse_copy_source(std::string_view cs) {
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

  const ObjectVersion& copy_source(const CallContext& ctx, const Input& in, CopySource& src) const {
    src = parse_copy_source(in.str("CopySource"));
    const BucketState& sb = bucket(ctx, src.bucket);
    const ObjectVersion* o = nullptr;
    auto it = sb.objects.find(src.key);
    if (!src.version_id.empty()) {
      if (it != sb.objects.end())
        for (auto& v : it->second)
          if (v.version_id() == src.version_id) o = &v;
      if (!o) throw ApiError::make(404, "NoSuchVersion", "The specified version does not exist.").with("Key", src.key).with("VersionId", src.version_id);
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

  void copy_object(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string key(in.str("Key"));
    check_key(key);
    CopySource src;
    const ObjectVersion& s = copy_source(ctx, in, src);
    std::string directive = in.str_or("MetadataDirective", "COPY");
    std::string tag_directive = in.str_or("TaggingDirective", "COPY");
    if (src.bucket == b.meta.name() && src.key == key && src.version_id.empty() && directive == "COPY" &&
        !in.has("StorageClass") && !in.has("WebsiteRedirectLocation") && !in.has("ServerSideEncryption"))
      throw ApiError::bad_request("InvalidRequest",
                                  "This copy request is illegal because it is trying to copy an object to itself without changing the "
                                  "object's metadata, storage class, website redirect location or encryption attributes.");
    ObjectVersion o = s;
    o.set_key(key);
    o.set_version_id(version_for_write(b));
    o.set_last_modified_ms(ctx.now_ms);
    o.set_owner(ctx.account);
    if (directive == "REPLACE") {
      o.clear_headers();
      o.clear_metadata();
      auto tags = o.tags();
      describe_object(in, o);
      apply_encryption(b, ctx, o);
      if (tag_directive != "REPLACE") *o.mutable_tags() = tags;
    } else {
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
    s3::Event ev;
    ev.mutable_object_put()->set_bucket(b.meta.name());
    *ev.mutable_object_put()->mutable_object() = std::move(o);
    out.add(ev);
    out.output = std::move(res);
  }

  void list_objects(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    bool v2 = current_op() == "ListObjectsV2";
    std::string prefix = in.str_or("Prefix", "");
    std::string delim = in.str_or("Delimiter", "");
    int64_t max_keys = in.opt_int("MaxKeys").value_or(1000);
    if (max_keys < 0) throw invalid_argument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", std::to_string(max_keys));
    max_keys = std::min<int64_t>(max_keys, 1000);
    bool url = in.str_or("EncodingType", "") == "url";
    auto enc = [&](const std::string& s) { return url ? url_encode(s) : s; };
    std::string start;  // keys > start
    if (v2) {
      if (auto tok = in.opt_str("ContinuationToken")) {
        auto raw = protocol::base64_decode(*tok);
        if (!raw || raw->rfind("ps1:", 0) != 0) throw invalid_argument("The continuation token provided is incorrect", "continuation-token", std::string(*tok));
        start = raw->substr(4);
      } else {
        start = in.str_or("StartAfter", "");
      }
    } else {
      start = in.str_or("Marker", "");
    }
    json::array contents, prefixes;
    std::string last;
    bool truncated = false;
    int64_t count = 0;
    auto it = start.empty() ? b.objects.lower_bound(prefix) : b.objects.upper_bound(start);
    if (!prefix.empty() && it != b.objects.end() && it->first < prefix) it = b.objects.lower_bound(prefix);
    // A page that ended on a common prefix continues after all of its keys.
    std::string last_prefix = !delim.empty() && start.size() >= delim.size() &&
                                      start.compare(start.size() - delim.size(), delim.size(), delim) == 0
                                  ? start
                                  : std::string();
    for (; it != b.objects.end(); ++it) {
      const std::string& k = it->first;
      if (k.compare(0, prefix.size(), prefix) != 0) break;
      if (it->second.empty() || it->second.front().delete_marker()) continue;
      std::string cp;
      if (!delim.empty()) {
        size_t p = k.find(delim, prefix.size());
        if (p != std::string::npos) cp = k.substr(0, p + delim.size());
      }
      if (!cp.empty() && cp == last_prefix) continue;
      if (count >= max_keys) {
        truncated = true;
        break;
      }
      ++count;
      if (!cp.empty()) {
        last_prefix = cp;
        last = cp;
        prefixes.push_back(json::object{{"Prefix", enc(cp)}});
        // Skip the rest of this prefix.
        continue;
      }
      last = k;
      const ObjectVersion& o = it->second.front();
      json::object c{{"Key", enc(k)}, {"LastModified", seconds(o.last_modified_ms())}, {"ETag", quoted(o.etag())},
                     {"Size", o.size()}, {"StorageClass", storage_class_of(o)}};
      if (!v2 || in.flag("FetchOwner")) c["Owner"] = owner_json();
      if (o.checksums_size()) c["ChecksumAlgorithm"] = json::array{json::value(o.checksums(0).algorithm())};
      contents.push_back(std::move(c));
    }
    json::object res{{"Name", b.meta.name()}, {"Prefix", enc(prefix)}, {"MaxKeys", in.opt_int("MaxKeys").value_or(1000)},
                     {"IsTruncated", truncated}};
    if (!delim.empty()) res["Delimiter"] = enc(delim);
    if (url) res["EncodingType"] = "url";
    if (!contents.empty()) res["Contents"] = std::move(contents);
    if (!prefixes.empty()) res["CommonPrefixes"] = std::move(prefixes);
    if (v2) {
      res["KeyCount"] = count;
      if (auto tok = in.opt_str("ContinuationToken")) res["ContinuationToken"] = *tok;
      if (auto sa = in.opt_str("StartAfter")) res["StartAfter"] = enc(std::string(*sa));
      if (truncated) res["NextContinuationToken"] = protocol::base64_encode("ps1:" + last);
    } else {
      res["Marker"] = enc(in.str_or("Marker", ""));
      if (truncated && !delim.empty()) res["NextMarker"] = enc(last);
    }
    out.output = std::move(res);
  }

  void list_object_versions(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string prefix = in.str_or("Prefix", "");
    std::string delim = in.str_or("Delimiter", "");
    int64_t max_keys = std::min<int64_t>(in.opt_int("MaxKeys").value_or(1000), 1000);
    std::string key_marker = in.str_or("KeyMarker", "");
    std::string vid_marker = in.str_or("VersionIdMarker", "");
    bool url = in.str_or("EncodingType", "") == "url";
    auto enc = [&](const std::string& s) { return url ? url_encode(s) : s; };
    json::array versions, markers, prefixes;
    int64_t count = 0;
    bool truncated = false;
    std::string next_key, next_vid, last_prefix;
    auto it = key_marker.empty() ? b.objects.lower_bound(prefix) : b.objects.lower_bound(key_marker);
    for (; it != b.objects.end() && !truncated; ++it) {
      const std::string& k = it->first;
      if (k.compare(0, prefix.size(), prefix) != 0) {
        if (k > prefix) break;
        continue;
      }
      std::string cp;
      if (!delim.empty()) {
        size_t p = k.find(delim, prefix.size());
        if (p != std::string::npos) cp = k.substr(0, p + delim.size());
      }
      if (!cp.empty()) {
        if (cp == last_prefix || (!key_marker.empty() && cp <= key_marker)) continue;
        if (count >= max_keys) {
          truncated = true;
          break;
        }
        ++count;
        last_prefix = cp;
        prefixes.push_back(json::object{{"Prefix", enc(cp)}});
        next_key = cp;
        next_vid.clear();
        continue;
      }
      bool skipping = !key_marker.empty() && k == key_marker;
      if (skipping && vid_marker.empty()) continue;  // KeyMarker alone: versions of keys after it
      bool first = true;
      for (auto& v : it->second) {
        bool is_latest = first;
        first = false;
        if (skipping) {
          if (v.version_id() == vid_marker) skipping = false;
          continue;
        }
        if (count >= max_keys) {
          truncated = true;
          break;
        }
        ++count;
        json::object e{{"Key", enc(k)}, {"VersionId", v.version_id()}, {"IsLatest", is_latest},
                       {"LastModified", seconds(v.last_modified_ms())}, {"Owner", owner_json()}};
        if (v.delete_marker()) {
          markers.push_back(std::move(e));
        } else {
          e["ETag"] = quoted(v.etag());
          e["Size"] = v.size();
          e["StorageClass"] = storage_class_of(v);
          versions.push_back(std::move(e));
        }
        next_key = k;
        next_vid = v.version_id();
      }
    }
    json::object res{{"Name", b.meta.name()}, {"Prefix", enc(prefix)}, {"KeyMarker", enc(key_marker)},
                     {"VersionIdMarker", vid_marker}, {"MaxKeys", max_keys}, {"IsTruncated", truncated}};
    if (!delim.empty()) res["Delimiter"] = enc(delim);
    if (url) res["EncodingType"] = "url";
    if (!versions.empty()) res["Versions"] = std::move(versions);
    if (!markers.empty()) res["DeleteMarkers"] = std::move(markers);
    if (!prefixes.empty()) res["CommonPrefixes"] = std::move(prefixes);
    if (truncated) {
      res["NextKeyMarker"] = enc(next_key);
      if (!next_vid.empty()) res["NextVersionIdMarker"] = next_vid;
    }
    out.output = std::move(res);
  }

  void put_object_tagging(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string key(in.str("Key"));
    ObjectVersion o = find_version(b, key, in);
    o.clear_tags();
    if (in.has("Tagging"))
      for (auto& t : tags_from_input(in.object("Tagging"))) *o.add_tags() = t;
    json::object res;
    if (o.version_id() != "null") res["VersionId"] = o.version_id();
    notify(b, in.has("Tagging") ? "ObjectTagging:Put" : "ObjectTagging:Delete", o, ctx, out);
    s3::Event ev;
    ev.mutable_object_updated()->set_bucket(b.meta.name());
    *ev.mutable_object_updated()->mutable_object() = std::move(o);
    out.add(ev);
    out.output = std::move(res);
  }

  void get_object_tagging(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    const ObjectVersion& o = find_version(b, in.str("Key"), in);
    json::object res{{"TagSet", tags_json(o.tags())}};
    if (o.version_id() != "null") res["VersionId"] = o.version_id();
    out.output = std::move(res);
  }

  void get_object_attributes(const Input& in, const CallContext& ctx, Decision& out) const {
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

  void put_public_access_block(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    s3::Event ev;
    auto* cs = ev.mutable_config_set();
    cs->set_bucket(b.meta.name());
    cs->set_name("publicaccessblock");
    if (current_op() == "PutPublicAccessBlock") {
      auto* v = in.object("PublicAccessBlockConfiguration");
      if (!v) throw malformed_xml();
      cs->set_value(json::serialize(*v));
    } else {
      bool have = false;
      for (auto& c : b.meta.configs()) have = have || c.name() == "publicaccessblock";
      if (!have) return;
    }
    out.add(ev);
  }

  void get_public_access_block(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    for (auto& c : b.meta.configs())
      if (c.name() == "publicaccessblock") {
        out.output = json::object{{"PublicAccessBlockConfiguration", json::parse(c.value())}};
        return;
      }
    throw ApiError::make(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
        .with("BucketName", b.meta.name());
  }

  // CORS as S3 evaluates it: the first rule whose origin, method and (for a
  // preflight) requested headers all match. Input: Bucket, Origin, Method,
  // RequestHeaders (comma list), Preflight. Output: "headers" to add, or an
  // error (preflight only).
  static bool wildcard_match(std::string_view pattern, std::string_view s, bool ci) {
    auto eq = [ci](char a, char b) {
      return ci ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b;
    };
    size_t star = pattern.find('*');
    if (star == std::string_view::npos)
      return pattern.size() == s.size() && std::equal(pattern.begin(), pattern.end(), s.begin(), eq);
    std::string_view pre = pattern.substr(0, star), post = pattern.substr(star + 1);
    return s.size() >= pre.size() + post.size() && std::equal(pre.begin(), pre.end(), s.begin(), eq) &&
           std::equal(post.begin(), post.end(), s.end() - post.size(), eq);
  }

  void evaluate_cors(const Input& in, const CallContext& ctx, Decision& out) const {
    bool preflight = in.flag("Preflight");
    const Partition* p = parts_.find(ctx.account, "");
    const BucketState* b = nullptr;
    if (p) {
      std::string bucket = in.str_or("Bucket", "");
      if (bucket.empty()) bucket = std::string(s3::bucket_of(in.str_or("Path", "")));
      auto it = p->buckets.find(bucket);
      if (it != p->buckets.end()) b = &it->second;
    }
    auto deny = [&](std::string msg) {
      if (preflight) throw ApiError::make(403, "AccessForbidden", std::move(msg)).with("Method", in.str_or("Method", "")).with("ResourceType", "OBJECT");
      out.output = json::object();
    };
    if (!b) {
      if (preflight) throw no_such_bucket(in.str_or("Bucket", ""));
      return deny("");
    }
    const std::string* cfg = nullptr;
    for (auto& c : b->meta.configs())
      if (c.name() == "cors") cfg = &c.value();
    if (!cfg) return deny("CORSResponse: CORS is not enabled for this bucket.");
    std::string origin = in.str_or("Origin", ""), method = in.str_or("Method", "");
    std::vector<std::string> req_headers = protocol::split_header_list(in.str_or("RequestHeaders", ""));
    json::value doc = json::parse(*cfg);
    auto* rules = doc.is_object() ? doc.as_object().if_contains("CORSRules") : nullptr;
    if (rules && rules->is_array())
      for (auto& rv : rules->as_array()) {
        if (!rv.is_object()) continue;
        const auto& r = rv.as_object();
        auto list = [&](std::string_view k) {
          std::vector<std::string> v;
          if (auto* a = r.if_contains(k); a && a->is_array())
            for (auto& x : a->as_array())
              if (x.is_string()) v.emplace_back(x.as_string());
          return v;
        };
        auto origins = list("AllowedOrigins"), methods = list("AllowedMethods"), allowed = list("AllowedHeaders"),
             expose = list("ExposeHeaders");
        std::string matched;
        for (auto& o : origins)
          if (wildcard_match(o, origin, false)) matched = o;
        if (matched.empty() || std::find(methods.begin(), methods.end(), method) == methods.end()) continue;
        bool headers_ok = true;
        for (auto& h : req_headers) {
          bool ok = false;
          for (auto& a : allowed) ok = ok || wildcard_match(a, h, true);
          headers_ok = headers_ok && ok;
        }
        if (preflight && !headers_ok) continue;
        json::object h;
        bool any = matched == "*";
        h["Access-Control-Allow-Origin"] = any ? "*" : origin;
        std::string ms;
        for (auto& m : methods) ms += (ms.empty() ? "" : ", ") + m;
        h["Access-Control-Allow-Methods"] = ms;
        if (!any) h["Access-Control-Allow-Credentials"] = "true";
        if (!expose.empty()) {
          std::string e;
          for (auto& x : expose) e += (e.empty() ? "" : ", ") + x;
          h["Access-Control-Expose-Headers"] = e;
        }
        if (preflight) {
          if (!req_headers.empty()) {
            std::string e;
            for (auto& x : req_headers) e += (e.empty() ? "" : ", ") + x;
            h["Access-Control-Allow-Headers"] = e;
          }
          if (auto* ma = r.if_contains("MaxAgeSeconds"); ma && ma->is_number()) h["Access-Control-Max-Age"] = std::to_string(ma->to_number<int64_t>());
        }
        h["Vary"] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
        out.output = json::object{{"headers", std::move(h)}};
        return;
      }
    deny("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / "
         "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
  }

  // ---- multipart ----
  const s3::Upload& upload(const BucketState& b, const Input& in) const {
    std::string id(in.str("UploadId"));
    auto it = b.uploads.find(id);
    if (it == b.uploads.end() || it->second.key() != in.str("Key")) throw no_such_upload(id);
    return it->second;
  }

  void create_multipart_upload(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string key(in.str("Key"));
    check_key(key);
    s3::Upload u;
    u.set_upload_id(random_chars(64, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
    u.set_key(key);
    u.set_initiated_ms(ctx.now_ms);
    u.set_checksum_algorithm(in.str_or("ChecksumAlgorithm", ""));
    ObjectVersion& o = *u.mutable_object();
    o.set_key(key);
    o.set_owner(ctx.account);
    describe_object(in, o);
    apply_encryption(b, ctx, o);
    json::object res{{"Bucket", b.meta.name()}, {"Key", key}, {"UploadId", u.upload_id()}};
    if (const std::string* sse = header_of(o, "x-amz-server-side-encryption")) res["ServerSideEncryption"] = *sse;
    if (const std::string* k = header_of(o, "x-amz-server-side-encryption-aws-kms-key-id")) res["SSEKMSKeyId"] = *k;
    if (!u.checksum_algorithm().empty()) res["ChecksumAlgorithm"] = u.checksum_algorithm();
    s3::Event ev;
    ev.mutable_upload_created()->set_bucket(b.meta.name());
    *ev.mutable_upload_created()->mutable_upload() = std::move(u);
    out.add(ev);
    out.output = std::move(res);
  }

  void upload_part(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    int64_t n = in.opt_int("PartNumber").value_or(0);
    if (n < 1 || n > 10000)
      throw invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", std::to_string(n));
    const s3::Upload& u = upload(b, in);
    s3::Part p;
    p.set_number(static_cast<int32_t>(n));
    p.set_last_modified_ms(ctx.now_ms);
    json::object res;
    if (in.has("CopySource")) {  // UploadPartCopy
      CopySource src;
      const ObjectVersion& s = copy_source(ctx, in, src);
      uint64_t first = 0, last = s.size() == 0 ? 0 : s.size() - 1;
      if (auto r = in.opt_str("CopySourceRange")) {
        // Strictly "bytes=first-last" within the source.
        std::string_view rv = *r;
        size_t dash = rv.find('-');
        std::string a = rv.rfind("bytes=", 0) == 0 && dash != std::string_view::npos ? std::string(rv.substr(6, dash - 6)) : "";
        std::string z = dash != std::string_view::npos ? std::string(rv.substr(dash + 1)) : "";
        auto digits = [](const std::string& x) { return !x.empty() && x.size() < 19 && x.find_first_not_of("0123456789") == std::string::npos; };
        if (!digits(a) || !digits(z) || std::stoull(z) < std::stoull(a))
          throw invalid_argument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
                                 "zero-based offsets of the first and last bytes to copy",
                                 "x-amz-copy-source-range", std::string(rv));
        first = std::stoull(a);
        last = std::stoull(z);
        if (last >= s.size())
          throw invalid_argument("Range specified is not valid for source object of size: " + std::to_string(s.size()),
                                 "x-amz-copy-source-range", std::string(rv));
      }
      uint64_t len = s.size() == 0 ? 0 : last - first + 1;
      // The part's segments: the source's, cut to [first, first+len).
      uint64_t pos = 0;
      for (auto& seg : s.segments()) {
        uint64_t a = std::max(pos, first), z = std::min(pos + seg.size(), first + len);
        if (a < z) {
          auto* ns = p.add_segments();
          ns->set_blob(seg.blob());
          ns->set_offset(seg.offset() + (a - pos));
          ns->set_size(z - a);
        }
        pos += seg.size();
      }
      p.set_size(len);
      // ETag: MD5 of the bytes copied (read from the immutable blobs).
      if (first == 0 && len == s.size() && s.part_sizes_size() == 0) {
        p.set_etag(s.etag());
      } else {
        if (!store_) throw ApiError::internal("the blob store is not attached");
        std::vector<s3::SegmentRef> segs;
        for (auto& seg : s.segments()) segs.push_back({seg.blob(), seg.offset(), seg.size()});
        s3::BlobReader r(*store_, std::move(segs), first, len);
        s3::Hasher md5("MD5");
        for (;;) {
          auto piece = r.next();
          if (!piece) throw ApiError::internal(piece.status().to_string());
          if (piece->empty()) break;
          md5.update(*piece);
        }
        p.set_etag(s3::hex(md5.digest()));
      }
      res["CopyPartResult"] = json::object{{"ETag", quoted(p.etag())}, {"LastModified", seconds(ctx.now_ms)}};
      if (s.version_id() != "null") res["CopySourceVersionId"] = s.version_id();
    } else {
      Body body = received_body(in);
      p.set_size(body.size);
      p.set_etag(body.md5);
      if (body.size > 0) {
        auto* s = p.add_segments();
        s->set_blob(body.blob);
        s->set_size(body.size);
        if (body.inline_data) out.blobs.emplace_back(s3::chunk_key(body.blob, 0), std::string(*body.inline_data));
      }
      for (auto& [alg, v] : body.checksums) {
        auto* c = p.add_checksums();
        c->set_algorithm(alg);
        c->set_value(v);
      }
      res["ETag"] = quoted(p.etag());
      checksum_output(p.checksums(), res);
    }
    s3::Event ev;
    auto* pu = ev.mutable_part_uploaded();
    pu->set_bucket(b.meta.name());
    pu->set_upload_id(u.upload_id());
    *pu->mutable_part() = std::move(p);
    out.add(ev);
    out.output = std::move(res);
  }

  void complete_multipart_upload(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    const s3::Upload& u = upload(b, in);
    check_write_conditions(b, u.key(), in);
    auto* mu = in.object("MultipartUpload");
    auto* parts = mu ? mu->if_contains("Parts") : nullptr;
    if (!parts || !parts->is_array() || parts->as_array().empty())
      throw ApiError::bad_request("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
    std::map<int32_t, const s3::Part*> have;
    for (auto& p : u.parts()) have[p.number()] = &p;
    ObjectVersion o = u.object();
    o.set_version_id(version_for_write(b));
    o.set_last_modified_ms(ctx.now_ms);
    o.clear_segments();
    std::string md5s;
    uint64_t size = 0;
    int32_t prev = 0;
    const auto& list = parts->as_array();
    std::string alg = u.checksum_algorithm();
    std::string composite_raw;
    for (size_t i = 0; i < list.size(); ++i) {
      const json::object& cp = list[i].as_object();
      int32_t n = static_cast<int32_t>(cp.at("PartNumber").to_number<int64_t>());
      if (n <= prev)
        throw ApiError::bad_request("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
            .with("UploadId", u.upload_id());
      prev = n;
      auto it = have.find(n);
      std::string etag = cp.contains("ETag") ? unquote(cp.at("ETag").as_string()) : "";
      if (it == have.end() || it->second->etag() != etag)
        throw ApiError::bad_request("InvalidPart",
                                    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the "
                                    "specified entity tag may not match the part's entity tag.")
            .with("UploadId", u.upload_id())
            .with("PartNumber", std::to_string(n))
            .with("ETag", etag);
      const s3::Part& p = *it->second;
      if (i + 1 < list.size() && p.size() < kMinPartSize)
        throw ApiError::bad_request("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
            .with("ProposedSize", std::to_string(p.size()))
            .with("MinSizeAllowed", std::to_string(kMinPartSize))
            .with("PartNumber", std::to_string(n))
            .with("ETag", etag);
      for (auto& s : p.segments()) *o.add_segments() = s;
      o.add_part_sizes(p.size());
      size += p.size();
      std::string raw_md5;
      for (size_t k = 0; k + 1 < p.etag().size(); k += 2) raw_md5 += static_cast<char>(std::stoi(p.etag().substr(k, 2), nullptr, 16));
      md5s += raw_md5;
      if (!alg.empty())
        for (auto& c : p.checksums())
          if (c.algorithm() == alg)
            if (auto raw = protocol::base64_decode(c.value())) composite_raw += *raw;
    }
    s3::Hasher md5("MD5");
    md5.update(md5s);
    o.set_etag(s3::hex(md5.digest()) + "-" + std::to_string(list.size()));
    o.set_size(size);
    o.clear_checksums();
    if (!alg.empty() && s3::Hasher::supported(alg) && alg != "MD5") {
      s3::Hasher h(alg);
      h.update(composite_raw);
      auto* c = o.add_checksums();
      c->set_algorithm(alg);
      c->set_value(protocol::base64_encode(h.digest()) + "-" + std::to_string(list.size()));
    }
    json::object res{{"Location", "http://" + (ctx.host.empty() ? std::string("localhost:4566") : ctx.host) + "/" + b.meta.name() + "/" + url_encode(o.key())},
                     {"Bucket", b.meta.name()}, {"Key", o.key()}, {"ETag", quoted(o.etag())}};
    if (o.version_id() != "null") res["VersionId"] = o.version_id();
    checksum_output(o.checksums(), res);
    notify(b, "ObjectCreated:CompleteMultipartUpload", o, ctx, out);
    s3::Event ev;
    auto* uc = ev.mutable_upload_completed();
    uc->set_bucket(b.meta.name());
    uc->set_upload_id(u.upload_id());
    *uc->mutable_object() = std::move(o);
    out.add(ev);
    out.output = std::move(res);
  }

  void abort_multipart_upload(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    const s3::Upload& u = upload(b, in);
    s3::Event ev;
    ev.mutable_upload_aborted()->set_bucket(b.meta.name());
    ev.mutable_upload_aborted()->set_upload_id(u.upload_id());
    out.add(ev);
  }

  void list_parts(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    const s3::Upload& u = upload(b, in);
    int64_t marker = in.opt_int("PartNumberMarker").value_or(0);
    int64_t max_parts = std::min<int64_t>(in.opt_int("MaxParts").value_or(1000), 1000);
    json::array parts;
    bool truncated = false;
    int64_t last = 0;
    for (auto& p : u.parts()) {
      if (p.number() <= marker) continue;
      if (static_cast<int64_t>(parts.size()) >= max_parts) {
        truncated = true;
        break;
      }
      json::object po{{"PartNumber", p.number()}, {"LastModified", seconds(p.last_modified_ms())}, {"ETag", quoted(p.etag())},
                      {"Size", p.size()}};
      checksum_output(p.checksums(), po);
      parts.push_back(std::move(po));
      last = p.number();
    }
    json::object res{{"Bucket", b.meta.name()}, {"Key", u.key()}, {"UploadId", u.upload_id()},
                     {"PartNumberMarker", marker}, {"MaxParts", max_parts}, {"IsTruncated", truncated},
                     {"Initiator", owner_json()}, {"Owner", owner_json()},
                     {"StorageClass", storage_class_of(u.object())}};
    if (truncated) res["NextPartNumberMarker"] = last;
    if (!parts.empty()) res["Parts"] = std::move(parts);
    if (!u.checksum_algorithm().empty()) res["ChecksumAlgorithm"] = u.checksum_algorithm();
    out.output = std::move(res);
  }

  void list_multipart_uploads(const Input& in, const CallContext& ctx, Decision& out) const {
    const BucketState& b = bucket(ctx, in.str("Bucket"));
    std::string prefix = in.str_or("Prefix", "");
    std::string key_marker = in.str_or("KeyMarker", "");
    std::string id_marker = in.str_or("UploadIdMarker", "");
    int64_t max = std::min<int64_t>(in.opt_int("MaxUploads").value_or(1000), 1000);
    std::string delimiter = in.str_or("Delimiter", "");
    // Uploads in (key, initiated, id) order.
    std::vector<const s3::Upload*> all;
    for (auto& [id, u] : b.uploads)
      if (u.key().compare(0, prefix.size(), prefix) == 0) all.push_back(&u);
    std::sort(all.begin(), all.end(), [](const s3::Upload* a, const s3::Upload* b) {
      if (a->key() != b->key()) return a->key() < b->key();
      if (a->initiated_ms() != b->initiated_ms()) return a->initiated_ms() < b->initiated_ms();
      return a->upload_id() < b->upload_id();
    });
    json::array uploads, prefixes;
    std::set<std::string> seen_prefixes;
    bool truncated = false;
    std::string next_key, next_id;
    for (auto* u : all) {
      if (!key_marker.empty()) {
        if (u->key() < key_marker) continue;
        if (u->key() == key_marker && (id_marker.empty() || u->upload_id() <= id_marker)) continue;
        // A marker that is a common prefix (NextKeyMarker of a rolled-up page) covers its keys.
        if (!delimiter.empty() && key_marker.size() >= delimiter.size() &&
            key_marker.compare(key_marker.size() - delimiter.size(), delimiter.size(), delimiter) == 0 &&
            u->key().compare(0, key_marker.size(), key_marker) == 0)
          continue;
      }
      // Keys with the delimiter after the prefix roll up into one CommonPrefix.
      std::string common;
      if (!delimiter.empty())
        if (size_t d = u->key().find(delimiter, prefix.size()); d != std::string::npos) common = u->key().substr(0, d + delimiter.size());
      if (!common.empty() && seen_prefixes.count(common)) continue;
      if (static_cast<int64_t>(uploads.size() + prefixes.size()) >= max) {
        truncated = true;
        break;
      }
      if (!common.empty()) {
        seen_prefixes.insert(common);
        prefixes.push_back(json::object{{"Prefix", common}});
        next_key = common;
        next_id.clear();
        continue;
      }
      uploads.push_back(json::object{{"Key", u->key()}, {"UploadId", u->upload_id()}, {"Initiated", seconds(u->initiated_ms())},
                                     {"StorageClass", storage_class_of(u->object())},
                                     {"Owner", owner_json()}, {"Initiator", owner_json()}});
      next_key = u->key();
      next_id = u->upload_id();
    }
    json::object res{{"Bucket", b.meta.name()}, {"KeyMarker", key_marker}, {"UploadIdMarker", id_marker},
                     {"MaxUploads", max}, {"IsTruncated", truncated}, {"Prefix", prefix}};
    if (truncated) {
      res["NextKeyMarker"] = next_key;
      res["NextUploadIdMarker"] = next_id;
    }
    if (!delimiter.empty()) res["Delimiter"] = delimiter;
    if (!uploads.empty()) res["Uploads"] = std::move(uploads);
    if (!prefixes.empty()) res["CommonPrefixes"] = std::move(prefixes);
    out.output = std::move(res);
  }

  Partitions<Partition> parts_;
  EventStore* store_ = nullptr;
};

}  // namespace

std::unique_ptr<Service> make_s3_service() { return std::make_unique<S3Service>(); }

}  // namespace podstack
