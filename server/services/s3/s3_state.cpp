// S3State: apply (the only mutation of the service's state), snapshots
// (assembled bucket by bucket, byte-identical to protobuf's deterministic
// serialization of s3::State), restore, counts and log summaries.
#include "server/services/s3/s3_state.h"

#include <algorithm>
#include <stdexcept>

#include "server/services/s3/s3_util.h"

namespace podstack::s3 {
namespace {

void put_version(BucketState& b, ObjectVersion&& o) {
  auto& vs = b.objects[o.key()];
  vs.erase(std::remove_if(vs.begin(), vs.end(), [&](const ObjectVersion& v) { return v.version_id() == o.version_id(); }),
           vs.end());
  vs.insert(vs.begin(), std::move(o));
}

}  // namespace

void S3State::apply(const proto::Event& e, Event& ev) {
  AccountBuckets& part = parts_.get(e.account(), "");
  auto bucket = [&](const std::string& name) -> BucketState* {
    auto it = part.buckets.find(name);
    return it == part.buckets.end() ? nullptr : &it->second;
  };
  switch (ev.kind_case()) {
    case Event::kBucketCreated: {
      BucketState& b = part.buckets[ev.bucket_created().bucket().name()];
      b.meta = ev.bucket_created().bucket();
      index_bucket(part, b);
      break;
    }
    case Event::kBucketDeleted:
      if (auto* b = bucket(ev.bucket_deleted().bucket())) unindex_bucket(part, *b);
      part.buckets.erase(ev.bucket_deleted().bucket());
      break;
    case Event::kConfigSet:
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
          sort_by(cfgs, [](const Config& c) { return c.name(); });
        }
        if (ev.config_set().name() == "lifecycle") index_bucket(part, *b);
      }
      break;
    case Event::kVersioningSet:
      if (auto* b = bucket(ev.versioning_set().bucket())) b->meta.set_versioning(ev.versioning_set().status());
      break;
    case Event::kTagsSet:
      if (auto* b = bucket(ev.tags_set().bucket())) *b->meta.mutable_tags() = ev.tags_set().tags();
      break;
    case Event::kObjectPut:
      if (auto* b = bucket(ev.object_put().bucket())) {
        // The key outlives the moved object only where lifecycle needs it.
        std::string key = b->lifecycle ? ev.object_put().object().key() : std::string();
        put_version(*b, std::move(*ev.mutable_object_put()->mutable_object()));
        index_key(part, *b, key);
      }
      break;
    case Event::kObjectUpdated:
      if (auto* b = bucket(ev.object_updated().bucket())) {
        auto it = b->objects.find(ev.object_updated().object().key());
        if (it != b->objects.end())
          for (auto& v : it->second)
            if (v.version_id() == ev.object_updated().object().version_id()) v = ev.object_updated().object();
        index_key(part, *b, ev.object_updated().object().key());
      }
      break;
    case Event::kVersionDeleted:
      if (auto* b = bucket(ev.version_deleted().bucket())) {
        auto it = b->objects.find(ev.version_deleted().key());
        if (it != b->objects.end()) {
          auto& vs = it->second;
          vs.erase(std::remove_if(vs.begin(), vs.end(),
                                  [&](const ObjectVersion& v) { return v.version_id() == ev.version_deleted().version_id(); }),
                   vs.end());
          if (vs.empty()) b->objects.erase(it);
          index_key(part, *b, ev.version_deleted().key());
        }
      }
      break;
    case Event::kUploadCreated:
      if (auto* b = bucket(ev.upload_created().bucket())) {
        b->uploads[ev.upload_created().upload().upload_id()] = ev.upload_created().upload();
        index_upload(part, *b, ev.upload_created().upload().upload_id());
      }
      break;
    case Event::kPartUploaded:
      if (auto* b = bucket(ev.part_uploaded().bucket())) {
        auto it = b->uploads.find(ev.part_uploaded().upload_id());
        if (it == b->uploads.end()) break;
        auto* parts = it->second.mutable_parts();
        const Part& p = ev.part_uploaded().part();
        bool replaced = false;
        for (auto& q : *parts)
          if (q.number() == p.number()) {
            q = p;
            replaced = true;
          }
        if (!replaced) {
          *parts->Add() = p;
          sort_by(parts, [](const Part& x) { return x.number(); });
        }
      }
      break;
    case Event::kUploadCompleted:
      if (auto* b = bucket(ev.upload_completed().bucket())) {
        b->uploads.erase(ev.upload_completed().upload_id());
        index_upload(part, *b, ev.upload_completed().upload_id());
        std::string key = b->lifecycle ? ev.upload_completed().object().key() : std::string();
        put_version(*b, std::move(*ev.mutable_upload_completed()->mutable_object()));
        index_key(part, *b, key);
      }
      break;
    case Event::kUploadAborted:
      if (auto* b = bucket(ev.upload_aborted().bucket())) {
        b->uploads.erase(ev.upload_aborted().upload_id());
        index_upload(part, *b, ev.upload_aborted().upload_id());
      }
      break;
    default:
      throw std::runtime_error("empty s3 event");
  }
}

