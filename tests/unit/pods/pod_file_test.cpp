#include "pods/pod_file.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "../temp_dir.h"
#include "pods/registry.h"
#include "store/compression.h"

using namespace podstack;
using namespace podstack::pods;

namespace {
PodContent sample(const std::string& name = "base") {
  PodContent p;
  p.header.set_name(name);
  p.header.set_state_hash("abc");
  p.state = std::string("state-bytes\0\1", 13);
  return p;
}
}  // namespace

TEST_CASE("a pod round-trips through its byte format") {
  std::string bytes = encode_pod(sample());
  CHECK(bytes.substr(0, 8) == "PODSTACK");
  auto back = decode_pod(bytes, "x.pod");
  REQUIRE(back.is_ok());
  CHECK(back->header.name() == "base");
  CHECK(back->state == sample().state);
  CHECK(back->blobs.empty());
}

TEST_CASE("damaged pods are refused with one clear reason each") {
  std::string good = encode_pod(sample());
  SUBCASE("truncated") {
    for (size_t cut : {size_t(3), size_t(20), good.size() / 2, good.size() - 1}) {
      auto r = decode_pod(good.substr(0, cut), "x.pod");
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.status().message().find("x.pod") != std::string::npos);
    }
  }
  SUBCASE("a flipped byte fails the checksum") {
    std::string bad = good;
    bad[30] ^= 0x40;
    auto r = decode_pod(bad, "x.pod");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::kChecksumMismatch);
  }
  SUBCASE("a newer format") {
    std::string newer = good;
    newer[8] = 9;
    auto r = decode_pod(newer, "x.pod");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::kUnsupportedVersion);
    CHECK(r.status().message().find("upgrade podstack") != std::string::npos);
  }
  SUBCASE("a foreign file") {
    auto r = decode_pod("PK\3\4 this is a zip file, not a pod", "x.pod");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message() == "x.pod is not a podstack pod file");
  }
}

TEST_CASE("the registry numbers versions, resolves references and cleans partial files") {
  testing::TempDir dir;
  Registry reg(dir / "pods");
  PodContent a = sample("base"), b = sample("base");
  REQUIRE(reg.add(a).value() == 1);
  REQUIRE(reg.add(b).value() == 2);
  CHECK(reg.versions("base") == std::vector<uint64_t>{1, 2});
  uint64_t v = 0;
  auto latest = reg.resolve(PodRef{"base", std::nullopt}, &v);
  REQUIRE(latest.is_ok());
  CHECK(v == 2);
  auto first = read_pod(*reg.resolve(PodRef{"base", 1}));
  REQUIRE(first.is_ok());
  CHECK(first->header.version() == 1);
  CHECK_FALSE(reg.resolve(PodRef{"base", 7}).is_ok());
  CHECK_FALSE(reg.resolve(PodRef{"nope", std::nullopt}).is_ok());
  // A crash mid-save leaves a .partial: the next open removes it, versions are unaffected.
  { std::ofstream(dir / "pods/base/000003.pod.partial") << "half"; }
  Registry again(dir / "pods");
  CHECK_FALSE(std::filesystem::exists(dir / "pods/base/000003.pod.partial"));
  CHECK(again.versions("base") == std::vector<uint64_t>{1, 2});
  // A .partial whose writer still runs (a concurrent save) is kept; a dead writer's is removed.
  std::string mine = dir / ("pods/base/000003.pod." + std::to_string(::getpid()) + ".partial");
  std::string dead = dir / "pods/base/000004.pod.999999999.partial";
  { std::ofstream(mine) << "in progress"; }
  { std::ofstream(dead) << "left by a crash"; }
  Registry third(dir / "pods");
  CHECK(std::filesystem::exists(mine));
  CHECK_FALSE(std::filesystem::exists(dead));
  CHECK(third.versions("base") == std::vector<uint64_t>{1, 2});
  std::filesystem::remove(mine);
  REQUIRE(again.remove(PodRef{"base", 1}).is_ok());
  CHECK(again.versions("base") == std::vector<uint64_t>{2});
  REQUIRE(again.remove(PodRef{"base", std::nullopt}).is_ok());
  CHECK(again.names().empty());
}

