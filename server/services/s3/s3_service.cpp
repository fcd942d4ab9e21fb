// S3's operation table and what the service does besides handling
// requests: bodies received into and read from the blob store, and the
// recovery of bodies a crash left uncommitted.
#include "server/services/s3/s3_service.h"

#include <deque>
#include <set>

#include "server/services/s3/s3_body.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_post.h"

namespace podstack::s3 {

const S3Service::Table& S3Service::operations() {
  static const Table t = [] {
    Table t = {
        {"CreateBucket", write(&S3Service::create_bucket)},
        {"DeleteBucket", write(&S3Service::delete_bucket)},
        {"HeadBucket", read(&S3Service::head_bucket)},
        {"ListBuckets", read(&S3Service::list_buckets)},
        {"GetBucketLocation", read(&S3Service::get_bucket_location)},
        {"PutBucketVersioning", write(&S3Service::put_bucket_versioning)},
        {"GetBucketVersioning", read(&S3Service::get_bucket_versioning)},
        {"PutBucketTagging", write(&S3Service::put_bucket_tagging)},
        {"GetBucketTagging", read(&S3Service::get_bucket_tagging)},
        {"DeleteBucketTagging", write(&S3Service::delete_bucket_tagging)},
        {"GetBucketAcl", read(&S3Service::get_acl)},
        {"PutBucketAcl", write(&S3Service::put_acl)},
        {"GetObjectAcl", read(&S3Service::get_acl)},
        {"PutObjectAcl", write(&S3Service::put_acl)},
        {"PutObject", write(&S3Service::put_object)},
        {"PostObject", write(&S3Service::post_object)},
        {"GetObject", read(&S3Service::get_object)},
        {"HeadObject", read(&S3Service::get_object)},
        {"DeleteObject", write(&S3Service::delete_object)},
        {"DeleteObjects", write(&S3Service::delete_objects)},
        {"CopyObject", write(&S3Service::copy_object)},
        {"ListObjects", read(&S3Service::list_objects)},
        {"ListObjectsV2", read(&S3Service::list_objects)},
        {"ListObjectVersions", read(&S3Service::list_object_versions)},
        {"PutObjectTagging", write(&S3Service::put_object_tagging)},
        {"GetObjectTagging", read(&S3Service::get_object_tagging)},
        {"DeleteObjectTagging", write(&S3Service::put_object_tagging)},
        {"CreateMultipartUpload", write(&S3Service::create_multipart_upload)},
        {"UploadPart", write(&S3Service::upload_part)},
        {"UploadPartCopy", write(&S3Service::upload_part)},
        {"CompleteMultipartUpload", write(&S3Service::complete_multipart_upload)},
        {"AbortMultipartUpload", write(&S3Service::abort_multipart_upload)},
        {"ListParts", read(&S3Service::list_parts)},
        {"ListMultipartUploads", read(&S3Service::list_multipart_uploads)},
        {"GetObjectAttributes", read(&S3Service::get_object_attributes)},
        {"PutObjectRetention", write(&S3Service::put_object_retention)},
        {"GetObjectRetention", read(&S3Service::get_object_retention)},
        {"PutObjectLegalHold", write(&S3Service::put_object_legal_hold)},
        {"GetObjectLegalHold", read(&S3Service::get_object_legal_hold)},
        {"PutPublicAccessBlock", write(&S3Service::put_public_access_block)},
        {"GetPublicAccessBlock", read(&S3Service::get_public_access_block)},
        {"DeletePublicAccessBlock", write(&S3Service::put_public_access_block)},
        // Not AWS operations: CORS evaluation for the gateway (preflight and
        // the headers of a request with an Origin).
        {"__EvaluateCors", read(&S3Service::evaluate_cors)},  // internal: cors_operation()
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
        t[names.back()] = verb == "Get" ? read(&S3Service::get_config) : write(&S3Service::put_config);
      }
    }
    for (std::string family : {"Analytics", "Metrics", "Inventory", "IntelligentTiering"}) {
      names.push_back("PutBucket" + family + "Configuration");
      t[names.back()] = write(&S3Service::put_id_config);
      names.push_back("DeleteBucket" + family + "Configuration");
      t[names.back()] = write(&S3Service::put_id_config);
      names.push_back("GetBucket" + family + "Configuration");
      t[names.back()] = read(&S3Service::get_id_config);
      names.push_back("ListBucket" + family + "Configurations");
      t[names.back()] = read(&S3Service::list_id_configs);
    }
    t["PutObjectLockConfiguration"] = write(&S3Service::put_config);
    t["GetObjectLockConfiguration"] = read(&S3Service::get_config);
    return t;
  }();
  return t;
}

