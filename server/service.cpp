#include "server/service.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <chrono>
#include <random>

namespace podstack {

namespace {
std::mt19937_64& rng() {
  thread_local std::mt19937_64 r{std::random_device{}()};
  return r;
}
}  // namespace

std::string random_chars(size_t n, std::string_view alphabet) {
  std::string s(n, '\0');
  auto& r = rng();
  for (auto& c : s) c = alphabet[r() % alphabet.size()];
  return s;
}

std::string random_uuid() {
  auto& r = rng();
  uint64_t a = r(), b = r();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(a >> 32), unsigned((a >> 16) & 0xffff),
           unsigned(a & 0xffff), unsigned(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
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

void PartitionWriter::flush_partition() {
  if (open_ && any_items_) put_bytes(out_, 1, part_);
  part_.clear();
  open_ = false;
}

std::string PartitionWriter::finish() {
  flush_partition();
  return std::move(out_);
}

}  // namespace podstack
