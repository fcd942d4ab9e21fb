// In-memory DynamoDB table: items in DynamoDB's key order and the secondary
// indexes, all maintained by apply() only.
//
// Keys are order-preserving byte strings (item.h key_bytes): a primary key
// is (hash bytes, range bytes), compared with memcmp, so numbers sort
// numerically, binary bytewise and strings by UTF-8 bytes. Items are kept as
// their canonical serialized bytes (compact; parsed when read).
#pragma once
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

struct TableState {
  TableDescription desc;
  KeyDef key;
  std::map<PrimaryKey, std::string> items;
  std::map<std::string, IndexState> indexes;  // by index name
  uint64_t bytes = 0;                         // sum of item sizes

  // (Re)derives `key` and index key definitions from `desc`; builds index
  // entries for indexes that have none yet and drops removed ones.
  void configure();
  void put(const Item& item, std::string bytes);
  void erase(const PrimaryKey& pk);
  PrimaryKey key_of(const Item& item) const;
};

KeyDef key_def(const google::protobuf::RepeatedPtrField<KeyElement>& schema, const TableDescription& desc);

}  // namespace podstack::dynamodb
