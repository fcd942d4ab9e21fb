// Fuzzes the pod reader: decode_pod (whole file in memory), PodReader
// (streamed from a file), the blob frames, and behind them the state a pod
// carries: zstd, the StateSnapshot and every service's check_snapshot and
// restore. A checksum guards all of it, so each input is tried twice: as it
// is, and with its trailer digest recomputed (what a fuzzer cannot do), which
// lets mutations reach the structures behind the checksum.
//
// Checked: the two readers agree (both accept with the same header, state
// and blob entries, or both refuse); a state check_snapshot accepts
// restores; a restored state's snapshot restores to the same bytes.
#include <sys/mman.h>
#include <unistd.h>

#include "pods/pod_file.h"
#include "server/services/registry.h"
#include "store/compression.h"
#include "tests/fuzz/fuzz_input.h"

using namespace podstack;

namespace {

constexpr size_t kTrailerBytes = 8, kDigestBytes = 32;

uint64_t get_le(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// The same bytes with a valid trailer and digest (format 1: SHA-256 of the
// body; 2: of the body after the header, then of the preamble and header).
std::optional<std::string> with_valid_digest(std::string_view in) {
  if (in.size() < 16 + kTrailerBytes + kDigestBytes) return std::nullopt;
  std::string b(in);
  size_t body_end = b.size() - kTrailerBytes - kDigestBytes;
  b.replace(body_end, kTrailerBytes, std::string("PODEND\0\0", 8));
  std::string_view body = std::string_view(b).substr(0, body_end);
  std::string digest;
  if (get_le(b, 8, 4) == 1) {
    digest = sha256(body);
  } else {
    uint64_t h = get_le(b, 12, 4);
    if (h > body_end - 16) return std::nullopt;
    Sha256 s;
    s.update(body.substr(16 + h));
    s.update(body.substr(0, 16 + h));
    digest = s.digest();
  }
  b.replace(body_end + kTrailerBytes, kDigestBytes, digest);
  return b;
}

using Blobs = std::vector<std::pair<std::string, std::string>>;
pods::BlobVisitor collect(Blobs& out) {
  return [&out](const pods::BlobBatch& batch) {
    for (auto& [k, v] : batch) out.emplace_back(k, v);
    return Status::ok();
  };
}

// What a pod loads into: every service's check and restore of its state.
void check_state(const std::string& zstd_state) {
  static std::vector<std::unique_ptr<Service>> a = make_services(), b = make_services();
  auto raw = zstd_decompress(zstd_state);
  if (!raw) return;
  proto::StateSnapshot snap;
  if (!snap.ParseFromString(*raw)) return;
  for (auto& ss : snap.services()) {
    Service* sa = nullptr;
    Service* sb = nullptr;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i]->name() == ss.service()) sa = a[i].get(), sb = b[i].get();
    if (!sa || !sa->check_snapshot(ss.state()).is_ok()) continue;
    if (Status st = sa->restore(ss.state()); !st)
      fuzz::violated(ss.service() + ": check_snapshot accepts a state restore() refuses: " + st.to_string());
    std::string once = sa->snapshot();
    if (Status st = sb->restore(once); !st)
      fuzz::violated(ss.service() + ": the snapshot of a restored state does not restore: " + st.to_string());
    if (sb->snapshot() != once) fuzz::violated(ss.service() + ": snapshot -> restore -> snapshot changes the bytes");
  }
}

void try_pod(std::string_view bytes) {
  (void)pods::decode_pod_header(bytes, "fuzz");
  auto whole = pods::decode_pod(bytes, "fuzz");
  Blobs whole_blobs;
  bool whole_ok = whole.is_ok() && pods::for_each_blob(*whole, collect(whole_blobs)).is_ok();

  // The streaming reader, on the same bytes in a memory file.
  int fd = ::memfd_create("pod", 0);
  if (fd < 0) fuzz::violated("memfd_create failed");
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) fuzz::violated("memfd write failed");
  auto reader = pods::PodReader::open("/proc/self/fd/" + std::to_string(fd));
  Blobs read_blobs;
  bool read_ok = reader.is_ok() && (*reader)->read_blobs(collect(read_blobs)).is_ok();
  ::close(fd);

  if (whole_ok != read_ok)
    fuzz::violated(std::string("decode_pod ") + (whole_ok ? "accepts" : "refuses") + " a pod PodReader " +
                   (read_ok ? "accepts" : "refuses"));
  if (!whole_ok) return;
  if (whole->header.SerializeAsString() != (*reader)->header().SerializeAsString() || whole->state != (*reader)->state() ||
      whole_blobs != read_blobs)
    fuzz::violated("decode_pod and PodReader read different contents from one pod");
  check_state(whole->state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::quiet_logs();
  std::string_view in = fuzz::as_view(data, size);
  try_pod(in);
  if (auto fixed = with_valid_digest(in)) try_pod(*fixed);
  return 0;
}
