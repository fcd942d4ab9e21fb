// In-memory DynamoDB table: items in DynamoDB's key order and the secondary
// indexes, all maintained by apply() only.
//
// Keys are order-preserving byte strings (item.h key_bytes): a primary key
// is (hash bytes, range bytes), compared with memcmp, so numbers sort
// numerically, binary bytewise and strings by UTF-8 bytes. Items are kept as
// their canonical serialized bytes (compact; parsed when read).
#pragma once
#include <deque>
#include <map>
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

  // (Re)derives `key` and index key definitions from `desc`; builds index
  // entries for indexes that have none yet and drops removed ones.
  void configure();
  void put(const Item& item, std::string bytes);
  void erase(const PrimaryKey& pk);
  // Appends the stream record of a write (before it is applied) when the
  // table has a stream. `sequence` and `time_ms` come from the event envelope.
  void record(const Item& written, bool deleted, uint64_t sequence, int index, int64_t time_ms);
  PrimaryKey key_of(const Item& item) const;
};

KeyDef key_def(const google::protobuf::RepeatedPtrField<KeyElement>& schema, const TableDescription& desc);

}  // namespace podstack::dynamodb