TEST_CASE("pod names cannot escape the registry") {
  for (const char* bad : {"", "../x", "a/b", ".hidden", "a b", "x:y:z"}) CHECK_FALSE(parse_pod_ref(bad).is_ok());
  CHECK_FALSE(parse_pod_ref("base:0").is_ok());
  CHECK_FALSE(parse_pod_ref("base:x").is_ok());
  auto r = parse_pod_ref("base-1.2_x:12");
  REQUIRE(r.is_ok());
  CHECK(r->name == "base-1.2_x");
  CHECK(*r->version == 12);
}

namespace {
// Blob entries in key order: a few big ones (several frames) and small ones.
std::vector<std::pair<std::string, std::string>> sample_blobs() {
  std::vector<std::pair<std::string, std::string>> out;
  uint32_t x = 12345;
  for (int i = 0; i < 9; ++i) {
    std::string v(1 << 20, '\0');
    for (auto& c : v) c = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
    out.emplace_back("s3/big" + std::to_string(i) + "/\0\0\0\0", std::move(v));
  }
  for (int i = 0; i < 1000; ++i) out.emplace_back("s3/small" + std::to_string(1000 + i) + "/", std::string(100, 'a' + i % 26));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> read_all(PodReader& r, Status* st) {
  std::vector<std::pair<std::string, std::string>> got;
  *st = r.read_blobs([&](const BlobBatch& b) {
    for (auto& [k, v] : b) got.emplace_back(k, v);
    return Status::ok();
  });
  return got;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
}  // namespace

TEST_CASE("a streamed pod round-trips with its blobs, frame by frame") {
  testing::TempDir dir;
  Registry reg(dir / "pods");
  auto blobs = sample_blobs();
  PodContent s = sample("big");
  auto w = reg.begin(s.header, s.state);
  REQUIRE(w.is_ok());
  for (auto& [k, v] : blobs) REQUIRE((*w)->add_blob(k, v).is_ok());
  auto v = reg.publish(**w);
  REQUIRE(v.is_ok());
  CHECK(*v == 1);
  CHECK((*w)->header().blob_count() == blobs.size());
  w->reset();
  CHECK(reg.versions("big") == std::vector<uint64_t>{1});
  for (auto& f : std::filesystem::directory_iterator(dir / "pods/big")) CHECK(f.path().extension() == ".pod");

  auto r = PodReader::open(reg.file("big", 1));
  REQUIRE(r.is_ok());
  CHECK((*r)->format() == kPodFormat);
  CHECK((*r)->header().name() == "big");
  CHECK((*r)->header().version() == 1);
  CHECK((*r)->header().blob_count() == blobs.size());
  CHECK((*r)->header().padding().empty() == false);  // filled to the room reserved for it
  CHECK((*r)->state() == s.state);
  int batches = 0;
  Status st = (*r)->read_blobs([&](const BlobBatch&) { ++batches; return Status::ok(); });
  CHECK(st.is_ok());
  CHECK(batches >= 3);  // 9 MiB in frames of kBlobFrameBytes

  // The whole-file reader agrees, and what it re-encodes (import, push) reads back the same.
  auto whole = read_pod(reg.file("big", 1));
  REQUIRE(whole.is_ok());
  std::vector<std::pair<std::string, std::string>> got;
  REQUIRE(for_each_blob(*whole, [&](const BlobBatch& b) {
            for (auto& [k, val] : b) got.emplace_back(k, val);
            return Status::ok();
          }).is_ok());
  CHECK(got == blobs);
  whole->header.set_name("copy");
  auto again = decode_pod(encode_pod(*whole), "copy.pod");
  REQUIRE(again.is_ok());
  CHECK(again->header.name() == "copy");
  CHECK(again->blobs == whole->blobs);

  auto r2 = PodReader::open(reg.file("big", 1));
  REQUIRE(r2.is_ok());
  CHECK(read_all(**r2, &st) == blobs);
  CHECK(st.is_ok());
}

TEST_CASE("a damaged streamed pod is refused before its damaged frame is handed on") {
  testing::TempDir dir;
  Registry reg(dir / "pods");
  auto blobs = sample_blobs();
  PodContent s = sample("big");
  auto w = reg.begin(s.header, s.state);
  REQUIRE(w.is_ok());
  for (auto& [k, v] : blobs) REQUIRE((*w)->add_blob(k, v).is_ok());
  REQUIRE(reg.publish(**w).is_ok());
  std::string good = slurp(reg.file("big", 1));
  std::string path = dir / "bad.pod";

  SUBCASE("a flipped byte in a blob frame") {
    std::string bad = good;
    bad[good.size() * 2 / 3] ^= 0x10;
    spit(path, bad);
    auto r = PodReader::open(path);
    REQUIRE(r.is_ok());
    Status st;
    auto got = read_all(**r, &st);
    CHECK(st.code() == Status::Code::kChecksumMismatch);
    CHECK(got.size() < blobs.size());
    CHECK(std::equal(got.begin(), got.end(), blobs.begin()));  // only entries of intact frames
  }
  SUBCASE("a flipped byte in the header") {
    std::string bad = good;
    bad[20] ^= 0x01;
    spit(path, bad);
    auto r = PodReader::open(path);
    Status st = r.is_ok() ? (*r)->read_blobs(nullptr) : r.status();
    CHECK(st.code() == Status::Code::kChecksumMismatch);
  }
  SUBCASE("truncated") {
    spit(path, good.substr(0, good.size() / 2));
    auto r = PodReader::open(path);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message().find("truncated") != std::string::npos);
  }
  SUBCASE("a newer format") {
    std::string bad = good;
    bad[8] = 9;
    spit(path, bad);
    auto r = PodReader::open(path);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::kUnsupportedVersion);
  }
}

