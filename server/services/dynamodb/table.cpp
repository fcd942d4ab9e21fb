#include "server/services/dynamodb/table.h"

namespace podstack::dynamodb {
namespace {

// Index key of an item: false when the item lacks an index key attribute
// (sparse index) or has it with another type.
bool index_key(const IndexState& ix, const Item& item, std::string& h, std::string& r) {
  auto hit = item.attrs().find(ix.key.hash);
  if (hit == item.attrs().end() || type_name(hit->second) != ix.key.hash_type) return false;
  h = key_bytes(hit->second);
  r.clear();
  if (!ix.key.range.empty()) {
    auto rit = item.attrs().find(ix.key.range);
    if (rit == item.attrs().end() || type_name(rit->second) != ix.key.range_type) return false;
    r = key_bytes(rit->second);
  }
  return true;
}

void index_add(IndexState& ix, const Item& item, const PrimaryKey& pk, size_t size) {
  IndexEntry e;
  if (!index_key(ix, item, e.hash, e.range)) return;
  e.pk = pk;
  ix.entries.insert(std::move(e));
  ix.bytes += size;
}

void index_remove(IndexState& ix, const Item& item, const PrimaryKey& pk, size_t size) {
  IndexEntry e;
  if (!index_key(ix, item, e.hash, e.range)) return;
  e.pk = pk;
  if (ix.entries.erase(e)) ix.bytes -= size;
}

}  // namespace

KeyDef key_def(const google::protobuf::RepeatedPtrField<KeyElement>& schema, const TableDescription& desc) {
  KeyDef k;
  for (auto& e : schema) (e.key_type() == "HASH" ? k.hash : k.range) = e.name();
  for (auto& a : desc.attributes()) {
    if (a.name() == k.hash) k.hash_type = a.type();
    if (a.name() == k.range) k.range_type = a.type();
  }
  return k;
}

PrimaryKey TableState::key_of(const Item& item) const {
  PrimaryKey pk;
  auto h = item.attrs().find(key.hash);
  if (h != item.attrs().end()) pk.first = key_bytes(h->second);
  if (!key.range.empty()) {
    auto r = item.attrs().find(key.range);
    if (r != item.attrs().end()) pk.second = key_bytes(r->second);
  }
  return pk;
}

void TableState::configure() {
  key = key_def(desc.key_schema(), desc);
  std::set<std::string> wanted;
  for (auto& ix : desc.indexes()) {
    wanted.insert(ix.name());
    auto [it, fresh] = indexes.try_emplace(ix.name());
    it->second.key = key_def(ix.key_schema(), desc);
    if (fresh) {
      for (auto& [pk, b] : items) {
        Item item;
        item.ParseFromString(b);
        index_add(it->second, item, pk, item_size(item));
      }
    }
  }
  for (auto it = indexes.begin(); it != indexes.end();) it = wanted.count(it->first) ? std::next(it) : indexes.erase(it);
  if (ttl_indexed != desc.ttl_attribute()) {
    ttl_indexed = desc.ttl_attribute();
    ttl_index.clear();
    ttl_floor_s = INT64_MIN;
    if (!ttl_indexed.empty()) {
      for (auto& [pk, b] : items) {
        Item item;
        item.ParseFromString(b);
        if (auto at = ttl_second(item, ttl_indexed)) ttl_index.emplace(*at, pk);
      }
    }
  }
}

std::optional<int64_t> ttl_second(const Item& item, const std::string& attribute) {
  auto it = item.attrs().find(attribute);
  if (it == item.attrs().end() || it->second.v_case() != AttributeValue::kN) return std::nullopt;
  // Numbers are stored normalised, in plain notation ("1700000000.5").
  std::string_view n = it->second.n();
  if (n.empty() || n[0] == '-') return std::nullopt;
  size_t dot = n.find('.');
  std::string_view whole = n.substr(0, dot);
  if (whole.size() > 12) return std::nullopt;  // past the year 30,000: never in practice
  int64_t s = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    s = s * 10 + (c - '0');
  }
  if (dot != std::string_view::npos && n.find_first_not_of('0', dot + 1) != std::string_view::npos) ++s;
  return s;
}

void TableState::record(const Item& written, bool deleted, uint64_t sequence, int index, int64_t time_ms, bool by_ttl) {
  const std::string& view = desc.stream_view_type();
  if (view.empty()) return;
  PrimaryKey pk = key_of(written);
  auto it = items.find(pk);
  if (deleted && it == items.end()) return;
  StreamRecord r;
  char seq[32];
  snprintf(seq, sizeof seq, "%021llu", static_cast<unsigned long long>(sequence * 1000 + static_cast<uint64_t>(index)));
  r.set_sequence_number(seq);
  r.set_event_name(deleted ? "REMOVE" : it == items.end() ? "INSERT" : "MODIFY");
  r.set_created(static_cast<double>(time_ms / 1000));
  Item keys;
  for (auto* n : {&key.hash, &key.range}) {
    if (n->empty()) continue;
    auto a = written.attrs().find(*n);
    if (a != written.attrs().end()) (*keys.mutable_attrs())[*n] = a->second;
  }
  r.set_keys(item_bytes(keys));
  r.set_view_type(view);
  size_t size = item_size(keys);
  if (!deleted && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES")) {
    r.set_new_image(item_bytes(written));
    r.set_has_new(true);
    size += item_size(written);
  }
  if (it != items.end() && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES")) {
    r.set_old_image(it->second);
    r.set_has_old(true);
    Item old;
    old.ParseFromString(it->second);
    size += item_size(old);
  }
  r.set_size_bytes(static_cast<int64_t>(size));
  if (by_ttl) r.set_by_ttl(true);
  stream.push_back(std::move(r));
  while (stream.size() > kMaxStreamRecords) stream.pop_front();
}

void TableState::put(const Item& item, std::string b) {
  PrimaryKey pk = key_of(item);
  auto it = items.find(pk);
  if (it != items.end()) erase(pk);
  size_t size = item_size(item);
  for (auto& [n, ix] : indexes) index_add(ix, item, pk, size);
  bytes += size;
  if (!ttl_indexed.empty())
    if (auto at = ttl_second(item, ttl_indexed)) ttl_index.emplace(*at, pk);
  items.emplace(std::move(pk), std::move(b));
}

void TableState::erase(const PrimaryKey& pk) {
  auto it = items.find(pk);
  if (it == items.end()) return;
  Item old;
  old.ParseFromString(it->second);
  size_t size = item_size(old);
  for (auto& [n, ix] : indexes) index_remove(ix, old, pk, size);
  bytes -= std::min<uint64_t>(bytes, size);
  if (!ttl_indexed.empty())
    if (auto at = ttl_second(old, ttl_indexed)) ttl_index.erase({*at, pk});
  items.erase(it);
}

}  // namespace podstack::dynamodb
