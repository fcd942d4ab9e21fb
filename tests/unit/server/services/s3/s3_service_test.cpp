// S3 bodies on the blob store: an upload that never committed leaves nothing
// behind after a restart; a committed one survives its pending marker.
#include <doctest/doctest.h>

#include <boost/beast/http/fields.hpp>

#include "../../../service_harness.h"
#include "proto/event.pb.h"
#include "proto/s3.pb.h"
#include "server/services/s3/s3_body.h"

using namespace podstack;

namespace {
struct Harness : testing::ServiceHarness {
  Harness() : ServiceHarness("s3") {}
  Service& s3() { return *engine->service("s3"); }
  // A streamed body reaches the service as Request::body (the gateway's
  // Engine::execute argument), not as an input member: "__body" here is
  // moved out of the input and passed that way.
  ExecResult call(const char* op, json::object in, int64_t now_ms) {
    CallContext c;
    c.now_ms = now_ms;
    c.request_id = "r";
    json::object body;
    bool streamed = false;
    if (auto it = in.find("__body"); it != in.end()) {
      body = std::move(it->value().as_object());
      in.erase(it);
      streamed = true;
    }
    ExecResult r = engine->execute(*engine->service(service), op, in, c, streamed ? &body : nullptr);
    if (r.commit) REQUIRE(r.commit->wait().is_ok());
    return r;
  }
  size_t count(std::string_view prefix, bool meta = false) {
    size_t n = 0;
    auto& st = engine->store();
    if (meta) st.scan_meta(prefix, [&](std::string_view, std::string_view) { return ++n, true; }).ignore_error();
    else st.scan_blob_keys(prefix, [&](std::string_view) { return ++n, true; }).ignore_error();
    return n;
  }
  std::shared_ptr<StreamedBody> upload(size_t bytes, bool finish) {
    boost::beast::http::fields h;
    h.set(boost::beast::http::field::content_length, std::to_string(bytes));
    std::shared_ptr<StreamedBody> b(s3().streamed_body("PutObject", h));
    REQUIRE(b);
    std::string piece(64 * 1024, 'x');
    for (size_t sent = 0; sent < bytes; sent += piece.size()) REQUIRE_FALSE(b->feed(piece));
    if (finish) REQUIRE_FALSE(b->finish());
    return b;
  }
};
constexpr int64_t kT = 1800000000000;
}  // namespace

TEST_CASE("a body whose upload never committed is gone after a restart") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateBucket", {{"Bucket", "bkt"}}, kT).error);
  auto body = h.upload(3 << 20, false);  // the client (or the server) died mid-body
  CHECK(h.count("s3/") == 3);
  CHECK(h.count("s3-pending/", true) == 1);
  body.reset();
  h.reopen();  // as after a kill -9: nothing discarded the body
  CHECK(h.count("s3/") == 0);
  CHECK(h.count("s3-pending/", true) == 0);
}

TEST_CASE("a committed body stays even when the crash came before its marker was removed") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateBucket", {{"Bucket", "bkt"}}, kT).error);
  auto body = h.upload(2 << 20, true);
  ExecResult r = h.call("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"__body", body->describe()}}, kT);
  REQUIRE_FALSE(r.error);
  // No committed(): the marker is still there, as if the server died right after the commit.
  CHECK(h.count("s3-pending/", true) == 1);
  h.reopen();
  CHECK(h.count("s3-pending/", true) == 0);
  CHECK(h.count("s3/") == 2);
  r = h.call("HeadObject", {{"Bucket", "bkt"}, {"Key", "k"}}, kT);
  REQUIRE_FALSE(r.error);
  CHECK(r.output.as_object().at("ContentLength").to_number<int64_t>() == (2 << 20));
}

// Live, PutObject's event is applied as decide() built it (Decision::add);
// replay parses the logged bytes: the same state both ways, overwrites too.
TEST_CASE("PutObject applied live and replayed from the log give the same state") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateBucket", {{"Bucket", "bkt"}}, kT).error);
  for (int i = 0; i < 3; ++i) {
    auto body = h.upload((i + 1) << 16, true);  // upload() sends whole 64 KiB pieces
    ExecResult r = h.call("PutObject", {{"Bucket", "bkt"}, {"Key", i < 2 ? "same" : "other"}, {"__body", body->describe()},
                                        {"Metadata", {{"n", std::to_string(i)}}}}, kT + i);
    REQUIRE_FALSE(r.error);
    body->committed();
  }
  std::string hash = h.engine->state_info().hash;
  h.reopen(/*ignore_checkpoints=*/true);
  CHECK(h.engine->state_info().hash == hash);
  ExecResult r = h.call("HeadObject", {{"Bucket", "bkt"}, {"Key", "same"}}, kT + 9);
  REQUIRE_FALSE(r.error);
  CHECK(r.output.as_object().at("ContentLength").to_number<int64_t>() == (2 << 16));
}

