// The BlobStore the engine hands to services (server/blob_store.h), over the
// event store's blobs and meta column families. Pending marks live in meta
// under the service's own key (S3: "s3-pending/<blob>"), as they always
// have: a mark left by a crash of an older podstack is still found by
// recover(). Tests and fuzz targets that drive S3's body receivers without
// an engine use it too.
#pragma once
#include "server/not_for_services.h"
#include "server/blob_store.h"
#include "store/event_store.h"

namespace podstack {

class EventStoreBlobs final : public BlobStore {
 public:
  explicit EventStoreBlobs(EventStore& store) : store_(store) {}
  Status admit_write(uint64_t bytes) override { return store_.admit_write(bytes); }
  Status put_chunk(std::string_view key, std::string_view bytes) override { return store_.put_blob(key, bytes); }
  Result<std::string> get_chunk(std::string_view key) const override { return store_.get_blob(key); }
  Status delete_range(std::string_view begin, std::string_view end) override { return store_.delete_blob_range(begin, end); }
  Status mark_pending(std::string_view key) override { return store_.put_meta(key, ""); }
  Status unmark_pending(std::string_view key) override { return store_.delete_meta(key); }
  Status scan_pending(std::string_view prefix, const std::function<bool(std::string_view)>& visit) const override {
    return store_.scan_meta(prefix, [&](std::string_view k, std::string_view) { return visit(k); });
  }

 private:
  EventStore& store_;
};

}  // namespace podstack
