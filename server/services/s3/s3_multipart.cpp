// S3 multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload, AbortMultipartUpload. (ListParts and
// ListMultipartUploads are in s3_listing.cpp.)
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
#include <map>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_body.h"
#include "server/services/s3/s3_acl.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {

const Upload& S3Service::upload(const BucketState& b, const Input& in) const {
  std::string id(in.str("UploadId"));
  auto it = b.uploads.find(id);
  if (it == b.uploads.end() || it->second.key() != in.str("Key")) throw no_such_upload(id);
  return it->second;
}

void S3Service::create_multipart_upload(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string key(in.str("Key"));
  check_key(key);
  Upload u;
  u.set_upload_id(random_chars(64, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
  u.set_key(key);
  u.set_initiated_ms(ctx.now_ms);
  u.set_checksum_algorithm(in.str_or("ChecksumAlgorithm", ""));
  ObjectVersion& o = *u.mutable_object();
  o.set_key(key);
  o.set_owner(ctx.account);
  describe_object(in, o);
  check_acls_allowed(b, o.acl());
  apply_encryption(b, ctx, o);
  apply_object_lock(b, in, ctx, o);
  json::object res{{"Bucket", b.meta.name()}, {"Key", key}, {"UploadId", u.upload_id()}};
  if (const std::string* sse = header_of(o, "x-amz-server-side-encryption")) res["ServerSideEncryption"] = *sse;
  if (const std::string* k = header_of(o, "x-amz-server-side-encryption-aws-kms-key-id")) res["SSEKMSKeyId"] = *k;
  if (!u.checksum_algorithm().empty()) res["ChecksumAlgorithm"] = u.checksum_algorithm();
  Event ev;
  ev.mutable_upload_created()->set_bucket(b.meta.name());
  *ev.mutable_upload_created()->mutable_upload() = std::move(u);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::upload_part(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  int64_t n = in.opt_int("PartNumber").value_or(0);
  if (n < 1 || n > 10000)
    throw invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", std::to_string(n));
  const Upload& u = upload(b, in);
  Part p;
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
      if (!blobs_) throw ApiError::internal("the blob store is not attached");
      std::vector<SegmentRef> segs;
      for (auto& seg : s.segments()) segs.push_back({seg.blob(), seg.offset(), seg.size()});
      BlobReader r(*blobs_, std::move(segs), first, len);
      Hasher md5("MD5");
      for (;;) {
        auto piece = r.next();
        if (!piece) throw ApiError::internal(piece.status().to_string());
        if (piece->empty()) break;
        md5.update(*piece);
      }
      p.set_etag(hex(md5.digest()));
    }
    res["CopyPartResult"] = json::object{{"ETag", quoted(p.etag())}, {"LastModified", seconds(ctx.now_ms)}};
    if (s.version_id() != "null") res["CopySourceVersionId"] = s.version_id();
  } else {
    RequestBody body = received_body(req.body);
    p.set_size(body.size);
    p.set_etag(body.md5);
    if (body.size > 0) {
      auto* s = p.add_segments();
      s->set_blob(body.blob);
      s->set_size(body.size);
      if (body.inline_data) out.blobs.emplace_back(chunk_key(body.blob, 0), std::string(*body.inline_data));
    }
    for (auto& [alg, v] : body.checksums) {
      auto* c = p.add_checksums();
      c->set_algorithm(alg);
      c->set_value(v);
    }
    res["ETag"] = quoted(p.etag());
    checksum_output(p.checksums(), res);
  }
  Event ev;
  auto* pu = ev.mutable_part_uploaded();
  pu->set_bucket(b.meta.name());
  pu->set_upload_id(u.upload_id());
  *pu->mutable_part() = std::move(p);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::complete_multipart_upload(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const Upload& u = upload(b, in);
  check_write_conditions(b, u.key(), in);
  auto* mu = in.object("MultipartUpload");
  auto* parts = mu ? mu->if_contains("Parts") : nullptr;
  if (!parts || !parts->is_array() || parts->as_array().empty())
    throw malformed_xml();
  std::map<int32_t, const Part*> have;
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
      throw invalid_part_order(u.upload_id());
    prev = n;
    auto it = have.find(n);
    std::string etag = cp.contains("ETag") ? unquote(cp.at("ETag").as_string()) : "";
    if (it == have.end() || it->second->etag() != etag)
      throw invalid_part(u.upload_id(), n, etag);
    const Part& p = *it->second;
    if (i + 1 < list.size() && p.size() < kMinPartSize)
      throw entity_too_small("Your proposed upload is smaller than the minimum allowed object size.", p.size(), kMinPartSize)
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
  Hasher md5("MD5");
  md5.update(md5s);
  o.set_etag(hex(md5.digest()) + "-" + std::to_string(list.size()));
  o.set_size(size);
  o.clear_checksums();
  if (!alg.empty() && Hasher::supported(alg) && alg != "MD5") {
    Hasher h(alg);
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
  Event ev;
  auto* uc = ev.mutable_upload_completed();
  uc->set_bucket(b.meta.name());
  uc->set_upload_id(u.upload_id());
  *uc->mutable_object() = std::move(o);
  out.add(std::move(ev));
  out.output = std::move(res);
}

void S3Service::abort_multipart_upload(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const Upload& u = upload(b, in);
  Event ev;
  ev.mutable_upload_aborted()->set_bucket(b.meta.name());
  ev.mutable_upload_aborted()->set_upload_id(u.upload_id());
  out.add(std::move(ev));
}

}  // namespace podstack::s3
