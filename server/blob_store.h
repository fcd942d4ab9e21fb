// The bytes a service keeps outside its events (S3 object bodies): a narrow
// view of the engine's blob store, handed to a service once, when the engine
// opens (Service::attach_blobs). A service never sees the event store.
//
// Keys are the service's own (S3: "s3/<blob>/<chunk>"); the engine keeps them
// apart from the log. Bodies are written before the event that references
// them commits, so a service marks them pending first and unmarks them once
// the event is durable; after a crash, Service::recover() deletes the bodies
// still marked that no state references.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace podstack {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Is there room for `bytes` more on the data dir's file system (the
  // DISK_RESERVE_MB reserve)? no_space when not: nothing may be written.
  [[nodiscard]] virtual Status admit_write(uint64_t bytes) = 0;
  [[nodiscard]] virtual Status put_chunk(std::string_view key, std::string_view bytes) = 0;
  // not_found when absent.
  [[nodiscard]] virtual Result<std::string> get_chunk(std::string_view key) const = 0;
  // Deletes every key in [begin, end).
  [[nodiscard]] virtual Status delete_range(std::string_view begin, std::string_view end) = 0;
  [[nodiscard]] virtual Status mark_pending(std::string_view key) = 0;
  [[nodiscard]] virtual Status unmark_pending(std::string_view key) = 0;
  // Every pending mark whose key starts with `prefix`, in key order, until
  // `visit` returns false.
  [[nodiscard]] virtual Status scan_pending(std::string_view prefix, const std::function<bool(std::string_view key)>& visit) const = 0;
};

}  // namespace podstack
