#include "pods/pod_file.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.h"
#include "pods/registry.h"

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
