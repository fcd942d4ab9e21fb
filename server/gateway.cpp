#include "server/gateway.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "base/access_key.h"
#include "server/build_info.h"
#include "server/clock_service.h"
#include "server/pods_api.h"
#include "server/protocol/encoding.h"
#include "server/protocol/xml.h"
#include "server/ui_assets.h"

namespace podstack {

using protocol::Protocol;
using protocol::WireResponse;

namespace {

constexpr uint64_t kMaxLogWaitSeconds = 60;

std::string_view header(const HttpRequest& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

bool is_form(const HttpRequest& req) {
  return header(req, "content-type").find("application/x-www-form-urlencoded") != std::string_view::npos;
}

bool enabled(const GatewayOptions& o, std::string_view service) {
  return o.enabled.empty() || std::find(o.enabled.begin(), o.enabled.end(), service) != o.enabled.end();
}

json::object health_json(const Engine& engine, const GatewayOptions& o) {
  // Every service the engine has (all of them, always: replay needs them);
  // SERVICES only gates routing, as LocalStack reports it.
  json::object services;
  for (auto& s : engine.services())
    if (s.get() != static_cast<const Service*>(engine.clock())) services[s->name()] = enabled(o, s->name()) ? "running" : "disabled";
  json::object h;
  h["services"] = std::move(services);
  h["edition"] = "podstack";
  h["version"] = o.version;
  // Up and serving, but not all is well: writes refused (a full disk, a
  // failed write being recovered), damage found in the store. Still 200:
  // reads go on, and the reasons say what to do.
  json::array problems;
  for (auto& p : engine.problems()) problems.emplace_back(p);
  h["status"] = problems.empty() ? "ok" : "degraded";
  if (!problems.empty()) h["problems"] = std::move(problems);
  return h;
}

Reply internal_reply(const InternalCall& c) {
  Reply r;
  r.request_id = c.request_id;
  r.label = std::string(c.path);
  return r;
}

Reply json_reply(const InternalCall& c, int status, const json::value& v) {
  Reply r = internal_reply(c);
  r.response = HttpResponse{static_cast<http::status>(status), c.req.version()};
  r.response.set(http::field::content_type, "application/json");
  r.response.body() = json::serialize(v);
  return r;
}

Reply json_error(const InternalCall& c, int status, std::string msg) {
  json::object o;
  o["error"] = std::move(msg);
  return json_reply(c, status, o);
}

bool is_get(const InternalCall& c) { return c.req.method() == http::verb::get || c.req.method() == http::verb::head; }
bool is_post(const InternalCall& c) { return c.req.method() == http::verb::post || c.req.method() == http::verb::put; }

}  // namespace

json::object event_json(const Engine& engine, const proto::Event& e) {
  json::object o;
  o["sequence"] = e.sequence();
  o["time"] = protocol::iso8601(static_cast<double>(e.time_ms()) / 1000);
  o["account"] = e.account();
  o["region"] = e.region();
  o["service"] = e.service();
  o["operation"] = e.operation();
  o["request_id"] = e.request_id();
  o["summary"] = engine.summarize(e);
  return o;
}

HttpResponse to_http(WireResponse&& w, unsigned version) {
  HttpResponse res{static_cast<http::status>(w.status), version};
  if (!w.content_type.empty()) res.set(http::field::content_type, w.content_type);
  for (auto& [k, v] : w.headers) res.set(k, v);
  res.body() = std::move(w.body);
  return res;
}

HttpResponse Gateway::plain_error(int status, std::string_view code, std::string_view message, unsigned version) {
  std::string rid = random_uuid();
  auto w = protocol::render_error(Protocol::kRestXml, nullptr, protocol::ApiError::make(status, std::string(code), std::string(message)), rid);
  return to_http(std::move(w), version);
}

Credentials parse_credentials(const HttpRequest& req, std::string_view raw_query) {
  Credentials c;
  std::string_view scope;
  std::string decoded;
  std::string_view auth = header(req, "authorization");
  if (auto p = auth.find("Credential="); p != std::string_view::npos) {
    scope = auth.substr(p + 11);
    scope = scope.substr(0, scope.find_first_of(", "));
  } else if (auto q = raw_query.find("X-Amz-Credential="); q != std::string_view::npos) {
    std::string_view v = raw_query.substr(q + 17);
    decoded = protocol::url_decode(v.substr(0, v.find('&')));
    scope = decoded;
  }
  // AKID/DATE/REGION/SERVICE/aws4_request
  std::string_view parts[5];
  size_t n = 0;
  while (n < 5 && !scope.empty()) {
    size_t slash = scope.find('/');
    parts[n++] = scope.substr(0, slash);
    scope = slash == std::string_view::npos ? std::string_view() : scope.substr(slash + 1);
  }
  if (n >= 1) c.access_key = std::string(parts[0]);
  if (n >= 3) c.region = std::string(parts[2]);
  if (n >= 4) c.service = std::string(parts[3]);
  // Only temporary keys carry a token: other requests pay one compare.
  if (c.access_key.size() == 20 && c.access_key.rfind("ASIA", 0) == 0) {
    std::string_view token = header(req, "x-amz-security-token");
    std::string from_query;
    if (token.empty())
      if (auto q = raw_query.find("X-Amz-Security-Token="); q != std::string_view::npos) {
        std::string_view v = raw_query.substr(q + 21);
        from_query = protocol::url_decode(v.substr(0, v.find('&')));
        token = from_query;
      }
    if (podstack_session_token(token)) c.session_token = std::string(token);
  }
  return c;
}

Credentials host_hint(std::string_view host) {
  // sqs.us-east-1.localhost.localstack.cloud, ssm.eu-west-1.amazonaws.com,
  // bucket.s3.us-east-1.amazonaws.com: "<service>.<region>." somewhere in the host.
  Credentials c;
  host = host.substr(0, host.rfind(':') == std::string_view::npos || host.find(']') != std::string_view::npos ? host.size() : host.rfind(':'));
  std::vector<std::string_view> labels;
  while (!host.empty()) {
    size_t dot = host.find('.');
    labels.push_back(host.substr(0, dot));
    host = dot == std::string_view::npos ? std::string_view() : host.substr(dot + 1);
  }
  auto is_region = [](std::string_view l) {
    // xx-word-N, e.g. us-east-1, eu-central-2, us-gov-west-1
    return l.size() >= 9 && l.size() <= 16 && std::isdigit(static_cast<unsigned char>(l.back())) &&
           std::count(l.begin(), l.end(), '-') >= 2 && std::isalpha(static_cast<unsigned char>(l[0]));
  };
  for (size_t i = 0; i + 1 < labels.size(); ++i) {
    if (is_region(labels[i + 1])) {
      c.service = std::string(labels[i]);
      c.region = std::string(labels[i + 1]);
      return c;
    }
  }
  return c;
}

std::string account_for(std::string_view access_key) {
  if (access_key.size() == 12 && access_key.find_first_not_of("0123456789") == std::string_view::npos)
    return std::string(access_key);
  return "000000000000";
}

std::string account_for(const Credentials& c) {
  if (!c.session_token.empty())
    if (auto a = access_key_account(c.access_key)) return account_digits(*a);
  return account_for(c.access_key);
}

Gateway::Gateway(Engine& engine, GatewayOptions options)
    : engine_(engine), options_(std::move(options)), started_ms_(wall_clock_ms()), started_sequence_(engine.last_sequence()),
      faults_(options_.fault_seed ? std::make_unique<FaultRules>(*options_.fault_seed) : std::make_unique<FaultRules>()) {
  register_routes();
}

// Prometheus text format 0.0.4: the request families from Metrics, then
// gauges read from the engine and the store now.
std::string Gateway::metrics_text() const {
  std::string out;
  if (options_.metrics) options_.metrics->render(out);
  auto family = [&out](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto sample = [&out](const std::string& name, double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    out += name + " " + buf + "\n";
  };
  const auto& b = build_info();
  family("podstack_build_info", "gauge", "Version and commit of this podstack (value 1).");
  sample(std::string("podstack_build_info{version=\"") + prom_escape(b.version) + "\",commit=\"" + prom_escape(b.commit) +
             "\",store_format=\"" + std::to_string(b.store_format) + "\",pod_format=\"" + std::to_string(b.pod_format) + "\"}",
         1);
  family("podstack_ready", "gauge", "1 once replay, pod loads and ready.d hooks are done (what /_localstack/health reports).");
  sample("podstack_ready", ready_ ? 1 : 0);
  family("podstack_uptime_seconds", "gauge", "Seconds since the server started serving.");
  sample("podstack_uptime_seconds", static_cast<double>(wall_clock_ms() - started_ms_) / 1000);
  uint64_t last = engine_.last_sequence();
  family("podstack_last_sequence", "gauge", "Sequence number of the newest event in the log.");
  sample("podstack_last_sequence", static_cast<double>(last));
  family("podstack_events_appended_total", "counter", "Events appended to the log since the server started serving.");
  sample("podstack_events_appended_total", static_cast<double>(last >= started_sequence_ ? last - started_sequence_ : 0));
  family("podstack_log_writes_total", "counter", "Group commits written to the log since the server started, one WAL write each (events per write = events appended / this).");
  sample("podstack_log_writes_total", static_cast<double>(engine_.log_writes()));
  family("podstack_store_bytes", "gauge", "Approximate bytes on disk (or in memory) per column family of the event store: events is the log, blobs the blob store.");
  for (auto& [cf, bytes] : engine_.store().column_family_bytes())
    sample("podstack_store_bytes{column_family=\"" + cf + "\"}", static_cast<double>(bytes));
  family("podstack_store_checksum_failures_total", "counter", "Table files of the event store found damaged by checksum verification since the server started (each file once; STORE_VERIFY_INTERVAL).");
  sample("podstack_store_checksum_failures_total", static_cast<double>(engine_.store().checksum_failures()));
  CheckpointInfo ck = engine_.last_checkpoint();
  family("podstack_checkpoint_sequence", "gauge", "Sequence of the newest checkpoint (0: none yet).");
  sample("podstack_checkpoint_sequence", static_cast<double>(ck.sequence));
  family("podstack_events_since_checkpoint", "gauge", "Events a restart would replay on top of the newest checkpoint.");
  sample("podstack_events_since_checkpoint", static_cast<double>(last >= ck.sequence ? last - ck.sequence : 0));
  if (ck.time_ms > 0) {
    family("podstack_checkpoint_age_seconds", "gauge", "Seconds since the newest checkpoint's state was taken.");
    sample("podstack_checkpoint_age_seconds", static_cast<double>(wall_clock_ms() - ck.time_ms) / 1000);
  }
  family("podstack_checkpoints_total", "counter", "Checkpoints written since the server started, by where the state was serialized (forked: a copy-on-write child; in_process: under the services' locks).");
  sample("podstack_checkpoints_total{mode=\"forked\"}", static_cast<double>(ck.forked));
  sample("podstack_checkpoints_total{mode=\"in_process\"}", static_cast<double>(ck.written - ck.forked));
  if (ck.written > 0) {
    family("podstack_checkpoint_pause_seconds", "gauge", "How long the newest checkpoint held the services' locks (writers wait meanwhile).");
    sample("podstack_checkpoint_pause_seconds", ck.last_pause_ms / 1000);
    family("podstack_checkpoint_duration_seconds", "gauge", "How long the newest checkpoint took to serialize and compress the state.");
    sample("podstack_checkpoint_duration_seconds", ck.last_duration_ms / 1000);
  }
  StoreDiskState disk = engine_.store().disk_state();
  family("podstack_degraded", "gauge", "1 while /_localstack/health reports problems (writes refused, store damage).");
  sample("podstack_degraded", engine_.problems().empty() ? 0 : 1);
  if (disk.reserve_bytes > 0) {
    family("podstack_disk_free_bytes", "gauge", "Free bytes on DATA_DIR's file system as of the last check.");
    sample("podstack_disk_free_bytes", static_cast<double>(disk.free_bytes));
    family("podstack_disk_reserve_bytes", "gauge", "Free space kept in reserve (DISK_RESERVE_MB): below it writes answer 503.");
    sample("podstack_disk_reserve_bytes", static_cast<double>(disk.reserve_bytes));
  }
  family("podstack_writes_refused_total", "counter", "Writes refused since the server started, by reason (disk_full: the free-space reserve; unreplayable: an event that would not replay, a podstack bug).");
  sample("podstack_writes_refused_total{reason=\"disk_full\"}", static_cast<double>(disk.refusals));
  sample("podstack_writes_refused_total{reason=\"unreplayable\"}", static_cast<double>(engine_.events_refused()));
  family("podstack_store_background_errors_total", "counter", "RocksDB background errors (e.g. a flush that met a full disk) since the server started.");
  sample("podstack_store_background_errors_total", static_cast<double>(disk.background_errors));
  family("podstack_store_resumes_total", "counter", "Recoveries from a background error (writes resumed without a restart).");
  sample("podstack_store_resumes_total", static_cast<double>(disk.resumes));
  const StartupStats& st = engine_.startup();
  family("podstack_faults_injected_total", "counter", "AWS requests failed by a chaos fault rule (/_localstack/chaos/faults) since the server started; they recorded nothing.");
  for (auto& [key, n] : faults_->injected())
    sample("podstack_faults_injected_total{service=\"" + prom_escape(key.first) + "\",operation=\"" + prom_escape(key.second) + "\"}",
           static_cast<double>(n));
  family("podstack_startup_replay_seconds", "gauge", "Time the last startup (or rebuild) spent restoring the checkpoint and replaying the log.");
  sample("podstack_startup_replay_seconds", st.replay_ms / 1000);
  family("podstack_startup_replayed_events", "gauge", "Events replayed on top of the checkpoint at startup.");
  sample("podstack_startup_replayed_events", static_cast<double>(st.replayed));
  return out;
}

Reply Gateway::not_implemented(Protocol p, std::string_view service, const std::string& request_id) {
  Reply r;
  r.request_id = request_id;
  r.protocol = p;
  r.label = std::string(service) + ".?";
  auto err = protocol::ApiError::not_implemented("The service '" + std::string(service) +
                                                 "' is not available in this version of podstack");
  r.response = to_http(protocol::render_error(p, nullptr, err, request_id), 11);
  return r;
}

namespace {
// The methods AWS's protocols use; anything else is refused before routing.
bool aws_method(http::verb v) {
  switch (v) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::post:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
    case http::verb::patch:
      return true;
    default:
      return false;
  }
}

// A SigV4 credential scope whose access key, region or service is not UTF-8
// would put those bytes in the event envelope (account, region). AWS refuses
// such a request at authentication, in each protocol's words: an unknown key
// (S3 InvalidAccessKeyId, query InvalidClientTokenId, JSON
// UnrecognizedClientException), a region it does not serve (S3
// AuthorizationHeaderMalformed; elsewhere "Credential should be scoped to a
// valid region", e.g. https://github.com/aws/aws-sdk-ruby/issues/508).
std::optional<protocol::ApiError> credentials_error(const Credentials& c, Protocol p) {
  bool key_ok = protocol::valid_utf8(c.access_key);
  if (key_ok && protocol::valid_utf8(c.region) && protocol::valid_utf8(c.service)) return std::nullopt;
  using protocol::ApiError;
  const bool s3 = p == Protocol::kRestXml;
  const bool query = p == Protocol::kQuery || p == Protocol::kEc2;
  if (!key_ok) {
    if (s3) return ApiError::make(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    if (query) return ApiError::make(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    return ApiError::make(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  if (s3) return ApiError::make(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the Credential is mal-formed.");
  return ApiError::make(403, query ? "SignatureDoesNotMatch" : "InvalidSignatureException", "Credential should be scoped to a valid region.");
}

std::optional<protocol::ApiError> presigned_expired(const std::vector<std::pair<std::string, std::string>>& query, int64_t now_ms) {
  std::string date, expires, v2_expires;
  bool v2 = false;
  for (auto& [k, v] : query) {
    if (k == "X-Amz-Date") date = v;
    if (k == "X-Amz-Expires") expires = v;
    if (k == "AWSAccessKeyId") v2 = true;
    if (k == "Expires") v2_expires = v;
  }
  // SigV2 query auth (boto3's default for S3 presigned URLs): Expires is epoch seconds.
  if (v2 && !v2_expires.empty() && v2_expires.size() < 12 && v2_expires.find_first_not_of("0123456789") == std::string::npos) {
    double until = std::stod(v2_expires), now = static_cast<double>(now_ms) / 1000;
    if (now <= until) return std::nullopt;
    return protocol::ApiError::make(403, "AccessDenied", "Request has expired")
        .with("Expires", protocol::iso8601(until))
        .with("ServerTime", protocol::iso8601(now));
  }
  if (date.size() != 16 || expires.empty() || expires.find_first_not_of("0123456789") != std::string::npos || expires.size() > 9)
    return std::nullopt;
  // 20261125T120000Z -> ISO 8601
  std::string iso = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2) + "T" + date.substr(9, 2) + ":" +
                    date.substr(11, 2) + ":" + date.substr(13, 2) + "Z";
  auto signed_at = protocol::parse_iso8601(iso);
  if (!signed_at) return std::nullopt;
  double until = *signed_at + std::stod(expires);
  double now = static_cast<double>(now_ms) / 1000;
  if (now <= until) return std::nullopt;
  return protocol::ApiError::make(403, "AccessDenied", "Request has expired")
      .with("X-Amz-Expires", expires)
      .with("Expires", protocol::iso8601(until))
      .with("ServerTime", protocol::iso8601(now));
}

}  // namespace

Gateway::RestTarget Gateway::rest_target(const Credentials& creds) const {
  for (auto& s : engine_.services()) {
    const auto& m = s->rest_model() ? *s->rest_model() : s->model();
    if (m.protocol != Protocol::kRestJson && m.protocol != Protocol::kRestXml) continue;
    if (creds.service.empty() ? s->serves_unscoped() : m.signing_name == creds.service) return {s.get(), &m};
  }
  return {};
}

bool Gateway::enabled(const Service& svc) const { return podstack::enabled(options_, svc.name()); }

std::shared_ptr<StreamedBody> Gateway::streamed_body(const HttpRequest& req) {
  // PUT bodies (S3 PutObject, UploadPart) and POST forms (browser uploads).
  bool post = req.method() == http::verb::post;
  if (req.method() != http::verb::put && !post) return nullptr;
  if (post && header(req, "content-type").rfind("multipart/form-data", 0) != 0) return nullptr;
  std::string_view target(req.target().data(), req.target().size());
  size_t qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
  if (path.rfind("/_", 0) == 0 || !header(req, "x-amz-target").empty()) return nullptr;
  Credentials creds = parse_credentials(req, query);
  if (creds.service.empty()) creds.service = host_hint(header(req, "host")).service;
  RestTarget t = rest_target(creds);
  if (!t.service || !enabled(*t.service)) return nullptr;
  std::vector<std::pair<std::string, std::string>> q, labels;
  if (!query.empty()) q = protocol::parse_form(query);
  std::string p = t.service->address(header(req, "host"), path);
  const protocol::Operation* op = protocol::match_rest_operation(*t.model, post ? "POST" : "PUT", p, q, labels, &req.base());
  if (!op) return nullptr;
  std::string op_id = t.model->operation_prefix + op->name;
  std::shared_ptr<StreamedBody> body(t.service->streamed_body(op_id, req.base()));
  if (body) {
    body->matched_model = t.model;
    body->matched_operation = op;
    body->matched_labels = std::move(labels);
  }
  return body;
}

Reply Gateway::body_failed(const HttpRequest& req, const protocol::ApiError& e) {
  std::string_view target(req.target().data(), req.target().size());
  size_t qpos = target.find('?');
  Credentials creds = parse_credentials(req, qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1));
  if (creds.service.empty()) creds.service = host_hint(header(req, "host")).service;
  RestTarget t = rest_target(creds);
  Reply r;
  r.request_id = random_uuid();
  r.model = t.model;
  r.protocol = t.model ? t.model->protocol : Protocol::kRestXml;
  r.label = std::string(t.service ? t.service->name() : std::string_view("?")) + ".body";
  r.response = to_http(protocol::render_error(r.protocol, r.model, e, r.request_id), req.version());
  return r;
}

static bool same_origin(const HttpRequest& req, std::string_view origin);

// A change (not GET/HEAD/OPTIONS) to an internal endpoint (clock, rollback,
// reset, pods, chaos) sent by a browser page of another origin: a cross-site
// form needs no CORS preflight, so it is refused here. Browsers name the page
// in Origin, which a page cannot forge; clients that are not browsers send
// none. Allowed: the origins CORS allows (loopback, LocalStack's web app,
// EXTRA_CORS_ALLOWED_ORIGINS) and the server's own (the web console behind
// any host name or port mapping).
bool Gateway::cross_site_write(const HttpRequest& req) const {
  const auto m = req.method();
  if (m == http::verb::get || m == http::verb::head || m == http::verb::options) return false;
  std::string_view origin = header(req, "origin");
  return !origin.empty() && !cors_origin_allowed(options_, origin) && !same_origin(req, origin);
}

// A page served by this server (the web console) calling it: Origin names
// the Host the request was sent to. Not cross-origin, so no CORS rule applies.
static bool same_origin(const HttpRequest& req, std::string_view origin) {
  std::string_view host = header(req, "host");
  if (host.empty()) return false;
  for (std::string_view scheme : {"http://", "https://"})
    if (origin.size() == scheme.size() + host.size() && origin.substr(0, scheme.size()) == scheme && origin.substr(scheme.size()) == host)
      return true;
  return false;
}

Reply Gateway::handle(const HttpRequest& req, std::shared_ptr<StreamedBody> body) {
  std::string request_id = random_uuid();
  std::string_view target(req.target().data(), req.target().size());
  size_t qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);

  if (path.rfind("/_localstack", 0) == 0 || path.rfind("/_podstack", 0) == 0 || path.rfind("/_aws", 0) == 0) {
    if (cross_site_write(req)) {
      spdlog::info("refused a {} to {} from the origin {} (not allowed for CORS; see EXTRA_CORS_ALLOWED_ORIGINS)",
                   std::string_view(req.method_string()), path, protocol::valid_utf8(header(req, "origin")) ? header(req, "origin") : "(not UTF-8)");
      if (body) body->discard();
      InternalCall c{req, path, query, request_id};
      return json_error(c, 403, "a page of another origin may not change podstack's state");
    }
    return internal(req, path, query, request_id);
  }
  if (std::string_view origin = header(req, "origin"); !origin.empty() && !own_cors(req, path, query) && !same_origin(req, origin))
    return cors_generic(req, std::move(body), std::move(request_id), path, query, origin);
  return route(req, std::move(body), std::move(request_id), path, query);
}

Reply Gateway::route(const HttpRequest& req, std::shared_ptr<StreamedBody> body, std::string request_id, std::string_view path,
                     std::string_view query) {
  Credentials creds = parse_credentials(req, query);
  if (creds.service.empty() || creds.region.empty()) {
    Credentials h = host_hint(header(req, "host"));
    if (creds.service.empty()) creds.service = h.service;
    if (creds.region.empty()) creds.region = h.region;
  }
  // The scope's strings reach the event envelope; the Host header reaches
  // URLs services store (SNS subscription URLs, SQS queue URLs).
  {
    std::string_view target_header = header(req, "x-amz-target");
    Protocol p = !target_header.empty() ? Protocol::kJson
                 : is_form(req) || query.find("Action=") != std::string_view::npos
                     ? Protocol::kQuery
                     : protocol::guess_protocol(protocol::valid_utf8(creds.service) ? creds.service : std::string());
    auto reject = [&](const protocol::ApiError& e, const char* label) {
      Reply r;
      r.request_id = request_id;
      r.protocol = p;
      r.label = label;
      r.response = to_http(protocol::render_error(p, nullptr, e, request_id), req.version());
      return r;
    };
    if (auto e = credentials_error(creds, p)) return reject(*e, "auth");
    if (!protocol::valid_utf8(header(req, "host"))) {
      // No AWS service sees such a request: its front end refuses the Host
      // header first. podstack answers as it does other malformed HTTP.
      Reply r;
      r.request_id = request_id;
      r.label = "host";
      r.response = plain_error(400, "BadRequest", "Malformed HTTP request: the Host header is not valid UTF-8", req.version());
      return r;
    }
    // A method no AWS protocol uses (PROPFIND, BREW, ...). S3 answers 405
    // MethodNotAllowed when no operation matches (Gateway::call); the other
    // protocols document no answer, so they get S3's code in their own shape
    // rather than "service not available".
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
    if (p != Protocol::kRestXml && !aws_method(req.method()))
      return reject(protocol::ApiError::make(405, "MethodNotAllowed", "The specified method is not allowed against this resource."),
                    "method");
  }

  // JSON protocols name the operation in X-Amz-Target: "AmazonSSM.GetParameter".
  if (std::string_view t = header(req, "x-amz-target"); !t.empty()) {
    size_t dot = t.rfind('.');
    std::string_view prefix = t.substr(0, dot), op = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
    for (auto& s : engine_.services()) {
      const auto* m = &s->model();
      if (m->protocol != Protocol::kJson && m->json_variant()) m = m->json_variant();  // awsQueryCompatible (SQS)
      if (m->protocol == Protocol::kJson && m->target_prefix == prefix)
        return call(*s, *m, m->operation(op), op, req, path, query, {}, creds, request_id);
    }
    // No model has that prefix, but the SigV4 scope names a service podstack
    // serves: AWS's front end routes by the scope and that service refuses
    // the target as it does an unknown operation (400, not "not available").
    for (auto& s : engine_.services()) {
      const auto* m = &s->model();
      if (m->protocol != Protocol::kJson && m->json_variant()) m = m->json_variant();
      if (creds.service.empty() || m->signing_name != creds.service || !enabled(*s)) continue;
      Reply r;
      r.request_id = request_id;
      r.protocol = Protocol::kJson;
      r.label = std::string(s->name()) + ".?";
      auto err = protocol::ApiError::bad_request("UnknownOperationException", "Unknown operation " + (protocol::valid_utf8(t) ? std::string(t) : std::string("(not valid UTF-8)")));
      r.response = to_http(protocol::render_error(Protocol::kJson, m->protocol == Protocol::kJson ? m : nullptr, err, request_id),
                           req.version());
      return r;
    }
    std::string svc = creds.service.empty() ? std::string(prefix) : creds.service;
    return not_implemented(Protocol::kJson, svc, request_id);
  }

  // Query protocol: Action in the form body or the query string.
  std::vector<std::pair<std::string, std::string>> form;
  std::string action;
  if (req.method() == http::verb::post && is_form(req)) form = protocol::parse_form(req.body());
  for (auto& [k, v] : form)
    if (k == "Action") action = v;
  if (action.empty() && !query.empty() && query.find("Action=") != std::string_view::npos)
    for (auto& [k, v] : protocol::parse_form(query))
      if (k == "Action") action = v;
  if (!action.empty()) {
    Service* chosen = nullptr;
    for (auto& s : engine_.services()) {
      const auto& m = s->model();
      if (m.protocol != Protocol::kQuery) continue;
      if (!creds.service.empty() ? m.signing_name == creds.service : m.operation(action) != nullptr) {
        chosen = s.get();
        break;
      }
    }
    if (!chosen) return not_implemented(Protocol::kQuery, creds.service.empty() ? "unknown" : creds.service, request_id);
    return call(*chosen, chosen->model(), chosen->model().operation(action), action, req, path, query, std::move(form), creds,
                request_id);
  }

  // rest-json / rest-xml: the SigV4 scope names the service (none: the
  // service that serves unscoped requests, S3), the method and URI template
  // the operation (see Gateway::call).
  RestTarget t = rest_target(creds);
  if (!t.service) return not_implemented(protocol::guess_protocol(creds.service), creds.service.empty() ? "unknown" : creds.service, request_id);
  std::string rest_path = t.service->address(header(req, "host"), path);
  if (!t.service->cors_operation().empty() && !header(req, "origin").empty() && enabled(*t.service)) {
    if (req.method() == http::verb::options) return cors(*t.service, *t.model, req, rest_path, creds, std::move(request_id), nullptr);
    Reply r = call(*t.service, *t.model, nullptr, {}, req, rest_path, query, {}, creds, request_id, std::move(body));
    return cors(*t.service, *t.model, req, rest_path, creds, std::move(request_id), &r);
  }
  return call(*t.service, *t.model, nullptr, {}, req, rest_path, query, {}, creds, request_id, std::move(body));
}

Reply Gateway::call(Service& svc, const protocol::ServiceModel& model, const protocol::Operation* op, std::string_view op_name,
                    const HttpRequest& req, std::string_view path, std::string_view query,
                    std::vector<std::pair<std::string, std::string>> form, const Credentials& creds, std::string request_id,
                    std::shared_ptr<StreamedBody> body) {
  if (!enabled(svc)) return not_implemented(model.protocol, svc.name(), request_id);
  Reply r;
  r.protocol = model.protocol;
  r.model = &model;
  r.request_id = std::move(request_id);
  r.label = std::string(svc.name()) + "." + std::string(op_name);
  auto fail = [&](const protocol::ApiError& e) {
    if (body) body->discard();
    r.response = to_http(protocol::render_error(model.protocol, &model, e, r.request_id), req.version());
    return std::move(r);
  };
  protocol::HttpRequest hr;
  hr.method = std::string_view(req.method_string().data(), req.method_string().size());
  hr.path = path;
  if (!query.empty()) hr.query = protocol::parse_form(query);
  hr.headers = &req.base();
  hr.body = req.body();
  hr.form = std::move(form);
  bool rest = model.protocol == Protocol::kRestJson || model.protocol == Protocol::kRestXml;
  if (rest) {
    if (body && body->matched_model == &model && body->matched_operation) {
      op = body->matched_operation;  // same request, same model: streamed_body() matched it
      hr.labels = body->matched_labels;
    } else {
      op = protocol::match_rest_operation(model, hr.method, path, hr.query, hr.labels, &req.base());
    }
    if (op) {
      op_name = op->name;
      r.label = std::string(svc.name()) + "." + model.operation_prefix + op->name;
    } else {
      return fail(protocol::ApiError::make(405, "MethodNotAllowed", "The specified method is not allowed against this resource."));
    }
  }
  if (!op) {
    if (model.protocol == Protocol::kQuery)
      return fail(protocol::ApiError::bad_request("InvalidAction", "The action " + std::string(op_name) + " is not valid for this web service."));
    return fail(protocol::ApiError::bad_request("UnknownOperationException", "Unknown operation " + std::string(op_name)));
  }
  const std::string op_id = model.operation_prefix + op->name;  // the name decide() knows it by
  svc.prepare(model, *op, hr);  // what its clients leave to the URL (SQS: QueueUrl)
  if (!svc.has_operation(op_id))
    return fail(protocol::ApiError::not_implemented("The operation " + op->name + " of " + std::string(svc.name()) +
                                                    " is not implemented by podstack yet"));

  // A chaos fault (server/faults.h) fails the request here, before the
  // engine's decide(): nothing is recorded, and it is counted in the metrics.
  if (auto f = faults_->draw(svc.name(), creds.region.empty() ? "us-east-1" : creds.region, op->name)) {
    spdlog::debug("{} {}: chaos fault {} {}", r.label, r.request_id, f->status, f->code);
    return fail(protocol::ApiError::make(f->status, f->code, f->message));
  }

  // A presigned URL (SigV4 query auth) past X-Amz-Date + X-Amz-Expires is
  // refused as AWS does; its signature, like every signature, is not checked.
  if (auto e = presigned_expired(hr.query, wall_clock_ms())) return fail(*e);

  CallContext ctx;
  ctx.access_key = creds.access_key;
  ctx.account = account_for(creds);
  ctx.session_token = creds.session_token;
  ctx.region = creds.region.empty() ? "us-east-1" : creds.region;
  ctx.request_id = r.request_id;
  ctx.now_ms = engine_.now_ms();
  ctx.host = std::string(header(req, "host"));
  ctx.path = std::string(path);

  json::object input;
  try {
    input = protocol::parse_input(model, *op, hr);
  } catch (const protocol::ApiError& e) {
    return fail(svc.input_error(e));
  } catch (const std::exception& e) {
    return fail(protocol::ApiError::serialization(std::string("Could not parse the request: ") + e.what()));
  }
  json::object described;
  if (body) {
    json::value d = body->describe();
    if (d.is_object()) described = std::move(d.as_object());
  }
  ExecResult x;
  try {
    x = engine_.execute(svc, op_id, input, ctx, body ? &described : nullptr);
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", r.label, r.request_id, e.what());
    return fail(protocol::ApiError::internal("internal error"));
  }
  if (x.error) return fail(*x.error);
  int status_override = x.status;
  if (x.stream) r.source = std::shared_ptr<BodySource>(svc.body_source(*x.stream, [this] { engine_.wait_for_writes(); }));
  std::string raw_xml = std::move(x.raw_xml);  // a document the model cannot describe (S3's GetBucketLocation)
  r.response = to_http(protocol::render_output(model, *op, std::move(x.output), r.request_id), req.version());
  if (!raw_xml.empty()) {
    r.response.set(http::field::content_type, "application/xml");
    r.response.body() = std::move(raw_xml);
  }
  if (status_override) r.response.result(static_cast<http::status>(status_override));
  r.commit = std::move(x.commit);
  r.received = std::move(body);
  r.wait = std::move(x.wait);
  return r;
}

// CORS (Service::cors_operation): a preflight (reply == null) is answered
// from the service's rules; another request with an Origin gets the matching
// rule's headers added.
Reply Gateway::cors(Service& svc, const protocol::ServiceModel& model, const HttpRequest& req, std::string_view rest_path,
                    const Credentials& creds, std::string request_id, Reply* reply) {
  bool preflight = reply == nullptr;
  json::object in{{"Path", std::string(rest_path)},
                  {"Origin", std::string(header(req, "origin"))},
                  {"Method", preflight ? std::string(header(req, "access-control-request-method"))
                                       : std::string(req.method_string().data(), req.method_string().size())},
                  {"RequestHeaders", std::string(header(req, "access-control-request-headers"))},
                  {"Preflight", preflight}};
  CallContext ctx;
  ctx.account = account_for(creds);
  ctx.region = creds.region.empty() ? "us-east-1" : creds.region;
  ctx.request_id = request_id;
  ctx.now_ms = engine_.now_ms();
  ExecResult x = engine_.execute(svc, svc.cors_operation(), in, ctx);
  if (preflight) {
    Reply r;
    r.request_id = request_id;
    r.protocol = model.protocol;
    r.model = &model;
    r.label = std::string(svc.name()) + ".OPTIONS";
    if (x.error) {
      r.response = to_http(protocol::render_error(model.protocol, &model, *x.error, request_id), req.version());
      return r;
    }
    r.response = HttpResponse{http::status::ok, req.version()};
    r.response.set("x-amz-request-id", request_id);
    if (auto* h = x.output.as_object().if_contains("headers"))
      for (auto& kv : h->as_object()) r.response.set(kv.key(), kv.value().as_string());
    return r;
  }
  if (!x.error && x.output.is_object())
    if (auto* h = x.output.as_object().if_contains("headers"))
      for (auto& kv : h->as_object()) reply->response.set(kv.key(), kv.value().as_string());
  return std::move(*reply);
}

namespace {
// LocalStack's lists (localstack/aws/handlers/cors.py), and the response
// headers the AWS SDKs read (request ids, the JSON error type, DynamoDB's CRC32).
constexpr std::string_view kCorsMethods = "HEAD,GET,PUT,POST,DELETE,OPTIONS,PATCH";
constexpr std::string_view kCorsAllowHeaders =
    "authorization,cache-control,content-length,content-md5,content-type,etag,location,x-amz-acl,x-amz-content-sha256,"
    "x-amz-date,x-amz-request-id,x-amz-security-token,x-amz-tagging,x-amz-target,x-amz-user-agent,x-amz-version-id,"
    "x-amzn-requestid,amz-sdk-invocation-id,amz-sdk-request";
constexpr std::string_view kCorsExposeHeaders =
    "etag,x-amz-version-id,x-amz-request-id,x-amz-id-2,x-amzn-requestid,x-amzn-errortype,x-amz-crc32,x-amz-delete-marker";
constexpr std::string_view kCorsMaxAge = "86400";

void add_cors_headers(HttpResponse& res, const HttpRequest& req, std::string_view origin, const GatewayOptions& o, bool preflight) {
  const bool any = o.disable_cors_checks;
  res.set(http::field::access_control_allow_origin, any ? std::string_view("*") : origin);
  if (!any) res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::access_control_expose_headers, kCorsExposeHeaders);
  if (preflight) {
    res.set(http::field::access_control_allow_methods, kCorsMethods);
    std::string allow;
    for (auto& h : protocol::split_header_list(header(req, "access-control-request-headers"))) {
      std::string lower = h;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      allow += lower;
      allow += ',';
    }
    allow += kCorsAllowHeaders;
    res.set(http::field::access_control_allow_headers, allow);
    res.set(http::field::access_control_max_age, kCorsMaxAge);
  }
  res.set(http::field::vary, "Origin");
}
}  // namespace

bool cors_origin_allowed(const GatewayOptions& o, std::string_view origin) {
  if (o.disable_cors_checks) return true;
  for (auto& e : o.extra_cors_origins)
    if (e == "*" || e == origin) return true;
  if (origin == "file://" || origin == "https://app.localstack.cloud" || origin == "http://app.localstack.cloud") return true;
  std::string_view rest;
  if (origin.rfind("http://", 0) == 0) rest = origin.substr(7);
  else if (origin.rfind("https://", 0) == 0) rest = origin.substr(8);
  else return false;
  std::string_view host = rest, port;
  if (size_t colon = rest.rfind(':'); colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  }
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "localhost.localstack.cloud";
}

bool Gateway::own_cors(const HttpRequest& req, std::string_view path, std::string_view query) const {
  if (!header(req, "x-amz-target").empty() || query.find("Action=") != std::string_view::npos ||
      (is_form(req) && req.body().find("Action=") != std::string::npos))
    return false;
  Credentials creds = parse_credentials(req, query);
  if (creds.service.empty()) creds.service = host_hint(header(req, "host")).service;
  RestTarget t = rest_target(creds);
  if (!t.service || t.service->cors_operation().empty()) return false;
  // The endpoint's root is no bucket: a preflight there is for the JSON and
  // query APIs (a browser's OPTIONS carries neither X-Amz-Target nor Action).
  return !(req.method() == http::verb::options && t.service->address(header(req, "host"), path) == "/");
}

Reply Gateway::cors_generic(const HttpRequest& req, std::shared_ptr<StreamedBody> body, std::string request_id, std::string_view path,
                            std::string_view query, std::string_view origin) {
  if (!cors_origin_allowed(options_, origin)) {
    // LocalStack's answer: 403 before anything runs (a page elsewhere must not
    // drive the emulator); EXTRA_CORS_ALLOWED_ORIGINS or DISABLE_CORS_CHECKS allow it.
    spdlog::info("refused a request from the origin {} (not allowed for CORS; see EXTRA_CORS_ALLOWED_ORIGINS)",
                 protocol::valid_utf8(origin) ? origin : std::string_view("(not UTF-8)"));
    if (body) body->discard();
    Reply r;
    r.request_id = std::move(request_id);
    r.label = "cors";
    r.response = HttpResponse{http::status::forbidden, req.version()};
    return r;
  }
  if (req.method() == http::verb::options) {
    if (body) body->discard();
    Reply r;
    r.request_id = request_id;
    r.label = "cors.OPTIONS";
    r.response = HttpResponse{http::status::ok, req.version()};
    r.response.set("x-amzn-RequestId", request_id);
    add_cors_headers(r.response, req, origin, options_, true);
    return r;
  }
  Reply r = route(req, std::move(body), std::move(request_id), path, query);
  add_cors_headers(r.response, req, origin, options_, false);
  return r;
}

void Gateway::commit_failed(Reply& r, const Status& s) {
  if (r.received) r.received->discard();
  r.source.reset();
  // 503, as every write refused while the engine rebuilds: nothing of this
  // request was recorded, and a retry once writes resume is safe.
  auto e = protocol::ApiError::unavailable("the event log could not be written (" + s.to_string() +
                                           "); nothing was recorded, retry later");
  r.response = to_http(protocol::render_error(r.protocol, r.model, e, r.request_id), r.response.version());
}

Reply Gateway::internal(const HttpRequest& req, std::string_view path, std::string_view query, const std::string& request_id) {
  InternalCall c{req, path, query, request_id};
  // Parameters here reach events too (an SES or SNS inspection DELETE, the
  // account and region of its partition): refuse what an event could not hold.
  if (!protocol::valid_utf8(protocol::url_decode(path, false))) return json_error(c, 400, "the path is not valid UTF-8");
  for (auto& [k, v] : protocol::parse_form(query))
    if (!protocol::valid_utf8(k) || !protocol::valid_utf8(v)) return json_error(c, 400, "a query parameter is not valid UTF-8");
  // An exact path first, then the longest prefix.
  const InternalRoute* best = nullptr;
  for (auto& r : routes_) {
    if (!r.prefix && r.path == path) return r.handler(c);
    if (r.prefix && path.rfind(r.path, 0) == 0 && (!best || r.path.size() > best->path.size())) best = &r;
  }
  if (best) return best->handler(c);
  return json_error(c, 404, "no such podstack endpoint: " + std::string(path));
}

Reply Gateway::service_route(Service& svc, const Route& route, const InternalCall& c) {
  std::string_view method(c.req.method_string().data(), c.req.method_string().size());
  if (c.req.method() == http::verb::head) method = "GET";
  const std::string* op = nullptr;
  std::string allowed;
  for (auto& [m, o] : route.methods) {
    if (m == method) op = &o;
    allowed += (allowed.empty() ? "use " : " or ") + m;
  }
  if (!op) return json_error(c, 405, allowed);
  CallContext ctx;
  ctx.request_id = c.request_id;
  ctx.now_ms = engine_.now_ms();
  json::object in;
  for (auto& [k, v] : protocol::parse_form(c.query)) {
    if (k == "accountId") ctx.account = v;
    else if (k == "region") ctx.region = v;
    else in[k] = v;
  }
  if (!route.tail_member.empty()) in[route.tail_member] = protocol::url_decode(c.path.substr(route.path.size()), false);
  if (!route.aws_response.empty()) return aws_route(svc, route, *op, c, std::move(in), ctx);
  ExecResult x = engine_.execute(svc, *op, in, ctx);
  if (x.error) return json_error(c, x.error->status, x.error->message);
  if (method == "GET") return json_reply(c, 200, x.output);
  Reply r = internal_reply(c);
  r.response = HttpResponse{http::status::no_content, c.req.version()};
  r.commit = std::move(x.commit);
  return r;
}

// A route that answers like an AWS operation (Route::aws_response): in the
// service model's protocol, or the JSON protocol for a client that posted a
// JSON-protocol request, or query XML as JSON for one that accepts JSON
// (LocalStack's content negotiation: Accept, else the Content-Type).
Reply Gateway::aws_route(Service& svc, const Route& route, const std::string& op, const InternalCall& c, json::object in,
                         CallContext& ctx) {
  const protocol::ServiceModel* model = &svc.model();
  std::string_view content_type = header(c.req, "content-type");
  if (c.req.method() == http::verb::post) {
    // An AWS client whose endpoint is the route: its request joins the input.
    if (is_form(c.req)) {
      for (auto& [k, v] : protocol::parse_form(c.req.body()))
        if (protocol::valid_utf8(k) && protocol::valid_utf8(v)) in[k] = v;
    } else if (std::string_view target = header(c.req, "x-amz-target"); !target.empty() && model->json_variant()) {
      model = model->json_variant();
      boost::system::error_code ec;
      json::value body = json::parse(c.req.body(), ec);
      if (!ec && body.is_object())
        for (auto& [k, v] : body.as_object()) in[k] = v;
      in["Action"] = std::string(target.substr(target.rfind('.') + 1));
    }
  }
  std::string_view accept = header(c.req, "accept");
  if (accept.empty() || accept == "*/*") accept = content_type;
  const bool as_json = model->protocol == Protocol::kQuery && accept.find("application/json") != std::string_view::npos &&
                       accept.find("xml") == std::string_view::npos;
  const protocol::Operation* aws_op = model->operation(route.aws_response);
  if (!aws_op) return json_error(c, 500, "podstack bug: " + route.aws_response + " is not in the model");
  ExecResult x = engine_.execute(svc, op, in, ctx);
  WireResponse w = x.error ? protocol::render_error(model->protocol, model, *x.error, c.request_id)
                           : protocol::render_output(*model, *aws_op, std::move(x.output), c.request_id);
  if (as_json) {
    std::string why;
    auto doc = protocol::parse_xml(w.body, &why);
    if (!doc) return json_error(c, 500, "podstack bug: its own XML does not parse: " + why);
    w.body = json::serialize(protocol::xml_to_dict(*doc));
    w.content_type = "application/json";
  }
  Reply r = internal_reply(c);
  r.protocol = model->protocol;
  r.model = model;
  r.response = to_http(std::move(w), c.req.version());
  return r;
}

void Gateway::register_routes() {
  auto add = [this](std::string path, bool prefix, std::function<Reply(const InternalCall&)> fn) {
    routes_.push_back(InternalRoute{std::move(path), prefix, std::move(fn)});
  };
  // Each service's own (/_aws/...): see Service::routes.
  for (auto& s : engine_.services())
    for (Route r : s->routes()) {
      bool prefix = !r.path.empty() && r.path.back() == '/';
      std::string path = r.path;
      add(std::move(path), prefix, [this, svc = s.get(), r = std::move(r)](const InternalCall& c) { return service_route(*svc, r, c); });
    }

  auto health = [this](const InternalCall& c) {
    if (!is_get(c)) return json_error(c, 405, "use GET");
    json::object h = health_json(engine_, options_);
    h["ready"] = ready_.load();
    return json_reply(c, ready_ ? 200 : 503, h);
  };
  add("/_localstack/health", false, health);
  add("/_podstack/health", false, health);
  // LocalStack's init hook report: /_localstack/init and /_localstack/init/<stage>.
  auto init = [this](const InternalCall& c) {
    if (!is_get(c)) return json_error(c, 405, "use GET");
    std::optional<InitStage> stage;
    if (c.path.size() > 18) {
      stage = parse_stage(c.path.substr(18));
      if (!stage) return json_error(c, 404, "no such stage " + std::string(c.path.substr(18)));
    }
    if (options_.init) return json_reply(c, 200, stage ? options_.init->stage_json(*stage) : options_.init->to_json());
    InitHooks none({});
    for (InitStage s : kInitStages)
      if (s != InitStage::kShutdown) none.run(s, {});
    return json_reply(c, 200, stage ? none.stage_json(*stage) : none.to_json());
  };
  add("/_localstack/init", false, init);
  add("/_localstack/init/", true, init);
  add("/_podstack/version", false, [](const InternalCall& c) {
    if (!is_get(c)) return json_error(c, 405, "use GET");
    return json_reply(c, 200, build_info_json());
  });
  add("/_podstack/metrics", false, [this](const InternalCall& c) {
    if (!is_get(c)) return json_error(c, 405, "use GET");
    Reply r = internal_reply(c);
    r.response = HttpResponse{http::status::ok, c.req.version()};
    r.response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    r.response.body() = metrics_text();
    return r;
  });
  auto info = [this](const InternalCall& c) {
    json::object o = build_info_json();
    o["version"] = options_.version;
    o["edition"] = "podstack";
    o["persistence"] = options_.persistence;
    o["data_dir"] = options_.persistence ? options_.data_dir : std::string();
    o["uptime"] = (wall_clock_ms() - started_ms_) / 1000;
    o["long_polls"] = engine_.notifier().waiting();
    o["server_time_utc"] = protocol::iso8601(static_cast<double>(wall_clock_ms()) / 1000);
    return json_reply(c, 200, o);
  };
  add("/_localstack/info", false, info);
  add("/_podstack/info", false, info);
  add("/_podstack/state", false, [this](const InternalCall& c) {
    if (!is_get(c)) return json_error(c, 405, "use GET");
    StateInfo info = engine_.state_info();
    json::object o, svcs;
    o["last_sequence"] = info.last_sequence;
    o["hash"] = info.hash;
    for (auto& [n, h] : info.services) svcs[n] = h;
    o["services"] = std::move(svcs);
    return json_reply(c, 200, o);
  });
  // LocalStack: POST /_localstack/state/reset and /_localstack/state/<service>/reset.
  add("/_localstack/state/", true, [this](const InternalCall& c) {
    std::string_view path = c.path;
    if (path.size() <= 19 || path.substr(path.size() - 6) != "/reset")
      return json_error(c, 404, "no such podstack endpoint: " + std::string(path));
    if (!is_post(c)) return json_error(c, 405, "use POST");
    std::string svc;
    std::string_view mid = path.substr(19, path.size() - 19 - 6);
    if (!mid.empty() && mid != "reset") svc = std::string(mid);
    if (path == "/_localstack/state/reset") svc.clear();
    if (!svc.empty() && !engine_.service(svc)) return json_error(c, 404, "unknown service '" + svc + "'");
    CallContext ctx;
    ctx.request_id = c.request_id;
    ctx.now_ms = engine_.now_ms();
    ExecResult x = engine_.reset(svc, ctx);
    if (x.error) return json_error(c, x.error->status, x.error->message);
    json::object o;
    o["reset"] = svc.empty() ? "all" : svc;
    Reply out = json_reply(c, 200, o);
    out.commit = std::move(x.commit);
    return out;
  });
  add("/_podstack/state/rollback", false, [this](const InternalCall& c) {
    if (!is_post(c)) return json_error(c, 405, "use POST");
    std::map<std::string, std::string> q;
    for (auto& [k, v] : protocol::parse_form(c.query)) q[k] = v;
    uint64_t seq = 0;
    if (!q["to_seq"].empty()) {
      seq = std::strtoull(q["to_seq"].c_str(), nullptr, 10);
    } else if (!q["to_time"].empty()) {  // epoch milliseconds
      auto s = engine_.sequence_at_time(std::strtoll(q["to_time"].c_str(), nullptr, 10));
      if (!s) return json_error(c, 500, s.status().message());
      seq = *s;
    } else {
      return json_error(c, 400, "give to_seq or to_time");
    }
    CallContext ctx;
    ctx.request_id = c.request_id;
    ctx.now_ms = engine_.now_ms();
    ExecResult x = engine_.rollback(seq, ctx);
    if (x.error) return json_error(c, x.error->status, x.error->message);
    Status st = x.commit->wait();
    if (!st) return json_error(c, 500, st.to_string());
    return json_reply(c, 200, json::object{{"to_sequence", seq}, {"hash", engine_.state_info().hash},
                                           {"sequence", engine_.last_sequence()}});
  });
  // GET: the clock now. POST {"advance": "90s"} | {"set": "2027-01-01T00:00:00Z"} |
  // {"freeze": true|false}: a change, committed as an event (server/clock_service.h).
  add("/_podstack/clock", false, [this](const InternalCall& c) {
    Service& clock = *engine_.clock();
    CallContext ctx;
    ctx.request_id = c.request_id;
    ctx.now_ms = engine_.now_ms();
    json::object input;
    std::string_view op = "__GetClock";
    if (is_post(c)) {
      op = "__SetClock";
      boost::system::error_code ec;
      json::value body = json::parse(std::string_view(c.req.body()), ec);
      if (ec || !body.is_object()) return json_error(c, 400, "the body must be a JSON object, e.g. {\"advance\": \"1h\"}");
      input = std::move(body.as_object());
    } else if (c.req.method() != boost::beast::http::verb::get) {
      return json_error(c, 405, "use GET or POST");
    }
    ExecResult x = engine_.execute(clock, op, input, ctx);
    if (x.error) return json_error(c, x.error->status, x.error->message);
    if (x.commit) {
      Status st = x.commit->wait();
      if (!st) return json_error(c, 500, st.to_string());
    }
    return json_reply(c, 200, x.output);
  });
  // Events with sequence >= since (1: the whole log) and <= until (none: the
  // newest), of one service and/or operation, at most `limit`. With wait=SECONDS (at most 60) and nothing
  // to show yet, a long poll: answered as soon as a matching event is
  // written, or empty when the wait ends. "next" is the `since` of the
  // following call: past every event looked at, matching or not.
  add("/_podstack/log", false, [this](const InternalCall& c) {
    if (!is_get(c)) return json_error(c, 405, "use GET");
    uint64_t since = 1, limit = 1000, wait = 0, until = UINT64_MAX;
    std::string service, operation;
    for (auto& [k, v] : protocol::parse_form(c.query)) {
      if (k == "since" || k == "limit" || k == "wait" || k == "until") {
        char* end = nullptr;
        uint64_t n = std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || *end || v[0] == '-') return json_error(c, 400, k + " must be a whole number, not '" + v + "'");
        (k == "since" ? since : k == "limit" ? limit : k == "until" ? until : wait) = n;
      } else if (k == "service") {
        service = v;
      } else if (k == "operation") {
        operation = v;
      }
    }
    wait = std::min<uint64_t>(wait, kMaxLogWaitSeconds);
    // Before the scan: an event written after it changes the count, so the
    // long poll below wakes at once instead of missing it.
    const uint64_t seen = engine_.notifier().count(Engine::kLogKey);
    json::array events;
    uint64_t next = since;
    Status st = engine_.scan_log(since, [&](const proto::Event& e) {
      if (events.size() >= limit || e.sequence() > until) return false;
      next = e.sequence() + 1;
      if ((!service.empty() && e.service() != service) || (!operation.empty() && e.operation() != operation)) return true;
      events.push_back(event_json(engine_, e));
      return true;
    });
    if (!st) return json_error(c, 500, st.to_string());
    const bool empty = events.empty();
    json::object o;
    o["events"] = std::move(events);
    o["next"] = next;
    Reply r = json_reply(c, 200, o);
    if (empty && wait > 0) {
      // Re-run on each written group until one matches (http_server.cpp's
      // long_poll: a timer, no thread blocked).
      LongPoll lp;
      lp.key = Engine::kLogKey;
      lp.until_ms = engine_.now_ms() + static_cast<int64_t>(wait) * 1000;  // podstack's clock, as LongPoll's times are
      lp.wake_at_ms = lp.until_ms;
      lp.seen = seen;
      r.wait = std::move(lp);
    }
    return r;
  });
  // LocalStack's chaos API (server/faults.h): configuration, never events.
  add("/_localstack/chaos/faults", false, [this](const InternalCall& c) { return chaos_faults(c); });
  add("/_localstack/chaos/effects", false, [this](const InternalCall& c) { return chaos_effects(c); });
  // /_podstack/pods                 GET: every pod and its versions
  // /_podstack/pods/NAME            POST: save (?message=&services=)   GET: versions with headers
  // /_podstack/pods/NAME/load       POST: load (?version=&strategy=&services=)
  // /_podstack/pods/NAME/verify     GET: live state against the pod (?version=)
  // /_podstack/pods/NAME/diff       GET: resources added/removed/changed from the pod to the live state (?version=),
  //                                      or to another version (&to=N or &to=OTHER[:N])
  // /_podstack/pods/NAME/file       GET: the version's .pod file, as a download (?version=; none: the newest)
  // /_podstack/pods/NAME/inspect    GET: one version's header (?version=; none: the newest)
  add("/_podstack/pods", false, [this](const InternalCall& c) { return pods_endpoint(c); });
  add("/_podstack/pods/", true, [this](const InternalCall& c) { return pods_endpoint(c); });
  // The web console (server/ui_assets.h): its files, and index.html for its views' URLs.
  auto ui = [](const InternalCall& c) {
    Reply r = internal_reply(c);
    r.label = "/_podstack/ui";  // one metrics label, whatever view a deep link names
    r.response = ui_response(c.req, c.path, c.query);
    return r;
  };
  add("/_podstack/ui", false, ui);
  add("/_podstack/ui/", true, ui);
}

int64_t Gateway::added_latency_ms(const HttpRequest& req) const {
  int64_t ms = faults_->latency_ms();
  if (ms <= 0) return 0;
  std::string_view target(req.target().data(), req.target().size());
  if (target.rfind("/_localstack", 0) == 0 || target.rfind("/_podstack", 0) == 0 || target.rfind("/_aws", 0) == 0) return 0;
  return ms;
}

// GET lists the rules; POST (or PUT) replaces them, PATCH adds, DELETE
// removes those equal to the ones given. Every answer is the resulting list.
Reply Gateway::chaos_faults(const InternalCall& c) {
  auto list_json = [](const std::vector<FaultRule>& rules) {
    json::array a;
    for (auto& r : rules) a.push_back(r.to_json());
    return a;
  };
  if (is_get(c)) return json_reply(c, 200, list_json(faults_->list()));
  const http::verb m = c.req.method();
  if (m != http::verb::post && m != http::verb::put && m != http::verb::patch && m != http::verb::delete_)
    return json_error(c, 405, "use GET, POST, PATCH or DELETE");
  boost::system::error_code ec;
  json::value body = json::parse(c.req.body(), ec);
  if (ec) return json_error(c, 400, "the body is not JSON: give an array of fault rules ([] clears them)");
  auto parsed = parse_fault_rules(body);
  if (auto* err = std::get_if<std::string>(&parsed)) return json_error(c, 400, *err);
  auto& rules = std::get<std::vector<FaultRule>>(parsed);
  std::vector<FaultRule> now = m == http::verb::patch     ? faults_->add(rules)
                               : m == http::verb::delete_ ? faults_->remove(rules)
                                                          : faults_->set(std::move(rules));
  spdlog::info("chaos: {} fault rule(s) active", now.size());
  return json_reply(c, 200, list_json(now));
}

// {"latency": ms}: GET shows it, POST (or PUT) sets it.
Reply Gateway::chaos_effects(const InternalCall& c) {
  auto current = [this] { return json::object{{"latency", faults_->latency_ms()}}; };
  if (is_get(c)) return json_reply(c, 200, current());
  if (!is_post(c)) return json_error(c, 405, "use GET or POST");
  boost::system::error_code ec;
  json::value body = json::parse(c.req.body(), ec);
  const char* expected = "give {\"latency\": milliseconds}, a whole number from 0 (off) to 600000";
  if (ec || !body.is_object()) return json_error(c, 400, expected);
  const json::value* latency = body.as_object().if_contains("latency");
  if (!latency || body.as_object().size() != 1 || !latency->is_int64()) return json_error(c, 400, expected);
  int64_t ms = latency->to_number<int64_t>();
  // Ten minutes at most: a held request keeps its connection busy.
  if (ms < 0 || ms > 600000) return json_error(c, 400, expected);
  faults_->set_latency_ms(ms);
  spdlog::info("chaos: {} ms latency added to every AWS request", ms);
  return json_reply(c, 200, current());
}

namespace {
// A file sent as a response body a piece at a time (a pod export).
class FileBody : public BodySource {
 public:
  explicit FileBody(const std::string& path) : in_(path, std::ios::binary) {
    if (in_) {
      in_.seekg(0, std::ios::end);
      length_ = static_cast<uint64_t>(in_.tellg());
      in_.seekg(0);
    }
  }
  bool ok() const { return static_cast<bool>(in_); }
  uint64_t length() const override { return length_; }
  Result<std::string> next() override {
    std::string piece(std::min<uint64_t>(kPiece, length_ - sent_), '\0');
    if (piece.empty()) return piece;
    if (!in_.read(piece.data(), static_cast<std::streamsize>(piece.size())))
      return Status::io_error("the pod file ended early");
    sent_ += piece.size();
    return piece;
  }