TEST_CASE("format 1 pods are still read, whole or streamed") {
  testing::TempDir dir;
  auto blobs = sample_blobs();
  std::string stream;
  for (auto& [k, v] : blobs) {
    for (int i = 0; i < 4; ++i) stream += static_cast<char>((k.size() >> (8 * i)) & 0xff);
    stream += k;
    for (int i = 0; i < 8; ++i) stream += static_cast<char>((v.size() >> (8 * i)) & 0xff);
    stream += v;
  }
  PodContent v1 = sample("old");
  v1.format = 1;
  v1.blobs = zstd_compress(stream, 1);
  std::string bytes = encode_pod(v1);
  CHECK(bytes.substr(8, 4) == std::string("\1\0\0\0", 4));
  spit(dir / "old.pod", bytes);
  auto r = PodReader::open(dir / "old.pod");
  REQUIRE(r.is_ok());
  CHECK((*r)->format() == 1);
  CHECK((*r)->state() == v1.state);
  Status st;
  CHECK(read_all(**r, &st) == blobs);
  CHECK(st.is_ok());
}

TEST_CASE("concurrent streamed saves take distinct versions; an abandoned one leaves nothing") {
  testing::TempDir dir;
  Registry reg(dir / "pods");
  PodContent s = sample("c");
  auto a = reg.begin(s.header, s.state);
  auto b = reg.begin(s.header, s.state);
  auto dropped = reg.begin(s.header, s.state);
  REQUIRE((a.is_ok() && b.is_ok() && dropped.is_ok()));
  REQUIRE((*dropped)->add_blob("k", "v").is_ok());
  dropped->reset();
  CHECK(reg.publish(**b).value() == 1);
  CHECK(reg.publish(**a).value() == 2);
  CHECK(reg.versions("c") == std::vector<uint64_t>{1, 2});
  a->reset();
  b->reset();
  size_t files = 0;
  for (auto& f : std::filesystem::directory_iterator(dir / "pods/c")) files += f.path().extension() == ".pod";
  CHECK(files == 2);
  CHECK(std::distance(std::filesystem::directory_iterator(dir / "pods/c"), {}) == 2);
}
