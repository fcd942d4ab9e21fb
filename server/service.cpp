#include "server/service.h"
#include "server/ids.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>

#include <chrono>
#include <map>

namespace podstack {

std::string random_chars(size_t n, std::string_view alphabet) {
  std::string s(n, '\0');
  uint64_t r[16];
  for (size_t at = 0; at < n; at += 16) {
    size_t k = std::min<size_t>(16, n - at);
    ids::fill(r, k);
    for (size_t i = 0; i < k; ++i) s[at + i] = alphabet[r[i] % alphabet.size()];
  }
  return s;
}

std::string random_uuid() {
  uint64_t r[2];
  ids::fill(r, 2);
  uint64_t a = r[0], b = r[1];
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  // 8-4-4-4-12 lowercase hex digits, most significant first (every SQS send
  // and every request id makes one: a table beats snprintf's format parsing).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(36, '-');
  char* p = s.data();
  auto put = [&](uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) *p++ = kHex[(v >> (4 * i)) & 0xf];
  };
  put(a >> 32, 8), ++p;
  put(a >> 16, 4), ++p;
  put(a, 4), ++p;
  put(b >> 48, 4), ++p;
  put(b, 12);
  return s;
}

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string_view Input::str(std::string_view k) const {
  auto v = opt_str(k);
  if (!v) {
    std::string name(k);
    if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    throw ApiError::validation("1 validation error detected: Value null at '" + name +
                               "' failed to satisfy constraint: Member must not be null");
  }
  return *v;
}

std::string deterministic_bytes(const google::protobuf::MessageLite& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream sos(&out);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&cos);
  }
  return out;
}

namespace {
void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>(v | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_varint(out, (field << 3) | 2);  // length-delimited
  put_varint(out, bytes.size());
  out.append(bytes);
}
}  // namespace

void put_length_delimited(std::string& out, uint32_t field, std::string_view bytes) { put_bytes(out, field, bytes); }

namespace {
// One serialized Partition: its account, region and items (field 3).
bool parse_partition(std::string_view part, std::string& account, std::string& region,
                     std::vector<std::string_view>* items) {
  google::protobuf::io::CodedInputStream p(reinterpret_cast<const uint8_t*>(part.data()), static_cast<int>(part.size()));
  for (uint32_t t; (t = p.ReadTag()) != 0;) {
    uint32_t field = t >> 3;
    if ((t & 7) != 2) return false;
    uint32_t l;
    if (!p.ReadVarint32(&l)) return false;
    if (field == 1 || field == 2) {
      if (!p.ReadString(field == 1 ? &account : &region, static_cast<int>(l))) return false;
    } else {
      int at = p.CurrentPosition();
      if (!p.Skip(static_cast<int>(l))) return false;
      if (field == 3 && items) items->push_back(part.substr(static_cast<size_t>(at), l));
    }
  }
  return true;
}

// Calls fn(partition bytes) for each Partition of a State.
template <class F>
bool walk_partitions(std::string_view state, F fn) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(state.data()), static_cast<int>(state.size()));
  in.SetTotalBytesLimit(INT32_MAX);
  for (uint32_t tag; (tag = in.ReadTag()) != 0;) {
    if (tag != ((1u << 3) | 2)) return false;
    uint32_t len;
    if (!in.ReadVarint32(&len)) return false;
    int at = in.CurrentPosition();
    if (!in.Skip(static_cast<int>(len))) return false;
    if (!fn(state.substr(static_cast<size_t>(at), len))) return false;
  }
  return true;
}

// (account, region) of each serialized Partition, and its raw bytes.
bool read_partitions(std::string_view state, std::map<std::pair<std::string, std::string>, std::string>& out) {
  return walk_partitions(state, [&](std::string_view part) {
    std::string account, region;
    if (!parse_partition(part, account, region, nullptr)) return false;
    out[{account, region}] = std::string(part);
    return true;
  });
}
}  // namespace

Status for_each_item(std::string_view state,
                     const std::function<void(const std::string&, const std::string&, std::string_view)>& fn) {
  std::vector<std::string_view> items;
  bool ok = walk_partitions(state, [&](std::string_view part) {
    std::string account, region;
    items.clear();
    if (!parse_partition(part, account, region, &items)) return false;
    for (auto item : items) fn(account, region, item);
    return true;
  });
  return ok ? Status::ok() : Status::corruption("the state is not a list of account/region partitions");
}

std::string item_name(std::string_view item) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(item.data()), static_cast<int>(item.size()));
  for (uint32_t t; (t = in.ReadTag()) != 0;) {
    if (t == ((1u << 3) | 2)) {
      std::string name;
      uint32_t l;
      if (!in.ReadVarint32(&l) || !in.ReadString(&name, static_cast<int>(l))) return {};
      return name;
    }
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, t)) return {};
  }
  return {};
}

std::string resource_digest(std::string_view bytes) { return sha256_hex(bytes); }

Status list_partition_items(std::string_view state, std::vector<Resource>& out) {
  Status st = for_each_item(state, [&](const std::string& account, const std::string& region, std::string_view item) {
    out.push_back(Resource{account + "/" + region + "/" + item_name(item), resource_digest(item)});
  });
  std::sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) { return a.id < b.id; });
  return st;
}


std::string merge_partitions(std::string_view base, std::string_view overlay) {
  std::map<std::pair<std::string, std::string>, std::string> parts, over;
  if (!read_partitions(base, parts) || !read_partitions(overlay, over)) return std::string(overlay);
  for (auto& [k, v] : over) parts[k] = std::move(v);
  std::string out;
  for (auto& [k, v] : parts) put_bytes(out, 1, v);
  return out;
}

void PartitionWriter::begin(const std::string& account, const std::string& region) {
  flush_partition();
  open_ = true;
  any_items_ = false;
  if (!account.empty()) put_bytes(part_, 1, account);
  if (!region.empty()) put_bytes(part_, 2, region);
}

void PartitionWriter::item(const google::protobuf::MessageLite& m) {
  any_items_ = true;
  put_bytes(part_, 3, deterministic_bytes(m));
}

void PartitionWriter::item_bytes(std::string_view bytes) {
  any_items_ = true;
  put_bytes(part_, 3, bytes);
}

void PartitionWriter::field(uint32_t field, const google::protobuf::MessageLite& m) {
  any_items_ = true;
  put_bytes(part_, field, deterministic_bytes(m));
}

void PartitionWriter::flush_partition() {
  if (open_ && any_items_) put_bytes(out_, 1, part_);
  part_.clear();
  open_ = false;
}

std::string PartitionWriter::finish() {
  flush_partition();
  return std::move(out_);
}

bool Service::payload_parses(std::string_view payload) const {
  const google::protobuf::MessageLite* prototype = event_prototype();
  if (!prototype) return false;
  // Once per event on the commit path: parsed into a per-thread arena whose
  // first block is reused, so a typical event's nested messages cost no
  // malloc/free.
  struct Scratch {
    alignas(8) char block[8192];
    google::protobuf::Arena arena;
    Scratch() : arena(options()) {}
    google::protobuf::ArenaOptions options() {
      google::protobuf::ArenaOptions o;
      o.initial_block = block;
      o.initial_block_size = sizeof block;
      return o;
    }
  };
  thread_local Scratch scratch;
  google::protobuf::MessageLite* m = prototype->New(&scratch.arena);
  bool ok = m->ParseFromArray(payload.data(), static_cast<int>(payload.size()));
  scratch.arena.Reset();
  return ok;
}

}  // namespace podstack
