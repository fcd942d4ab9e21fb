// In-memory DynamoDB table: items in DynamoDB's key order and the secondary
// indexes, all maintained by apply() only.
//
// Keys are order-preserving byte strings (item.h key_bytes): a primary key
// is (hash bytes, range bytes), compared with memcmp, so numbers sort
// numerically, binary bytewise and strings by UTF-8 bytes. Items are kept as
// their canonical serialized bytes (compact; parsed when read).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "proto/dynamodb.pb.h"
#include "server/services/dynamodb/item.h"

namespace podstack::dynamodb {

struct KeyDef {
  std::string hash, range;            // attribute names; range empty: no sort key
  std::string hash_type, range_type;  // S | N | B
};

using PrimaryKey = std::pair<std::string, std::string>;

struct IndexEntry {
  std::string hash, range;
  PrimaryKey pk;
  bool operator<(const IndexEntry& o) const { return std::tie(hash, range, pk) < std::tie(o.hash, o.range, o.pk); }
};

struct IndexState {
  KeyDef key;
  std::set<IndexEntry> entries;
  uint64_t bytes = 0;
};

// AWS keeps 24 hours of stream records; a local stack keeps the newest ones.
constexpr size_t kMaxStreamRecords = 100000;

struct TableState {
  TableDescription desc;
  KeyDef key;
  std::map<PrimaryKey, std::string> items;
  std::map<std::string, IndexState> indexes;  // by index name
  uint64_t bytes = 0;                         // sum of item sizes
  std::deque<StreamRecord> stream;            // when a stream is enabled; newest kMaxStreamRecords

  // Time to live: the items whose TTL attribute holds a number, by the
  // second they expire (the value rounded up), while TTL is enabled. What
  // the due-work hooks read; derived from the items, never snapshotted.
  std::set<std::pair<int64_t, PrimaryKey>> ttl_index;
  std::string ttl_indexed;  // the attribute ttl_index was built for
  // Entries at or before this second can no longer expire (AWS ignores
  // values more than five years old): skipped by the due-work hooks.
  // A cache that only moves forward, kept by decide_due().
  mutable int64_t ttl_floor_s = INT64_MIN;

  // (Re)derives `key` and index key definitions from `desc`; builds index
  // entries for indexes that have none yet and drops removed ones.
  void configure();
  void put(const Item& item, std::string bytes);
  void erase(const PrimaryKey& pk);
  // Appends the stream record of a write (before it is applied) when the
  // table has a stream. `sequence` and `time_ms` come from the event envelope.
  // `by_ttl`: a delete made by time to live.
  void record(const Item& written, bool deleted, uint64_t sequence, int index, int64_t time_ms, bool by_ttl = false);
  PrimaryKey key_of(const Item& item) const;
};

// When an item expires under time to live: its `attribute`, a number of
// epoch seconds, rounded up to a whole second. None for a missing or
// non-number attribute, a negative value or one past the year 30,000.
std::optional<int64_t> ttl_second(const Item& item, const std::string& attribute);

KeyDef key_def(const google::protobuf::RepeatedPtrField<KeyElement>& schema, const TableDescription& desc);

}  // namespace podstack::dynamodb
