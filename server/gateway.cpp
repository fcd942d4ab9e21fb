#include "server/gateway.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "server/build_info.h"
#include "server/pods_api.h"
#include "server/protocol/encoding.h"

namespace podstack {

using protocol::Protocol;
using protocol::WireResponse;

namespace {

std::string_view header(const HttpRequest& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

bool is_form(const HttpRequest& req) {
  return header(req, "content-type").find("application/x-www-form-urlencoded") != std::string_view::npos;
}

// Query-protocol services podstack knows the names of, to answer unknown ones
// in the shape their clients parse.
Protocol guess_protocol(std::string_view service) {
  static const std::pair<std::string_view, Protocol> kKnown[] = {
      {"sqs", Protocol::kQuery}, {"sns", Protocol::kQuery}, {"ses", Protocol::kQuery}, {"iam", Protocol::kQuery},
      {"sts", Protocol::kQuery}, {"cloudformation", Protocol::kQuery}, {"ec2", Protocol::kEc2},
      {"s3", Protocol::kRestXml}, {"lambda", Protocol::kRestJson}, {"apigateway", Protocol::kRestJson}};
  for (auto& [n, p] : kKnown)
    if (n == service) return p;
  return Protocol::kJson;
}

json::object health_json(const Engine& engine, const GatewayOptions& o) {
  json::object services;
  for (auto& s : engine.services()) services[s->name()] = "running";
  for (const char* s : {"s3", "sqs", "sns", "ses", "dynamodb"})
    if (!services.contains(s)) services[s] = "disabled";
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

Gateway::Gateway(Engine& engine, GatewayOptions options)
    : engine_(engine), options_(std::move(options)), started_ms_(wall_clock_ms()), started_sequence_(engine.last_sequence()) {}

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

std::string s3_virtual_bucket(std::string_view host) {
  if (host.find(']') != std::string_view::npos) return {};  // IPv6 literal
  host = host.substr(0, host.find(':'));
  for (std::string_view s : {".s3.", ".s3-website."}) {
    size_t p = host.find(s);
    if (p != std::string_view::npos && p > 0) return std::string(host.substr(0, p));
  }
  // bucket.localhost (LocalStack's short form)
  constexpr std::string_view kLocal = ".localhost";
  if (host.size() > kLocal.size() && host.substr(host.size() - kLocal.size()) == kLocal) {
    std::string_view b = host.substr(0, host.size() - kLocal.size());
    if (b.find('.') == std::string_view::npos || b.find(".localstack.cloud") == std::string_view::npos) return std::string(b);
  }
  return {};
}

namespace {
// The S3 path of a request: virtual-hosted requests get "/<bucket>" prepended.
std::string s3_path(const HttpRequest& req, std::string_view path) {
  std::string bucket = s3_virtual_bucket(header(req, "host"));
  if (bucket.empty()) return std::string(path);
  return "/" + bucket + (path.empty() ? std::string("/") : std::string(path));
}
// S3 has no ValidationException: a value the model refuses is InvalidArgument,
// or the specific code S3 uses for that member.
protocol::ApiError s3_validation_error(const protocol::ApiError& e) {
  static const std::pair<std::string_view, std::string_view> kSpecific[] = {
      {"'storageClass'", "InvalidStorageClass"}, {"LocationConstraint'", "InvalidLocationConstraint"},
      {"'locationConstraint'", "InvalidLocationConstraint"}};
  for (auto& [needle, code] : kSpecific)
    if (e.message.find(needle) != std::string::npos) {
      std::string msg = code == "InvalidStorageClass" ? "The storage class you specified is not valid"
                                                      : "The specified location-constraint is not valid";
      return protocol::ApiError::bad_request(std::string(code), msg);
    }
  return protocol::ApiError::bad_request("InvalidArgument", e.message);
}

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

// SQS answers a message body it cannot take with InvalidMessageContents
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Errors):
// the codec's generic "not UTF-8" error for a MessageBody becomes that.
protocol::ApiError sqs_utf8_error(const protocol::ApiError& e) {
  if (e.code == "InvalidParameterValue" && e.message.find("MessageBody") != std::string::npos &&
      e.message.find("not valid UTF-8") != std::string::npos)
    return protocol::ApiError::bad_request("InvalidMessageContents",
                                           "Invalid binary character was found in the message body, the set of allowed characters is "
                                           "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  return e;
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

bool is_s3_request(const Credentials& creds) { return creds.service.empty() || creds.service == "s3"; }

}  // namespace

std::shared_ptr<StreamedBody> Gateway::streamed_body(const HttpRequest& req) {
  // PUT bodies (PutObject, UploadPart) and POST forms (browser uploads).
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
  if (!is_s3_request(creds)) return nullptr;
  Service* s3 = engine_.service("s3");
  if (!s3) return nullptr;
  if (!options_.enabled.empty() && std::find(options_.enabled.begin(), options_.enabled.end(), "s3") == options_.enabled.end())
    return nullptr;
  std::vector<std::pair<std::string, std::string>> q, labels;
  if (!query.empty()) q = protocol::parse_form(query);
  std::string p = s3_path(req, path);
  const protocol::Operation* op = protocol::match_rest_operation(s3->model(), post ? "POST" : "PUT", p, q, labels, &req.base());
  if (!op) return nullptr;
  std::shared_ptr<StreamedBody> body(s3->streamed_body(op->name, req.base()));
  if (!body) body = s3->streamed_body(op->name, req.base(), engine_.store());  // LEGACY
  if (body) {
    body->matched_model = &s3->model();
    body->matched_operation = op;
    body->matched_labels = std::move(labels);
  }
  return body;
}

Reply Gateway::body_failed(const HttpRequest& req, const protocol::ApiError& e) {
  Reply r;
  r.request_id = random_uuid();
  r.protocol = Protocol::kRestXml;
  if (Service* s3 = engine_.service("s3")) r.model = &s3->model();
  r.label = "s3.body";
  r.response = to_http(protocol::render_error(Protocol::kRestXml, r.model, e, r.request_id), req.version());
  return r;
}

Reply Gateway::handle(const HttpRequest& req, std::shared_ptr<StreamedBody> body) {
  std::string request_id = random_uuid();
  std::string_view target(req.target().data(), req.target().size());
  size_t qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);

  if (path.rfind("/_localstack", 0) == 0 || path.rfind("/_podstack", 0) == 0 || path.rfind("/_aws", 0) == 0)
    return internal(req, path, query, request_id);

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
                     : guess_protocol(protocol::valid_utf8(creds.service) && !creds.service.empty() ? creds.service : "s3");
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

  // rest-json / rest-xml: the SigV4 scope names the service, the method and
  // URI template the operation (see Gateway::call).
  std::string svc = creds.service.empty() ? "s3" : creds.service;
  std::string rest_path = svc == "s3" ? s3_path(req, path) : std::string(path);
  if (svc == "s3")
    if (Service* s3 = engine_.service("s3"); s3 && !header(req, "origin").empty()) {
      if (req.method() == http::verb::options) return cors(*s3, req, rest_path, creds, std::move(request_id), nullptr);
      Reply r = call(*s3, s3->model(), nullptr, {}, req, rest_path, query, {}, creds, request_id, std::move(body));
      return cors(*s3, req, rest_path, creds, std::move(request_id), &r);
    }
  for (auto& s : engine_.services()) {
    const auto& m = s->rest_model() ? *s->rest_model() : s->model();
    if ((m.protocol == Protocol::kRestJson || m.protocol == Protocol::kRestXml) && m.signing_name == svc)
      return call(*s, m, nullptr, {}, req, rest_path, query, {}, creds, request_id, std::move(body));
  }
  return not_implemented(guess_protocol(svc), svc, request_id);
}

Reply Gateway::call(Service& svc, const protocol::ServiceModel& model, const protocol::Operation* op, std::string_view op_name,
                    const HttpRequest& req, std::string_view path, std::string_view query,
                    std::vector<std::pair<std::string, std::string>> form, const Credentials& creds, std::string request_id,
                    std::shared_ptr<StreamedBody> body) {
  if (!options_.enabled.empty() &&
      std::find(options_.enabled.begin(), options_.enabled.end(), std::string(svc.name())) == options_.enabled.end())
    return not_implemented(model.protocol, svc.name(), request_id);
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
  // Query clients may address a queue by path (POST /<account>/<name>) and
  // leave QueueUrl out of the form; the URL is the one they posted to.
  if (op && model.protocol == Protocol::kQuery && op->input && op->input->member("QueueUrl") && path.size() > 1 &&
      std::none_of(hr.form.begin(), hr.form.end(), [](auto& kv) { return kv.first == "QueueUrl"; }))
    hr.form.emplace_back("QueueUrl", "http://" + std::string(header(req, "host")) + std::string(path));
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
  if (!svc.has_operation(op_id))
    return fail(protocol::ApiError::not_implemented("The operation " + op->name + " of " + std::string(svc.name()) +
                                                    " is not implemented by podstack yet"));

  // A presigned URL (SigV4 query auth) past X-Amz-Date + X-Amz-Expires is
  // refused as AWS does; its signature, like every signature, is not checked.
  if (auto e = presigned_expired(hr.query, wall_clock_ms())) return fail(*e);

  CallContext ctx;
  ctx.access_key = creds.access_key;
  ctx.account = account_for(creds.access_key);
  ctx.region = creds.region.empty() ? "us-east-1" : creds.region;
  ctx.request_id = r.request_id;
  ctx.now_ms = wall_clock_ms();
  ctx.host = std::string(header(req, "host"));
  ctx.path = std::string(path);

  json::object input;
  try {
    input = protocol::parse_input(model, *op, hr);
  } catch (const protocol::ApiError& e) {
    if (svc.name() == "s3" && (e.code == "ValidationError" || e.code == "ValidationException")) return fail(s3_validation_error(e));
    if (svc.name() == "sqs") return fail(sqs_utf8_error(e));
    return fail(e);
  } catch (const std::exception& e) {
    return fail(protocol::ApiError::serialization(std::string("Could not parse the request: ") + e.what()));
  }
  json::object described;
  if (body) {
    json::value d = body->describe();
    if (d.is_object()) described = std::move(d.as_object());
    input["__body"] = described;  // LEGACY
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
  if (x.output.is_object()) {  // LEGACY
    json::object& o = x.output.as_object();
    if (auto* st = o.if_contains("__stream")) {
      r.source = std::shared_ptr<BodySource>(svc.body_source(*st, engine_.store(), [this] { engine_.wait_for_writes(); }));
      o.erase("__stream");
    }
    if (auto* st = o.if_contains("__status")) {
      status_override = static_cast<int>(st->to_number<int64_t>());
      o.erase("__status");
    }
    if (auto* xml = o.if_contains("__xml")) {
      raw_xml = std::string(xml->as_string());
      o.erase("__xml");
    }
  }
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

// S3 CORS: a preflight (reply == null) is answered from the bucket's rules;
// another request with an Origin gets the matching rule's headers added.
Reply Gateway::cors(Service& s3, const HttpRequest& req, std::string_view s3_path, const Credentials& creds,
                    std::string request_id, Reply* reply) {
  std::string_view p = s3_path.substr(s3_path.find_first_not_of('/') == std::string_view::npos ? s3_path.size() : 1);
  std::string bucket(p.substr(0, p.find('/')));
  bool preflight = reply == nullptr;
  json::object in{{"Bucket", bucket},
                  {"Origin", std::string(header(req, "origin"))},
                  {"Method", preflight ? std::string(header(req, "access-control-request-method"))
                                       : std::string(req.method_string().data(), req.method_string().size())},
                  {"RequestHeaders", std::string(header(req, "access-control-request-headers"))},
                  {"Preflight", preflight}};
  CallContext ctx;
  ctx.account = account_for(creds.access_key);
  ctx.region = creds.region.empty() ? "us-east-1" : creds.region;
  ctx.request_id = request_id;
  ctx.now_ms = wall_clock_ms();
  ExecResult x = engine_.execute(s3, "EvaluateCors", in, ctx);
  if (preflight) {
    Reply r;
    r.request_id = request_id;
    r.protocol = Protocol::kRestXml;
    r.model = &s3.model();
    r.label = "s3.OPTIONS";
    if (x.error) {
      r.response = to_http(protocol::render_error(Protocol::kRestXml, &s3.model(), *x.error, request_id), req.version());
      return r;
    }
    r.response = HttpResponse{http::status::ok, req.version()};
    r.response.set("x-amz-request-id", request_id);
    reply = &r;
    if (auto* h = x.output.as_object().if_contains("headers"))
      for (auto& kv : h->as_object()) r.response.set(kv.key(), kv.value().as_string());
    return r;
  }
  if (!x.error && x.output.is_object())
    if (auto* h = x.output.as_object().if_contains("headers"))
      for (auto& kv : h->as_object())
        if (kv.key() != "Access-Control-Max-Age") reply->response.set(kv.key(), kv.value().as_string());
  return std::move(*reply);
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
  Reply r;
  r.request_id = request_id;
  r.label = std::string(path);
  auto json_reply = [&](int status, const json::value& v) {
    r.response = HttpResponse{static_cast<http::status>(status), req.version()};
    r.response.set(http::field::content_type, "application/json");
    r.response.body() = json::serialize(v);
    return std::move(r);
  };
  auto error = [&](int status, std::string msg) {
    json::object o;
    o["error"] = std::move(msg);
    return json_reply(status, o);
  };
  bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  bool post = req.method() == http::verb::post || req.method() == http::verb::put;
  // Parameters here reach events too (an SES or SNS inspection DELETE, the
  // account and region of its partition): refuse what an event could not hold.
  if (!protocol::valid_utf8(protocol::url_decode(path, false))) return error(400, "the path is not valid UTF-8");
  for (auto& [k, v] : protocol::parse_form(query))
    if (!protocol::valid_utf8(k) || !protocol::valid_utf8(v)) return error(400, "a query parameter is not valid UTF-8");

  if (path == "/_localstack/health" || path == "/_podstack/health") {
    if (!get) return error(405, "use GET");
    json::object h = health_json(engine_, options_);
    h["ready"] = ready_.load();
    return json_reply(ready_ ? 200 : 503, h);
  }
  // LocalStack's init hook report: /_localstack/init and /_localstack/init/<stage>.
  if (path == "/_localstack/init" || path.rfind("/_localstack/init/", 0) == 0) {
    if (!get) return error(405, "use GET");
    std::optional<InitStage> stage;
    if (path.size() > 18) {
      stage = parse_stage(path.substr(18));
      if (!stage) return error(404, "no such stage " + std::string(path.substr(18)));
    }
    if (options_.init) return json_reply(200, stage ? options_.init->stage_json(*stage) : options_.init->to_json());
    InitHooks none({});
    for (InitStage s : kInitStages)
      if (s != InitStage::kShutdown) none.run(s, {});
    return json_reply(200, stage ? none.stage_json(*stage) : none.to_json());
  }
  if (path == "/_podstack/version") {
    if (!get) return error(405, "use GET");
    return json_reply(200, build_info_json());
  }
  if (path == "/_podstack/metrics") {
    if (!get) return error(405, "use GET");
    r.response = HttpResponse{http::status::ok, req.version()};
    r.response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    r.response.body() = metrics_text();
    return r;
  }
  if (path == "/_localstack/info" || path == "/_podstack/info") {
    json::object o = build_info_json();
    o["version"] = options_.version;
    o["edition"] = "podstack";
    o["persistence"] = options_.persistence;
    o["data_dir"] = options_.persistence ? options_.data_dir : std::string();
    o["uptime"] = (wall_clock_ms() - started_ms_) / 1000;
    o["long_polls"] = engine_.notifier().waiting();
    o["server_time_utc"] = protocol::iso8601(static_cast<double>(wall_clock_ms()) / 1000);
    return json_reply(200, o);
  }
  // LocalStack's SNS inspection endpoints: GET lists, DELETE clears (an
  // event), through the sns service's internal operations (?accountId=&region=
  // pick the partition, other parameters filter).
  if (path == "/_aws/sns/sms-messages" || path == "/_aws/sns/platform-endpoint-messages" ||
      path.rfind("/_aws/sns/subscription-tokens/", 0) == 0) {
    Service* sns = engine_.service("sns");
    bool del = req.method() == http::verb::delete_;
    bool token = path.rfind("/_aws/sns/subscription-tokens/", 0) == 0;
    if (!sns) return error(404, "sns is not enabled");
    if (!get && (!del || token)) return error(405, token ? "use GET" : "use GET or DELETE");
    CallContext ctx;
    ctx.request_id = request_id;
    ctx.now_ms = wall_clock_ms();
    json::object in;
    for (auto& [k, v] : protocol::parse_form(query)) {
      if (k == "accountId") ctx.account = v;
      else if (k == "region") ctx.region = v;
      else in[k] = v;
    }
    std::string op = std::string(del ? "__Clear" : "__List") + (path == "/_aws/sns/sms-messages" ? "SmsMessages" : "PlatformEndpointMessages");
    if (token) {
      op = "__GetSubscriptionToken";
      in["subscription_arn"] = protocol::url_decode(path.substr(30), false);
    }
    ExecResult x = engine_.execute(*sns, op, in, ctx);
    if (x.error) return error(x.error->status, x.error->message);
    if (!del) return json_reply(200, x.output);
    r.response = HttpResponse{http::status::no_content, req.version()};
    r.commit = std::move(x.commit);
    return r;
  }
  if (path == "/_podstack/state") {
    if (!get) return error(405, "use GET");
    StateInfo info = engine_.state_info();
    json::object o, svcs;
    o["last_sequence"] = info.last_sequence;
    o["hash"] = info.hash;
    for (auto& [n, h] : info.services) svcs[n] = h;
    o["services"] = std::move(svcs);
    return json_reply(200, o);
  }
  // LocalStack: POST /_localstack/state/reset and /_localstack/state/<service>/reset.
  if (path.rfind("/_localstack/state/", 0) == 0 && path.size() > 19 && path.substr(path.size() - 6) == "/reset") {
    if (!post) return error(405, "use POST");
    std::string svc;
    std::string_view mid = path.substr(19, path.size() - 19 - 6);
    if (!mid.empty() && mid != "reset") svc = std::string(mid);
    if (path == "/_localstack/state/reset") svc.clear();
    if (!svc.empty() && !engine_.service(svc)) return error(404, "unknown service '" + svc + "'");
    CallContext ctx;
    ctx.request_id = request_id;
    ctx.now_ms = wall_clock_ms();
    ExecResult x = engine_.reset(svc, ctx);
    if (x.error) return error(x.error->status, x.error->message);
    json::object o;
    o["reset"] = svc.empty() ? "all" : svc;
    Reply out = json_reply(200, o);
    out.commit = std::move(x.commit);
    return out;
  }
  // LocalStack's sent-mail view: GET lists (?id=, ?email= the Source), DELETE
  // clears (?id=: one). SES's internal operations ("__" names, which AWS
  // routing never reaches); the DELETE is an event like any mutation.
  if (path == "/_aws/ses") {
    Service* ses = engine_.service("ses");
    bool del = req.method() == http::verb::delete_;
    if (!ses) return error(404, "ses is not available");
    if (!get && !del) return error(405, "use GET or DELETE");
    json::object in;
    for (auto& [k, v] : protocol::parse_form(query)) in[k] = v;
    CallContext ctx;
    ctx.request_id = request_id;
    ctx.now_ms = wall_clock_ms();
    ExecResult x = engine_.execute(*ses, del ? "__DeleteMessages" : "__ListMessages", in, ctx);
    if (x.error) return error(x.error->status, x.error->message);
    if (!del) return json_reply(200, x.output);
    r.response = HttpResponse{http::status::no_content, req.version()};
    r.commit = std::move(x.commit);
    return r;
  }
  if (path == "/_podstack/state/rollback") {
    if (!post) return error(405, "use POST");
    std::map<std::string, std::string> q;
    for (auto& [k, v] : protocol::parse_form(query)) q[k] = v;
    uint64_t seq = 0;
    if (!q["to_seq"].empty()) {
      seq = std::strtoull(q["to_seq"].c_str(), nullptr, 10);
    } else if (!q["to_time"].empty()) {  // epoch milliseconds
      auto s = engine_.sequence_at_time(std::strtoll(q["to_time"].c_str(), nullptr, 10));
      if (!s) return error(500, s.status().message());
      seq = *s;
    } else {
      return error(400, "give to_seq or to_time");
    }
    CallContext ctx;
    ctx.request_id = request_id;
    ctx.now_ms = wall_clock_ms();
    ExecResult x = engine_.rollback(seq, ctx);
    if (x.error) return error(x.error->status, x.error->message);
    Status st = x.commit->wait();
    if (!st) return error(500, st.to_string());
    return json_reply(200, json::object{{"to_sequence", seq}, {"hash", engine_.state_info().hash},
                                        {"sequence", engine_.last_sequence()}});
  }
  if (path == "/_podstack/log") {
    uint64_t since = 1, limit = 1000;
    std::string service;
    for (auto& [k, v] : protocol::parse_form(query)) {
      if (k == "since") since = std::strtoull(v.c_str(), nullptr, 10);
      else if (k == "limit") limit = std::strtoull(v.c_str(), nullptr, 10);
      else if (k == "service") service = v;
    }
    json::array events;
    proto::Event e;
    Status st = engine_.store().scan_events(since, [&](uint64_t, std::string_view bytes) {
      if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
      if (!service.empty() && e.service() != service) return true;
      json::object o = event_json(engine_, e);
      events.push_back(std::move(o));
      return events.size() < limit;
    });
    if (!st) return error(500, st.to_string());
    json::object o;
    o["events"] = std::move(events);
    return json_reply(200, o);
  }
  if (path == "/_podstack/pods" || path.rfind("/_podstack/pods/", 0) == 0) {
    // /_podstack/pods                 GET: every pod and its versions
    // /_podstack/pods/NAME            POST: save (?message=&services=)   GET: versions with headers
    // /_podstack/pods/NAME/load       POST: load (?version=&strategy=&services=)
    // /_podstack/pods/NAME/verify     GET: live state against the pod (?version=)
    // /_podstack/pods/NAME/diff       GET: resources added/removed/changed from the pod to the live state (?version=)
    std::map<std::string, std::string> q;
    for (auto& [k, v] : protocol::parse_form(query)) q[k] = v;
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
    if (action == "load" && post) {
      LoadOptions o;
      o.ref = ref;
      o.strategy = q["strategy"].empty() ? "overwrite" : q["strategy"];
      o.services = split_csv(q["services"]);
      CallContext ctx;
      ctx.request_id = request_id;
      ctx.now_ms = wall_clock_ms();
      auto h = load_pod_from_registry(engine_, registry, o, ctx);
      if (options_.metrics) ++(h ? options_.metrics->pod_loads : options_.metrics->pod_load_errors);
      if (!h) return fail_status(h.status());
      json::object out = header_json(*h);
      out["live_hash"] = engine_.state_info().hash;
      out["strategy"] = o.strategy;
      return json_reply(200, out);
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
      auto d = diff_live(engine_, *pod);
      if (!d) return fail_status(d.status());
      return json_reply(200, diff_json(*d));
    }
    return error(404, "no such pods endpoint: " + std::string(path));
  }
  return error(404, "no such podstack endpoint: " + std::string(path));
}

}  // namespace podstack
