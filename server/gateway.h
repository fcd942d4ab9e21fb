// Request -> service -> operation, and back to the wire.
//
// Routing order (DESIGN.md, commit path step 2): podstack's and LocalStack's
// internal endpoints; X-Amz-Target (JSON protocols); the query `Action` with
// the SigV4 credential scope's service; the SigV4 scope alone; else S3. A
// service podstack does not have yet gets AWS's error shape with 501
// NotImplemented, never a hang or an HTML page.
#pragma once
#include <boost/beast/http.hpp>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "server/protocol/codec.h"

namespace podstack {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

struct GatewayOptions {
  std::string version = "0.1.0";
  std::string data_dir;
  bool persistence = false;
  std::vector<std::string> enabled;  // SERVICES; empty: all
};

// A response, possibly waiting on the group commit that holds its events.
struct Reply {
  HttpResponse response;
  std::shared_ptr<CommitTicket> commit;
  protocol::Protocol protocol = protocol::Protocol::kJson;
  const protocol::ServiceModel* model = nullptr;
  std::string request_id;
  std::string label;  // "ssm.PutParameter", for the request log line
  std::optional<LongPoll> wait;  // nothing to deliver yet: re-run `handle` on wake-up (see http_server.cpp)
};

struct Credentials {
  std::string access_key, region, service;
};
// Parses the SigV4 Authorization header (or presigned X-Amz-Credential).
Credentials parse_credentials(const HttpRequest& req, std::string_view raw_query);
// "<service>.<region>." in a Host header (AWS and LocalStack endpoint names).
Credentials host_hint(std::string_view host);
// LocalStack's rule: a 12-digit access key id is the account id.
std::string account_for(std::string_view access_key);

class Gateway {
 public:
  Gateway(Engine& engine, GatewayOptions options);
  Reply handle(const HttpRequest& req);
  // The commit of `r` failed: the client gets a 500 in the protocol's shape.
  void commit_failed(Reply& r, const Status& s);
  // Errors found before routing (oversized, malformed HTTP).
  static HttpResponse plain_error(int status, std::string_view code, std::string_view message, unsigned version);
  Notifier& notifier() { return engine_.notifier(); }

 private:
  Reply internal(const HttpRequest& req, std::string_view path, std::string_view query, const std::string& request_id);
  Reply call(Service& svc, const protocol::ServiceModel& model, const protocol::Operation* op, std::string_view op_name, const HttpRequest& req,
             std::string_view path, std::string_view query, std::vector<std::pair<std::string, std::string>> form,
             const Credentials& creds, std::string request_id);
  Reply not_implemented(protocol::Protocol p, std::string_view service, const std::string& request_id);

  Engine& engine_;
  GatewayOptions options_;
  int64_t started_ms_;
};

// One event as `podstack log` and /_podstack/log show it.
json::object event_json(const Engine& engine, const proto::Event& e);

HttpResponse to_http(protocol::WireResponse&& w, unsigned version);

}  // namespace podstack
