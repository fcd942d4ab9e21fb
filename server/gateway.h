// Request -> service -> operation, and back to the wire.
//
// Routing order: the internal endpoints (a route table: the gateway's own
// /_localstack/* and /_podstack/*, and what services register, /_aws/*);
// X-Amz-Target (JSON protocols); the query `Action` with the SigV4 credential
// scope's service; the SigV4 scope alone; else the service that serves
// unscoped requests (S3). The gateway names no service: what differs per
// service is asked of it through Service's hooks (docs/architecture.md). A
// service podstack does not have yet gets AWS's error shape with 501
// NotImplemented, never a hang or an HTML page.
#pragma once
#include "server/not_for_services.h"
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/engine.h"
#include "server/faults.h"
#include "server/init_hooks.h"
#include "server/metrics.h"
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
  Metrics* metrics = nullptr;        // /_podstack/metrics; null: requests are not counted
  InitHooks* init = nullptr;         // /_localstack/init; null: no hooks, every stage completed
  // Browser CORS of the services without rules of their own (see Gateway::cors_generic).
  bool disable_cors_checks = false;         // DISABLE_CORS_CHECKS: any Origin, answered "*"
  std::vector<std::string> extra_cors_origins;  // EXTRA_CORS_ALLOWED_ORIGINS; "*" allows all
  // Seed of the generator that decides which requests a fault rule with a
  // probability below 1 fails (server/faults.h); none: std::random_device.
  std::optional<uint64_t> fault_seed;
};
// Would the generic CORS handling serve this Origin? Loopback origins
// (localhost, 127.0.0.1, [::1], localhost.localstack.cloud, any port), LocalStack's
// web app and file://, and the configured extras.
bool cors_origin_allowed(const GatewayOptions& o, std::string_view origin);

// A response, possibly waiting on the group commit that holds its events.
struct Reply {
  HttpResponse response;
  std::shared_ptr<CommitTicket> commit;
  protocol::Protocol protocol = protocol::Protocol::kJson;
  const protocol::ServiceModel* model = nullptr;
  std::string request_id;
  std::string label;  // "ssm.PutParameter", for the request log line
  std::shared_ptr<StreamedBody> received;  // a streamed request body, discarded if the commit fails
  std::shared_ptr<BodySource> source;      // a streamed response body (S3 GetObject)
  std::optional<LongPoll> wait;  // nothing to deliver yet: re-run `handle` on wake-up (see http_server.cpp)
};

struct Credentials {
  std::string access_key, region, service;
  // X-Amz-Security-Token (header or presigned query), kept only when podstack's
  // STS issued it to this ASIA key (base/access_key.h): the key names the account.
  std::string session_token;
};
// Parses the SigV4 Authorization header (or presigned X-Amz-Credential).
Credentials parse_credentials(const HttpRequest& req, std::string_view raw_query);
// "<service>.<region>." in a Host header (AWS and LocalStack endpoint names).
Credentials host_hint(std::string_view host);
// LocalStack's rule: a 12-digit access key id is the account id.
std::string account_for(std::string_view access_key);
// The same, and temporary credentials podstack's STS issued (AssumeRole into
// another account) name their account in the key id, as AWS's do.
std::string account_for(const Credentials& c);

// A request to an internal endpoint (/_localstack/*, /_podstack/*, /_aws/*).
struct InternalCall {
  const HttpRequest& req;
  std::string_view path;
  std::string_view query;
  const std::string& request_id;
};

// The route table of internal endpoints: the gateway's own and those each
// service registers (Service::routes). An exact path, or a prefix ending in '/'.
struct InternalRoute {
  std::string path;
  bool prefix = false;
  std::function<Reply(const InternalCall&)> handler;
};