std::string S3State::snapshot() const {
  PartitionWriter w;
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [n, b] : part.buckets) w.item_bytes(bucket_bytes(b));
  }
  return w.finish();
}

Status S3State::restore(std::string_view bytes) {
  State st;
  if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Status::corruption("s3 state does not parse");
  parts_.clear();
  for (auto& p : st.partitions()) {
    AccountBuckets& part = parts_.get(p.account(), p.region());
    for (auto& pb : p.buckets()) {
      BucketState& b = part.buckets[pb.name()];
      b.meta = pb;
      b.meta.clear_objects();
      b.meta.clear_uploads();
      for (auto& o : pb.objects()) b.objects[o.key()].push_back(o);
      for (auto& u : pb.uploads()) b.uploads[u.upload_id()] = u;
      index_bucket(part, b);
    }
  }
  return Status::ok();
}

// ---- the lifecycle index ----

void S3State::unindex_bucket(AccountBuckets& part, BucketState& b) {
  if (!b.lifecycle) return;
  const std::string& name = b.meta.name();
  for (auto& [key, at] : b.lifecycle->keys) part.due.erase(DueEntry{at, name, key, false});
  for (auto& [id, at] : b.lifecycle->uploads) part.due.erase(DueEntry{at, name, id, true});
  b.lifecycle.reset();
}

void S3State::index_bucket(AccountBuckets& part, BucketState& b) {
  unindex_bucket(part, b);
  std::shared_ptr<const Lifecycle> rules;
  for (auto& c : b.meta.configs())
    if (c.name() == "lifecycle") rules = parse_lifecycle(c.value());
  if (!rules) return;
  b.lifecycle = std::make_unique<BucketLifecycle>();
  b.lifecycle->rules = std::move(rules);
  for (auto& [key, vs] : b.objects) index_key(part, b, key);
  for (auto& [id, u] : b.uploads) index_upload(part, b, id);
}

void S3State::index_key(AccountBuckets& part, BucketState& b, const std::string& key) {
  if (!b.lifecycle) return;
  auto& keys = b.lifecycle->keys;
  auto old = keys.find(key);
  if (old != keys.end()) {
    part.due.erase(DueEntry{old->second, b.meta.name(), key, false});
    keys.erase(old);
  }
  auto it = b.objects.find(key);
  if (it == b.objects.end()) return;
  int64_t at = key_due(*b.lifecycle->rules, key, it->second);
  if (at == kNeverDue) return;
  keys.emplace(key, at);
  part.due.insert(DueEntry{at, b.meta.name(), key, false});
}

void S3State::index_upload(AccountBuckets& part, BucketState& b, const std::string& upload_id) {
  if (!b.lifecycle) return;
  auto& ups = b.lifecycle->uploads;
  auto old = ups.find(upload_id);
  if (old != ups.end()) {
    part.due.erase(DueEntry{old->second, b.meta.name(), upload_id, true});
    ups.erase(old);
  }
  auto it = b.uploads.find(upload_id);
  if (it == b.uploads.end()) return;
  int64_t at = upload_due(*b.lifecycle->rules, it->second);
  if (at == kNeverDue) return;
  ups.emplace(upload_id, at);
  part.due.insert(DueEntry{at, b.meta.name(), upload_id, true});
}