 private:
  static constexpr uint64_t kPiece = 256 * 1024;
  std::ifstream in_;
  uint64_t length_ = 0, sent_ = 0;
};
}  // namespace

Reply Gateway::pods_endpoint(const InternalCall& c) {
  std::string_view path = c.path;
  const bool get = is_get(c), post = is_post(c);
  auto error = [&](int status, std::string msg) { return json_error(c, status, std::move(msg)); };
  auto json_reply = [&](int status, const json::value& v) { return podstack::json_reply(c, status, v); };
  // /_podstack/pods                 GET: every pod and its versions
  // /_podstack/pods/NAME            POST: save (?message=&services=)   GET: versions with headers
  // /_podstack/pods/NAME/load       POST: load (?version=&strategy=&services=)
  // /_podstack/pods/NAME/verify     GET: live state against the pod (?version=)
  // /_podstack/pods/NAME/diff       GET: resources added/removed/changed from the pod to the live state (?version=),
  //                                      or to another version (&to=N or &to=OTHER[:N])
  // /_podstack/pods/NAME/file       GET: the version's .pod file, as a download (?version=; none: the newest)
  // /_podstack/pods/NAME/inspect    GET: one version's header (?version=; none: the newest)
  std::map<std::string, std::string> q;
  for (auto& [k, v] : protocol::parse_form(c.query)) q[k] = v;
  pods::Registry registry(options_.data_dir + "/pods");
  std::string_view rest = path.size() > 16 ? path.substr(16) : std::string_view();
  std::string name(rest.substr(0, rest.find('/')));
  std::string action(rest.find('/') == std::string_view::npos ? std::string_view() : rest.substr(rest.find('/') + 1));
  auto fail_status = [&](const Status& st) { return error(http_status_of(st), st.message()); };
  if (name.empty()) {
    if (!get) return error(405, "use GET");
    json::array list;
    for (auto& n : registry.names()) {
      json::array vs;
      for (auto v : registry.versions(n)) vs.push_back(v);
      list.push_back(json::object{{"name", n}, {"versions", std::move(vs)}});
    }
    return json_reply(200, json::object{{"pods", std::move(list)}});
  }
  pods::PodRef ref;
  ref.name = name;
  if (Status st = pods::validate_pod_name(name); !st) return fail_status(st);
  if (!q["version"].empty()) {
    auto parsed = pods::parse_pod_ref(name + ":" + q["version"]);
    if (!parsed) return fail_status(parsed.status());
    ref = *parsed;
  }
  if (action.empty() && post) {
    SaveOptions o;
    o.name = name;
    o.message = q["message"];
    o.producer_version = options_.version;
    o.services = split_csv(q["services"]);
    auto h = save_pod(engine_, registry, o);
    if (options_.metrics) ++(h ? options_.metrics->pod_saves : options_.metrics->pod_save_errors);
    if (!h) return fail_status(h.status());
    return json_reply(200, header_json(*h));
  }
  if (action.empty() && get) {
    json::array vs;
    for (auto v : registry.versions(name)) {
      pods::PodRef r{name, v};
      auto p = registry.resolve(r);
      auto pod = p ? pods::read_pod(*p) : Result<pods::PodContent>(p.status());
      vs.push_back(pod ? json::value(header_json(pod->header)) : json::value(json::object{{"version", v}, {"error", pod.status().message()}}));
    }
    if (vs.empty()) return error(404, "there is no pod named '" + name + "'");
    return json_reply(200, json::object{{"name", name}, {"versions", std::move(vs)}});
  }
  if (action == "inspect" && get) {  // one version's header (?version=; none: the newest)
    auto p = registry.resolve(ref);
    auto pod = p ? pods::read_pod(*p) : Result<pods::PodContent>(p.status());
    if (!pod) return fail_status(pod.status());
    return json_reply(200, header_json(pod->header));
  }
  if (action == "load" && post) {
    LoadOptions o;
    o.ref = ref;
    o.strategy = q["strategy"].empty() ? "overwrite" : q["strategy"];
    o.services = split_csv(q["services"]);
    CallContext ctx;
    ctx.request_id = c.request_id;
    ctx.now_ms = engine_.now_ms();
    auto h = load_pod_from_registry(engine_, registry, o, ctx);
    if (options_.metrics) ++(h ? options_.metrics->pod_loads : options_.metrics->pod_load_errors);
    if (!h) return fail_status(h.status());
    json::object out = header_json(*h);
    out["live_hash"] = engine_.state_info().hash;
    out["strategy"] = o.strategy;
    return json_reply(200, out);
  }
  if (action == "file" && get) {  // the version's .pod file, as a download (streamed: pods can be large)
    uint64_t version = 0;
    auto p = registry.resolve(ref, &version);
    if (!p) return fail_status(p.status());
    auto source = std::make_shared<FileBody>(*p);
    if (!source->ok()) return error(500, "cannot read " + *p);
    Reply r = internal_reply(c);
    r.label = "/_podstack/pods";
    r.response = HttpResponse{http::status::ok, c.req.version()};
    r.response.set(http::field::content_type, "application/octet-stream");
    r.response.set(http::field::content_disposition,
                   "attachment; filename=\"" + name + "-" + pods::version_file_name(version) + "\"");
    r.source = std::move(source);
    return r;
  }
  if (action == "verify" && get) {
    auto v = verify_pod(engine_, registry, ref);
    if (!v) return fail_status(v.status());
    return json_reply(200, verify_json(*v));
  }
  if (action == "diff" && get) {
    auto p = registry.resolve(ref);
    auto pod = p ? pods::read_pod(*p) : Result<pods::PodContent>(p.status());
    if (!pod) return fail_status(pod.status());
    if (!q["to"].empty()) {  // another version: ?to=N (this pod) or ?to=OTHER[:N]
      auto to = pods::parse_pod_ref(q["to"].find_first_not_of("0123456789") == std::string::npos ? name + ":" + q["to"] : q["to"]);
      if (!to) return fail_status(to.status());
      auto tp = registry.resolve(*to);
      auto other = tp ? pods::read_pod(*tp) : Result<pods::PodContent>(tp.status());
      if (!other) return fail_status(other.status());
      auto d = diff_pods(engine_.services(), *pod, *other);
      if (!d) return fail_status(d.status());
      return json_reply(200, diff_json(*d));
    }
    auto d = diff_live(engine_, *pod);
    if (!d) return fail_status(d.status());
    return json_reply(200, diff_json(*d));
  }
  return error(404, "no such pods endpoint: " + std::string(path));
}

}  // namespace podstack
