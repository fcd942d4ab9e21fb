// The gateway fuzzer's input format, shared with the seed generator
// (make_seeds.cpp), which replays the gateway corpus to make event and pod
// seeds. Either
//   METHOD TARGET\n          "PUT /bucket/key?acl", "POST /"
//   Header: value\n ...      any headers; Host defaults to localhost:4566
//   @SERVICE\n               shorthand: a SigV4 Authorization header scoped to SERVICE
//   \n
//   BODY
// or the older three-line form (the committed corpus has both):
//   TARGET\nCONTENT-TYPE\nBODY   TARGET "/path" is a GET, else an X-Amz-Target
#pragma once
#include "server/gateway.h"
#include "tests/fuzz/fuzz_input.h"

namespace podstack::fuzz {

inline bool known_method(std::string_view m, http::verb& v) {
  v = http::string_to_verb(boost::beast::string_view(m.data(), m.size()));
  return v != http::verb::unknown;
}

// Builds the request; false: an input this target skips.
inline bool build_request(std::string_view in, HttpRequest& req) {
  std::string_view first = fuzz::take_line(in);
  size_t sp = first.find(' ');
  http::verb verb;
  if (sp != std::string_view::npos && first.size() > sp + 1 && first[sp + 1] == '/' &&
      known_method(first.substr(0, sp), verb)) {
    req.method(verb);
    req.target(std::string(first.substr(sp + 1)));
    fuzz::take_headers(in, req.base(), [&](std::string_view line) {
      if (line.size() > 1 && line[0] == '@')
        req.set(http::field::authorization,
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/" + std::string(line.substr(1)) +
                    "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000");
    });
  } else {
    // The older form: TARGET\nCONTENT-TYPE\nBODY.
    std::string_view ctype = fuzz::take_line(in);
    req.method(http::verb::post);
    req.target("/");
    if (!first.empty() && first[0] == '/') {
      req.method(http::verb::get);
      req.target(std::string(first));
    } else if (!first.empty()) {
      req.set("X-Amz-Target", std::string(first));
    }
    if (!ctype.empty()) req.set(http::field::content_type, std::string(ctype));
  }
  std::string_view target(req.target().data(), req.target().size());
  // The pod API reads and writes files under the data directory: not here.
  if (target.rfind("/_podstack/pods", 0) == 0) return false;
  if (req.find(http::field::host) == req.end()) req.set(http::field::host, "localhost:4566");
  req.body() = std::string(in);
  req.prepare_payload();
  return true;
}

// Answers `req` as the HTTP server does: S3 PUT and POST bodies stream
// through their receivers (aws-chunked, multipart forms), and the reply
// waits for its commit.
inline Reply handle_request(Gateway& gateway, HttpRequest& req) {
  std::shared_ptr<StreamedBody> body = gateway.streamed_body(req);
  std::optional<protocol::ApiError> body_error;
  if (body) {
    body_error = body->feed(req.body());
    if (!body_error) body_error = body->finish();
    req.body().clear();  // the server hands over the header only
  }
  Reply r = body_error ? gateway.body_failed(req, *body_error) : gateway.handle(req, body);
  if (body && !r.received) body->discard();
  if (r.received && !r.commit) r.received->committed();
  if (r.commit) {
    Status st = r.commit->wait();
    if (!st) gateway.commit_failed(r, st);
    else if (r.received) r.received->committed();
  }
  return r;
}

}  // namespace podstack::fuzz
