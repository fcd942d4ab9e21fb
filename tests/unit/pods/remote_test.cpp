#include "pods/remote.h"

#include <doctest/doctest.h>

#include "../temp_dir.h"

using namespace podstack;
using namespace podstack::pods;

TEST_CASE("a file remote numbers versions, resolves references and verifies what it fetches") {
  testing::TempDir dir;
  auto r = open_remote("file://" + dir.path() + "/remote", "");
  REQUIRE(r.is_ok());
  PodContent pod;
  pod.header.set_name("team");
  pod.state = "s";
  REQUIRE((*r)->push(pod, nullptr).value() == 1);
  REQUIRE((*r)->push(pod, nullptr).value() == 2);
  CHECK((*r)->names().value() == std::vector<std::string>{"team"});
  CHECK((*r)->resolve(PodRef{"team", std::nullopt}).value() == 2);
  CHECK((*r)->resolve(PodRef{"team", 9}).status().code() == Status::Code::kNotFound);
  auto back = (*r)->fetch(PodRef{"team", 1}, nullptr);
  REQUIRE(back.is_ok());
  CHECK(back->header.version() == 1);
  CHECK((*r)->header("team", 2).value().version() == 2);
  REQUIRE((*r)->remove(PodRef{"team", 1}).is_ok());
  CHECK((*r)->versions("team").value() == std::vector<uint64_t>{2});
}

TEST_CASE("remote URLs are checked") {
  CHECK(open_remote("ftp://x", "").status().message().find("is not a remote") != std::string::npos);
  CHECK_FALSE(open_remote("file://relative/path", "").is_ok());
  CHECK_FALSE(open_remote("s3://", "").is_ok());
  CHECK(open_remote("s3://bucket/a/b/", "http://127.0.0.1:1").is_ok());
}

TEST_CASE("pod headers decode from the head of a file alone") {
  PodContent pod;
  pod.header.set_name("n");
  pod.header.set_state_hash("h");
  pod.state = std::string(1000, 'x');
  std::string bytes = encode_pod(pod);
  auto h = decode_pod_header(bytes.substr(0, 64), "x.pod");
  REQUIRE(h.is_ok());
  CHECK(h->state_hash() == "h");
  CHECK_FALSE(decode_pod_header(bytes.substr(0, 18), "x.pod").is_ok());
  CHECK_FALSE(decode_pod_header("not a pod at all", "x.pod").is_ok());
}

TEST_CASE("version file names and S3 XML values") {
  CHECK(version_file_name(12) == "000012.pod");
  CHECK(parse_version_file("000012.pod") == 12u);
  for (const char* bad : {"000000.pod", "12.pod", "000012.pod.1.partial", "00001x.pod"}) CHECK_FALSE(parse_version_file(bad));
  auto keys = xml_values("<L><Key>a/b&amp;c.pod</Key><Key>x&lt;y</Key><Keys>no</Keys></L>", "Key");
  CHECK(keys == std::vector<std::string>{"a/b&c.pod", "x<y"});
  CHECK(Progress::render("saving p", 512, 1024, 1.0, 10) == "saving p  [#####.....]  512 B / 1.0 KiB  512 B/s");
}
