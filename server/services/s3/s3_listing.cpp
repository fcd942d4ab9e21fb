// S3 listings: ListObjects, ListObjectsV2, ListObjectVersions, ListParts,
// ListMultipartUploads.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
#include <algorithm>
#include <set>

#include "server/protocol/encoding.h"
#include "server/services/s3/s3_errors.h"
#include "server/services/s3/s3_service.h"

namespace podstack::s3 {

void S3Service::list_objects(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  bool v2 = req.operation == "ListObjectsV2";
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
    if (it->second.empty() || it->second.front().delete_marker() || lifecycle_expired(b, k, req.ctx.now_ms)) continue;
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

void S3Service::list_object_versions(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
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

void S3Service::list_parts(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  const Upload& u = upload(b, in);
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

void S3Service::list_multipart_uploads(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const BucketState& b = bucket(ctx, in.str("Bucket"));
  std::string prefix = in.str_or("Prefix", "");
  std::string key_marker = in.str_or("KeyMarker", "");
  std::string id_marker = in.str_or("UploadIdMarker", "");
  int64_t max = std::min<int64_t>(in.opt_int("MaxUploads").value_or(1000), 1000);
  std::string delimiter = in.str_or("Delimiter", "");
  // Uploads in (key, initiated, id) order.
  std::vector<const Upload*> all;
  for (auto& [id, u] : b.uploads)
    if (u.key().compare(0, prefix.size(), prefix) == 0 && !lifecycle_aborted(b, u, req.ctx.now_ms)) all.push_back(&u);
  std::sort(all.begin(), all.end(), [](const Upload* a, const Upload* b) {
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

}  // namespace podstack::s3
