// Writes the seeds a person cannot type: event logs and pods made from real
// requests. It replays the gateway corpus on an in-memory engine, then
// writes what the engine logged as event_replay inputs (whole envelopes, and
// per service as envelope records whose payloads the fuzzer mutates
// directly, plus a checkpoint) and the state as pods of both formats.
//
//   fuzz_make_seeds tests/fuzz/corpus     (run from the build directory)
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "pods/pod_file.h"
#include "proto/event.pb.h"
#include "server/gateway.h"
#include "server/services/registry.h"
#include "store/compression.h"
#include "tests/fuzz/event_records.h"
#include "tests/fuzz/gateway_request.h"

using namespace podstack;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, std::string_view bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put_u32(std::string& out, uint64_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds CORPUS_DIR\n";
    return 2;
  }
  fs::path corpus = argv[1];
  EngineOptions o;
  o.store.in_memory = true;
  o.fork_checkpoints = false;
  auto engine = Engine::open(o, make_services());
  if (!engine) {
    std::cerr << engine.status().to_string() << "\n";
    return 1;
  }
  Gateway gateway(**engine, GatewayOptions{});
  // The hand-written seeds ("<service>-NN-<what>"), in order: later ones use
  // what earlier ones created.
  std::vector<fs::path> seeds;
  for (auto& e : fs::directory_iterator(corpus / "gateway"))
    if (e.path().filename().string().find('-') != std::string::npos) seeds.push_back(e.path());
  std::sort(seeds.begin(), seeds.end());
  for (auto& p : seeds) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string in = ss.str();
    std::string name = p.filename().string();
    // No resets or rollbacks; and no invalid UTF-8, which today poisons the
    // log (see the regression inputs of the gateway target).
    if (name.rfind("internal-", 0) == 0 || name.find("utf8") != std::string::npos ||
        name.find("surrogate") != std::string::npos)
      continue;
    HttpRequest req{http::verb::post, "/", 11};
    if (!fuzz::build_request(in, req)) continue;
    Reply r = fuzz::handle_request(gateway, req);
    std::cout << name << ": " << r.response.result_int() << " " << r.label;
    if (r.response.result_int() >= 400) std::cout << " " << r.response.body().substr(0, 200);
    std::cout << "\n";
  }

  // Events: all of them as whole envelopes, and per service as records.
  std::string raw;
  std::map<std::string, std::string> per_service;
  std::vector<std::string> events;
  (*engine)->store().scan_events(1, [&](uint64_t, std::string_view bytes) {
    events.emplace_back(bytes);
    return true;
  }).ignore_error();
  for (auto& bytes : events) {
    fuzz::append_record(raw, fuzz::kRawEvent, bytes);
    proto::Event e;
    e.ParseFromString(bytes);
    fuzz::append_envelope(per_service[e.service()], e.service(), e.account() != "000000000000", e.operation(), e.payload());
  }
  write(corpus / "event_replay" / "log-all", raw);
  for (auto& [svc, recs] : per_service) write(corpus / "event_replay" / ("log-" + svc), recs);
  StateExport st = (*engine)->export_state({});
  std::string state = deterministic_bytes(st.snapshot);
  std::string with_checkpoint;
  fuzz::append_record(with_checkpoint, fuzz::kCheckpointZstd, state);
  fuzz::append_envelope(with_checkpoint, "ssm", false, "PutParameter", "");
  write(corpus / "event_replay" / "checkpoint", with_checkpoint);

  // Pods of the same state: format 2 with two blob frames' worth of entries,
  // format 1 with its single blob frame.
  pods::PodContent pod;
  pod.header.set_name("seed");
  pod.header.set_version(1);
  pod.header.set_source_sequence(st.info.last_sequence);
  pod.header.set_state_hash(st.info.hash);
  pod.state = zstd_compress(state);
  std::vector<std::pair<std::string, std::string>> blobs = {{"s3/blob-a/00000000", "hello"}, {"s3/blob-b/00000000", "world"}};
  pod.blobs = pods::encode_blob_frames(blobs);
  write(corpus / "pod" / "format2", pods::encode_pod(pod));
  pod.blobs.clear();
  write(corpus / "pod" / "format2-no-blobs", pods::encode_pod(pod));
  std::string stream;
  for (auto& [k, v] : blobs) {
    put_u32(stream, k.size());
    stream += k;
    put_u64(stream, v.size());
    stream += v;
  }
  pod.format = 1;
  pod.blobs = zstd_compress(stream);
  write(corpus / "pod" / "format1", pods::encode_pod(pod));
  std::cout << events.size() << " events, state " << state.size() << " bytes\n";
  return 0;
}