const BucketState& S3Service::bucket(const CallContext& ctx, std::string_view name) const {
  if (const BucketState* b = state().find_bucket(ctx.account, name)) return *b;
  throw no_such_bucket(name);
}

// Bodies whose upload never committed (a crash mid-upload or between the
// write and its event) are deleted; a marked body the state references
// did commit (the crash came before the marker's removal) and stays.
void S3Service::recover() {
  if (!blobs_) return;
  std::vector<std::string> pending;
  // A scan that fails leaves the bodies for the next start: nothing is lost.
  blobs_->scan_pending(kPendingPrefix, [&](std::string_view k) {
    pending.emplace_back(k.substr(kPendingPrefix.size()));
    return true;
  }).ignore_error();
  if (pending.empty()) return;
  std::set<std::string> referenced;
  blob_prefixes(snapshot(), [&](const std::string& p) { referenced.insert(p.substr(3, p.size() - 4)); });
  for (auto& id : pending) {
    if (!referenced.count(id)) delete_blob(*blobs_, id).ignore_error();
    blobs_->unmark_pending(pending_key(id)).ignore_error();
  }
}

void S3Service::blob_prefixes(std::string_view snapshot, const std::function<void(const std::string&)>& visit) const {
  State st;
  if (!st.ParseFromArray(snapshot.data(), static_cast<int>(snapshot.size()))) return;
  std::set<std::string> seen;
  auto add = [&](const Segment& s) {
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

std::unique_ptr<StreamedBody> S3Service::streamed_body(std::string_view op, const boost::beast::http::fields& headers) const {
  if (!blobs_) return nullptr;
  if (op == "PostObject") {
    std::string boundary = form_boundary(headers[boost::beast::http::field::content_type]);
    if (boundary.empty()) return nullptr;
    struct Form final : StreamedBody {
      FormReceiver r;
      Form(BlobStore& st, std::string b) : r(st, std::move(b), new_blob_id()) {}
      std::optional<ApiError> feed(std::string_view b) override { return r.feed(b); }
      std::optional<ApiError> finish() override { return r.finish(); }
      void discard() override { r.discard(); }
      void committed() override { r.committed(); }
      json::value describe() const override { return r.describe(); }
    };
    return std::make_unique<Form>(*blobs_, std::move(boundary));
  }
  if (op != "PutObject" && op != "UploadPart") return nullptr;
  struct Body final : StreamedBody {
    BodyReceiver r;
    Body(BlobStore& st, const boost::beast::http::fields& h, bool part) : r(st, h, new_blob_id()) { r.set_part(part); }
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
      json::object o{{"blob", b.blob}, {"size", b.size}, {"md5", hex(b.md5)}, {"checksums", std::move(cs)}};
      if (b.inline_data) o["inline"] = json::string(*b.inline_data);
      return o;
    }
  };
  return std::make_unique<Body>(*blobs_, headers, op == "UploadPart");
}

std::unique_ptr<BodySource> S3Service::body_source(const json::value& spec, std::function<void()> settle) const {
  if (!blobs_) return nullptr;
  struct Source final : BodySource {
    BlobReader r;
    Source(BlobStore& st, std::vector<SegmentRef> segs, uint64_t off, uint64_t len, std::function<void()> settle)
        : r(st, std::move(segs), off, len, std::move(settle)) {}
    uint64_t length() const override { return r.length(); }
    Result<std::string> next() override { return r.next(); }
  };
  const auto& o = spec.as_object();
  std::vector<SegmentRef> segs;
  for (auto& s : o.at("segments").as_array()) {
    const auto& a = s.as_array();
    segs.push_back({std::string(a[0].as_string()), a[1].to_number<uint64_t>(), a[2].to_number<uint64_t>()});
  }
  return std::make_unique<Source>(*blobs_, std::move(segs), o.at("offset").to_number<uint64_t>(),
                                  o.at("length").to_number<uint64_t>(), std::move(settle));
}

}  // namespace podstack::s3

namespace podstack {
std::unique_ptr<Service> make_s3_service() { return std::make_unique<s3::S3Service>(); }
}  // namespace podstack