class Gateway {
 public:
  Gateway(Engine& engine, GatewayOptions options);
  // Called with only the header of `req` read: a receiver when its body is
  // to be streamed (S3 PutObject / UploadPart), else null (buffer it).
  std::shared_ptr<StreamedBody> streamed_body(const HttpRequest& req);
  // `body`: the streamed body of `req`, already received and finished.
  Reply handle(const HttpRequest& req, std::shared_ptr<StreamedBody> body = nullptr);
  // A streamed body that failed while arriving (truncated, bad digest, ...).
  Reply body_failed(const HttpRequest& req, const protocol::ApiError& e);
  // The commit of `r` failed: the client gets a 500 in the protocol's shape.
  void commit_failed(Reply& r, const Status& s);
  // Errors found before routing (oversized, malformed HTTP).
  static HttpResponse plain_error(int status, std::string_view code, std::string_view message, unsigned version);
  // Healthy means ready (DESIGN.md): until set_ready(true) — after the
  // ready.d hooks — /_localstack/health answers 503.
  void set_ready(bool ready) { ready_ = ready; }
  bool ready() const { return ready_; }
  // Counts an answered request in the metrics.
  void record(const Reply& r, int status, double seconds) {
    if (options_.metrics) options_.metrics->observe(r.label, status, seconds);
  }
  Notifier& notifier() { return engine_.notifier(); }
  // podstack's clock (Engine::now_ms), for the HTTP server's long polls.
  int64_t now_ms() const { return engine_.now_ms(); }
  bool clock_frozen() const { return engine_.clock_frozen(); }
  // The chaos API's rules and latency (/_localstack/chaos/*).
  FaultRules& faults() { return *faults_; }
  // Milliseconds to hold `req` before handling it: the chaos latency for AWS
  // requests, 0 for the internal endpoints.
  int64_t added_latency_ms(const HttpRequest& req) const;

 private:
  // The service a rest-json/rest-xml request is for: the one whose rest
  // model's signing name is the SigV4 scope's service, or with no scope the
  // one that serves unscoped requests (Service::serves_unscoped).
  struct RestTarget {
    Service* service = nullptr;
    const protocol::ServiceModel* model = nullptr;
  };
  RestTarget rest_target(const Credentials& creds) const;
  // Routing after the internal endpoints and CORS (handle()).
  Reply route(const HttpRequest& req, std::shared_ptr<StreamedBody> body, std::string request_id, std::string_view path,
              std::string_view query);
  // A request with an Origin for a service that evaluates CORS itself (S3's
  // bucket rules): everything but the JSON and query APIs and the root path's preflight.
  bool own_cors(const HttpRequest& req, std::string_view path, std::string_view query) const;
  // CORS of every other request with an Origin (LocalStack's CorsEnforcer and
  // CorsResponseEnricher): a refused origin gets 403, a preflight 200 with the
  // Access-Control-* headers, anything else is routed and gets them added.
  Reply cors_generic(const HttpRequest& req, std::shared_ptr<StreamedBody> body, std::string request_id, std::string_view path,
                     std::string_view query, std::string_view origin);
  bool enabled(const Service& svc) const;  // SERVICES gates routing
  void register_routes();
  Reply internal(const HttpRequest& req, std::string_view path, std::string_view query, const std::string& request_id);
  Reply service_route(Service& svc, const Route& route, const InternalCall& c);
  Reply aws_route(Service& svc, const Route& route, const std::string& op, const InternalCall& c, json::object in,
                  CallContext& ctx);
  Reply pods_endpoint(const InternalCall& c);
  bool cross_site_write(const HttpRequest& req) const;
  Reply chaos_faults(const InternalCall& c);
  Reply chaos_effects(const InternalCall& c);
  Reply call(Service& svc, const protocol::ServiceModel& model, const protocol::Operation* op, std::string_view op_name, const HttpRequest& req,
             std::string_view path, std::string_view query, std::vector<std::pair<std::string, std::string>> form,
             const Credentials& creds, std::string request_id, std::shared_ptr<StreamedBody> body = nullptr);
  Reply not_implemented(protocol::Protocol p, std::string_view service, const std::string& request_id);
  Reply cors(Service& svc, const protocol::ServiceModel& model, const HttpRequest& req, std::string_view rest_path,
             const Credentials& creds, std::string request_id, Reply* reply);
  std::string metrics_text() const;

  Engine& engine_;
  GatewayOptions options_;
  int64_t started_ms_;
  uint64_t started_sequence_;
  std::atomic<bool> ready_{true};
  std::vector<InternalRoute> routes_;
  std::unique_ptr<FaultRules> faults_;
};

// One event as `podstack log` and /_podstack/log show it.
json::object event_json(const Engine& engine, const proto::Event& e);

HttpResponse to_http(protocol::WireResponse&& w, unsigned version);

}  // namespace podstack