uint64_t S3State::resource_count() const {
  return parts_.count([](const AccountBuckets& p) {
    uint64_t n = p.buckets.size();
    for (auto& [k, b] : p.buckets) n += b.objects.size();
    return n;
  });
}

// " lifecycle rule=<id>" for what a lifecycle rule did (s3_lifecycle.h).
static std::string by_lifecycle(bool by, const std::string& rule) {
  if (!by) return {};
  return rule.empty() ? " lifecycle" : " lifecycle rule=" + rule;
}

std::string S3State::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case Event::kBucketCreated: return "bucket=" + ev.bucket_created().bucket().name();
    case Event::kBucketDeleted: return "bucket=" + ev.bucket_deleted().bucket();
    case Event::kConfigSet: return "bucket=" + ev.config_set().bucket() + " " + ev.config_set().name();
    case Event::kVersioningSet: return "bucket=" + ev.versioning_set().bucket() + " " + ev.versioning_set().status();
    case Event::kTagsSet: return "bucket=" + ev.tags_set().bucket();
    case Event::kObjectPut: {
      auto& o = ev.object_put().object();
      return "s3://" + ev.object_put().bucket() + "/" + o.key() + (o.delete_marker() ? " delete-marker" : " size=" + std::to_string(o.size())) +
             " version=" + o.version_id() + by_lifecycle(ev.object_put().by_lifecycle(), ev.object_put().lifecycle_rule());
    }
    case Event::kObjectUpdated: return "s3://" + ev.object_updated().bucket() + "/" + ev.object_updated().object().key();
    case Event::kVersionDeleted:
      return "s3://" + ev.version_deleted().bucket() + "/" + ev.version_deleted().key() + " version=" + ev.version_deleted().version_id() +
             by_lifecycle(ev.version_deleted().by_lifecycle(), ev.version_deleted().lifecycle_rule());
    case Event::kUploadCreated: return "s3://" + ev.upload_created().bucket() + "/" + ev.upload_created().upload().key();
    case Event::kPartUploaded:
      return "upload=" + ev.part_uploaded().upload_id() + " part=" + std::to_string(ev.part_uploaded().part().number());
    case Event::kUploadCompleted:
      return "s3://" + ev.upload_completed().bucket() + "/" + ev.upload_completed().object().key() + " size=" +
             std::to_string(ev.upload_completed().object().size());
    case Event::kUploadAborted:
      return "upload=" + ev.upload_aborted().upload_id() + by_lifecycle(ev.upload_aborted().by_lifecycle(), ev.upload_aborted().lifecycle_rule());
    default: return {};
  }
}

// The deterministic serialization of the bucket with its objects and
// uploads, without copying every object into one message first (that copy
// was most of the cost of a snapshot of many objects). Field order as
// protobuf writes it: the bucket's fields up to 6, objects (7), uploads (8),
// owner (9); unit-tested against deterministic_bytes of the parsed State.
std::string S3State::bucket_bytes(const BucketState& b) {
  std::string out;
  if (b.meta.owner().empty()) {
    out = deterministic_bytes(b.meta);
  } else {
    Bucket head = b.meta;
    head.clear_owner();
    out = deterministic_bytes(head);
  }
  for (auto& [k, vs] : b.objects)
    for (auto& v : vs) put_length_delimited(out, Bucket::kObjectsFieldNumber, deterministic_bytes(v));
  for (auto& [id, u] : b.uploads) put_length_delimited(out, Bucket::kUploadsFieldNumber, deterministic_bytes(u));
  if (!b.meta.owner().empty()) put_length_delimited(out, Bucket::kOwnerFieldNumber, b.meta.owner());
  return out;
}

}  // namespace podstack::s3
