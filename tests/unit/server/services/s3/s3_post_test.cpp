// The streaming multipart/form-data parser of browser uploads: the same
// form gives the same fields and file however the bytes are split, and
// malformed bodies are refused.
#include <doctest/doctest.h>

#include "../../../temp_dir.h"
#include "server/event_store_blobs.h"
#include "server/services/s3/s3_post.h"

using namespace podstack;

namespace {
std::string form(const std::string& boundary, const std::string& file) {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n" + "--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"X-Amz-Meta-Owner\"\r\n\r\nnotify\r\n" + "--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.csv\"\r\nContent-Type: text/csv\r\n\r\n" + file +
         "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"ignored\"\r\n\r\nx\r\n--" + boundary + "--\r\n";
}
}  // namespace

TEST_CASE("form_boundary reads multipart/form-data content types only") {
  CHECK(s3::form_boundary("multipart/form-data; boundary=abc") == "abc");
  CHECK(s3::form_boundary("Multipart/Form-Data; boundary=\"a b\"") == "a b");
  CHECK(s3::form_boundary("application/x-www-form-urlencoded") == "");
}

TEST_CASE("a form parses the same however it is split") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  EventStoreBlobs blobs(**store);
  // A file that contains most of a delimiter, to catch partial matches.
  std::string file = "a,b\r\n--bound\r\n--boundar" + std::string(3000, 'z') + "\r\n-";
  std::string body = form("boundary", file);
  for (size_t step : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{1000}, body.size()}) {
    s3::FormReceiver r(blobs, "boundary", "blob" + std::to_string(step));
    for (size_t at = 0; at < body.size(); at += step) REQUIRE_FALSE(r.feed(std::string_view(body).substr(at, step)));
    REQUIRE_FALSE(r.finish());
    boost::json::value d = r.describe();
    CHECK(d.at("fields").at("key").as_string() == "uploads/${filename}");
    CHECK(d.at("fields").at("x-amz-meta-owner").as_string() == "notify");
    CHECK_FALSE(d.at("fields").as_object().contains("ignored"));  // after the file
    CHECK(d.at("filename").as_string() == "a b.csv");
    CHECK(d.at("file").at("size").to_number<uint64_t>() == file.size());
    CHECK(d.at("file").at("inline").as_string() == file);
    r.discard();
  }
}

TEST_CASE("truncated or malformed forms are refused") {
  testing::TempDir dir;
  auto store = EventStore::open({dir / "log"});
  REQUIRE(store.is_ok());
  EventStoreBlobs blobs(**store);
  std::string body = form("b", "data");
  {
    s3::FormReceiver r(blobs, "b", "t1");
    REQUIRE_FALSE(r.feed(body.substr(0, body.size() - 10)));
    auto e = r.finish();
    REQUIRE(e);
    CHECK(e->code == "MalformedPOSTRequest");
  }
  {
    s3::FormReceiver r(blobs, "b", "t2");
    auto e = r.feed("--b\r\nno-disposition: x\r\n\r\nv\r\n--b--\r\n");
    REQUIRE(e);
    CHECK(e->code == "MalformedPOSTRequest");
  }
  {
    s3::FormReceiver r(blobs, "b", "t3");
    std::string big = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n" + std::string(30000, 'v');
    auto e = r.feed(big);
    REQUIRE(e);
    CHECK(e->code == "MaxPostPreDataLengthExceeded");
  }
}