TEST_CASE("a rejected upload's chunks and marker are deleted at once") {
  Harness h;
  auto body = h.upload(1 << 20, true);
  CHECK(h.count("s3/") == 1);
  ExecResult r = h.call("PutObject", {{"Bucket", "no-such-bucket"}, {"Key", "k"}, {"__body", body->describe()}}, kT);
  REQUIRE(r.error);
  CHECK(r.error->code == "NoSuchBucket");
  body->discard();  // what the gateway does with a body whose request failed
  CHECK(h.count("s3/") == 0);
  CHECK(h.count("s3-pending/", true) == 0);
}

TEST_CASE("an S3 snapshot, assembled bucket by bucket, is the canonical serialization of its state") {
  // The state hash and pods depend on these bytes: they must be exactly what
  // protobuf writes for the same State (field order, versions, uploads, owner).
  Harness h;
  REQUIRE_FALSE(h.call("CreateBucket", {{"Bucket", "alpha"}}, kT).error);
  REQUIRE_FALSE(h.call("CreateBucket", {{"Bucket", "beta"}}, kT).error);
  REQUIRE_FALSE(h.call("PutBucketVersioning", {{"Bucket", "alpha"}, {"VersioningConfiguration", json::object{{"Status", "Enabled"}}}}, kT).error);
  for (int i = 0; i < 3; ++i) {
    auto body = h.upload(i == 0 ? 2 << 20 : 64 << 10, true);
    REQUIRE_FALSE(h.call("PutObject", {{"Bucket", "alpha"}, {"Key", "k" + std::to_string(i % 2)}, {"__body", body->describe()}}, kT + i).error);
    body->committed();
  }
  REQUIRE_FALSE(h.call("CreateMultipartUpload", {{"Bucket", "alpha"}, {"Key", "mp"}}, kT).error);
  std::string snap = h.s3().snapshot();
  s3::State st;
  REQUIRE(st.ParseFromString(snap));
  REQUIRE(st.partitions_size() == 1);
  const s3::Bucket& a = st.partitions(0).buckets(0);
  CHECK(a.objects_size() == 3);
  CHECK(a.uploads_size() == 1);
  CHECK_FALSE(a.owner().empty());
  CHECK(deterministic_bytes(st) == snap);
}

TEST_CASE("blob ids are unique, 24 characters of [0-9a-z], and increase in creation order") {
  // Increasing ids put new chunks at the end of the blobs memtable and keep
  // flushed files from overlapping (see new_blob_id).
  std::string prev;
  for (int i = 0; i < 10000; ++i) {
    std::string id = s3::new_blob_id();
    REQUIRE(id.size() == 24);
    REQUIRE(id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz") == std::string::npos);
    REQUIRE(id > prev);
    prev = std::move(id);
  }
}

// Small bodies travel with their event; their blob id is made when the
// request is decided, so ids ascend in log order even when the uploads
// began in the opposite order (RocksDB can then move the blobs column
// family's flushed files down instead of merging them).
TEST_CASE("small bodies get blob ids that ascend in log order, whatever order their uploads began in") {
  Harness h;
  REQUIRE_FALSE(h.call("CreateBucket", {{"Bucket", "bkt"}}, kT).error);
  std::vector<std::shared_ptr<StreamedBody>> bodies;
  for (int i = 0; i < 5; ++i) bodies.push_back(h.upload(1 << 16, true));  // 64 KiB: inline
  std::vector<std::string> keys;
  for (int i = 4; i >= 0; --i) {  // committed newest upload first
    ExecResult r = h.call("PutObject", {{"Bucket", "bkt"}, {"Key", "k" + std::to_string(i)}, {"__body", bodies[i]->describe()}},
                          kT + i);
    REQUIRE_FALSE(r.error);
    bodies[i]->committed();
  }
  h.engine->store().scan_blob_keys("s3/", [&](std::string_view k) { return keys.emplace_back(k), true; }).ignore_error();
  REQUIRE(keys.size() == 5);
  // The store lists keys sorted; in log order they must be the same list.
  std::vector<std::string> in_log_order;
  h.engine->store().scan_events(1, [&](uint64_t, std::string_view bytes) {
    proto::Event e;
    REQUIRE(e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
    s3::Event ev;
    if (e.service() == "s3" && ev.ParseFromString(e.payload()) && ev.has_object_put())
      in_log_order.push_back(s3::chunk_key(ev.object_put().object().segments(0).blob(), 0));
    return true;
  }).ignore_error();
  CHECK(in_log_order == keys);
  for (int i = 0; i < 5; ++i) {
    ExecResult r = h.call("GetObject", {{"Bucket", "bkt"}, {"Key", "k" + std::to_string(i)}}, kT + 9);
    REQUIRE_FALSE(r.error);
  }
}
