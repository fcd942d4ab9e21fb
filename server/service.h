// What a service is: decide (pure: request + const state -> events + output),
// apply (the only mutation, used live and in replay), snapshot/restore.
// Services never touch the store, sockets, files or the clock directly: the
// CallContext carries time, ids and randomness, and decide() records any of
// them it uses in its events so apply() reproduces them exactly.
#pragma once
#include <boost/beast/http/fields.hpp>
#include <boost/json.hpp>
#include <google/protobuf/message_lite.h>
#include <memory>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proto/event.pb.h"
#include "server/protocol/api_error.h"
#include "server/protocol/codec.h"
#include "server/protocol/model.h"
#include "base/digest.h"
#include "base/status.h"
#include "server/blob_store.h"
#include "server/service_mutex.h"

namespace podstack {

namespace json = boost::json;
using protocol::ApiError;

struct CallContext {
  std::string account = "000000000000";
  std::string region = "us-east-1";
  std::string request_id;
  std::string access_key;
  // The session token of temporary credentials podstack's STS issued (empty
  // otherwise): it names the principal (sts:GetCallerIdentity).
  std::string session_token;
  int64_t now_ms = 0;
  // The request's Host header and path: for outputs that name an endpoint
  // (SQS queue URLs) and inputs addressed by path (POST /<account>/<queue>).
  std::string host;
  std::string path;
  double now() const { return static_cast<double>(now_ms) / 1000.0; }
};

// Reads typed members of a decoded input; the protocol layer has already
// checked types and model constraints.
class Input {
 public:
  explicit Input(const json::object& o) : o_(o) {}
  const json::object& raw() const { return o_; }
  bool has(std::string_view k) const {
    auto* v = o_.if_contains(k);
    return v && !v->is_null();
  }
  std::optional<std::string_view> opt_str(std::string_view k) const {
    auto* v = o_.if_contains(k);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->as_string());
  }
  // Required string: AWS's message when absent.
  std::string_view str(std::string_view k) const;
  std::string str_or(std::string_view k, std::string_view def) const {
    auto v = opt_str(k);
    return std::string(v ? *v : def);
  }
  bool flag(std::string_view k, bool def = false) const {
    auto* v = o_.if_contains(k);
    return v && v->is_bool() ? v->as_bool() : def;
  }
  std::optional<int64_t> opt_int(std::string_view k) const {
    auto* v = o_.if_contains(k);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
    return std::nullopt;
  }
  const json::array* array(std::string_view k) const {
    auto* v = o_.if_contains(k);
    return v && v->is_array() ? &v->as_array() : nullptr;
  }
  const json::object* object(std::string_view k) const {
    auto* v = o_.if_contains(k);
    return v && v->is_object() ? &v->as_object() : nullptr;
  }

 private:
  const json::object& o_;
};

// What services take from the configuration. server/config reads the
// environment; services never do.
struct ServiceSettings {
  std::string smtp_host;                           // SMTP_HOST; empty: mail is recorded, not relayed
  std::string sqs_endpoint_strategy = "standard";  // SQS_ENDPOINT_STRATEGY (standard, domain, path, off)
  // LOCALSTACK_HOST ("host[:port]"): the host in URLs podstack makes up (SQS
  // queue URLs of the standard and domain strategies) instead of
  // localhost.localstack.cloud and the request's port. Empty: those.
  std::string localstack_host;
};

// Randomness for decide(): thread-local, fast, never used by apply().
std::string random_chars(size_t n, std::string_view alphabet);
std::string random_uuid();
int64_t wall_clock_ms();

// One resource of a snapshot, for diffs: see Service::list_resources.
struct Resource {
  std::string id;
  std::string digest;
  bool operator==(const Resource&) const = default;
};

// Walks a snapshot of the common state shape (see PartitionWriter):
// fn(account, region, item bytes) for every item, in stored order. Returns
// corruption when the bytes are not of that shape.
Status for_each_item(std::string_view state,
                     const std::function<void(const std::string& account, const std::string& region, std::string_view item)>& fn);
// The name in field 1 (a string) of a serialized item; empty when absent.
std::string item_name(std::string_view item);
std::string resource_digest(std::string_view bytes);
// The default Service::list_resources: one resource per item, sorted by id.
Status list_partition_items(std::string_view state, std::vector<Resource>& out);

// "Nothing to deliver now; ask again when `key` is notified or at
// `wake_at_ms`, until `until_ms`" (SQS long polling). The caller re-runs the
// whole request; no thread blocks.
struct LongPoll {
  std::string key;
  int64_t until_ms = 0;    // the wait ends (wall clock ms)
  int64_t wake_at_ms = 0;  // re-run no later than this (e.g. a message's delay ends), <= until_ms
  uint64_t seen = 0;       // filled by the engine: the key's notification count seen by decide()
};

// A delivery into another podstack service (SNS -> SQS, S3 -> SNS/SQS,
// SES -> SNS): decided by the target under its own lock and committed in the
// same batch as its cause, so replay rebuilds both sides exactly. A service
// delivers only to services whose name sorts after its own (s3 -> ses -> sns
// -> sqs): that is the order the engine locks services in, so no cycles.
struct Delivery {
  std::string service;  // the target, e.g. "sqs"
  std::string kind;     // target-defined, e.g. "message"
  std::string account;  // the target's partition (from its ARN); empty: the cause's
  std::string region;
  json::object input;
};

// An effect outside podstack (an HTTP POST, an SMTP relay), held pending in
// the owning service's state until the outbox worker (server/outbox.h) has
// attempted it after commit. Replay re-arms what is still pending and never
// repeats what an event already records as done.
struct Effect {
  std::string id;       // unique within the service
  std::string account;  // the partition that holds it
  std::string region;
  std::string kind;    // "http" | "smtp"
  std::string target;  // http: the URL; smtp: "host:port"
  std::string body;    // http: the request body; smtp: the RFC 5322 message
  std::vector<std::pair<std::string, std::string>> headers;  // http request headers
  std::string mail_from;                                     // smtp envelope
  std::vector<std::string> rcpt_to;
  uint32_t attempts = 0;    // attempts recorded so far
  int64_t not_before_ms = 0;  // the next attempt is due (wall clock ms)
};

// The outcome of one attempt, handed back to the owning service.
struct EffectAttempt {
  std::string id;
  bool ok = false;
  int status = 0;  // http status, smtp reply code; 0: no answer (connect failed, timeout)
  std::string detail;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
};

// Work that comes due on podstack's clock (a TTL delete, a deletion window
// ending, a lifecycle expiry): where the earliest is. See Service::next_due.
constexpr int64_t kNeverDue = INT64_MAX;
struct DueWork {
  int64_t at_ms = kNeverDue;  // the clock time it is due (ms since the epoch); kNeverDue: none
  std::string account;        // the partition that holds it
  std::string region;
};

class Engine;

// What decide() answers: the output, and the events that make it true.
struct Decision {
  json::value output = json::object();
  // The response, where the operation's model cannot describe it:
  std::optional<json::value> stream;  // a stored body to send (Service::body_source reads it)
  int status = 0;                     // an HTTP status other than the operation's (S3 206, 303)
  std::string raw_xml;                // a document to send as it is (S3 GetBucketLocation)

  // The one way to emit an event: `event` is the service's event message,
  // applied after the events added before it. By value: add(std::move(ev))
  // hands ev over (the live apply then takes it as built, without parsing
  // the bytes again; replay parses them, so both see the same message).
  template <class M>
  void add(M event) {
    events_.push_back(event.SerializeAsString());
    decoded_.resize(events_.size() - 1);
    decoded_.push_back(std::make_unique<M>(std::move(event)));
  }
  bool has_events() const { return !events_.empty(); }
  size_t event_count() const { return events_.size(); }
  // The serialized events, in order (tests, and the engine that logs them).
  const std::vector<std::string>& events() const { return events_; }

  std::vector<std::string> notify;  // long-poll keys to wake once the events are applied
  std::optional<LongPoll> wait;     // only with no events
  // Blob store entries written in the same atomic batch as the events (S3's
  // small bodies: one group commit instead of separate writes).
  std::vector<std::pair<std::string, std::string>> blobs;
  std::vector<Delivery> deliveries;  // into other services, same batch
  bool effects = false;              // pending effects were added: wake the outbox worker

 private:
  friend class Engine;
  std::vector<std::string> events_;
  // decoded_[i], when set, is events_[i] as add() got it.
  std::vector<std::unique_ptr<google::protobuf::MessageLite>> decoded_;
};

// One call of an operation, as a handler sees it.
struct Request {
  std::string_view operation;  // as the service's table names it (SES v2: "v2.SendEmail")
  Input in;                    // the decoded input, checked against the model
  const CallContext& ctx;
  // A request body received as a stream (Service::streamed_body): its
  // describe(). Null when the body was buffered into `in`.
  const json::object* body = nullptr;
};

// A request body consumed as it arrives (S3 objects) instead of buffered
// whole: the HTTP layer feeds it, then the handler gets describe() as
// Request::body.
class StreamedBody {
 public:
  virtual ~StreamedBody() = default;
  virtual std::optional<ApiError> feed(std::string_view bytes) = 0;
  virtual std::optional<ApiError> finish() = 0;
  virtual json::value describe() const = 0;
  // Not committed (rejected, or the commit failed): drop what was stored.
  virtual void discard() = 0;
  // The event that references the body is durable.
  virtual void committed() {}

  // Set by the gateway, which matched the request's operation to decide to
  // stream its body: handling the request reuses the match (a rest-xml
  // match walks the model's operations) instead of matching again.
  const protocol::ServiceModel* matched_model = nullptr;
  const protocol::Operation* matched_operation = nullptr;
  std::vector<std::pair<std::string, std::string>> matched_labels;
};

// A response body produced piece by piece (S3 GetObject).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t length() const = 0;
  // The next piece; empty when done.
  virtual Result<std::string> next() = 0;
};

// An internal endpoint a service serves beside AWS's API (/_aws/ses,
// /_aws/sns/sms-messages): each method maps to one of the service's internal
// operations ("__" names, which AWS routing never reaches), run through the
// engine like any other, so a DELETE that clears state is an event.
//
// The operation's input holds the query parameters, except accountId and
// region, which pick the partition; with a prefix route, the rest of the
// path (URL-decoded) is the member `tail_member`. A GET answers 200 with the
// output as JSON, any other method 204 once its events are durable; an
// error answers {"error": message} with the error's status.
//
// With `aws_response` set, the route answers like that AWS operation of the
// service's model instead (SQS's /_aws/sqs/messages answers a
// ReceiveMessageResponse, as LocalStack's does): the output rendered in the
// model's protocol (query: XML), or, when the client accepts
// application/json, that XML as the JSON LocalStack makes of it (xmltodict);
// errors in the same shape. An AWS client pointed at the route may also
// post its request (a query form, or the JSON protocol's body): its members
// join the input, with "Action" the operation it called (the form's, or the
// X-Amz-Target's), for the handler to refuse what it does not serve.
struct Route {
  std::string path;    // exact, or a prefix when it ends with '/'
  std::vector<std::pair<std::string, std::string>> methods;  // "GET" -> "__ListMessages"
  std::string tail_member;  // prefix routes: the input member for the rest of the path
  std::string aws_response = {};  // e.g. "ReceiveMessage"; empty: the output as plain JSON
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual const protocol::ServiceModel& model() const = 0;
  // A rest-json/rest-xml model served next to a query model() under the same
  // signing name (SES: v2 under /v2/email next to v1's query API): requests
  // with a query Action go to model(), the others to this one. One service,
  // so one lock and one snapshot own the state both APIs change; the
  // operations of this model reach decide() with the model's operation_prefix.
  virtual const protocol::ServiceModel* rest_model() const { return nullptr; }
  virtual bool has_operation(std::string_view op) const = 0;
  // Every operation in its table (AWS's, and its "__" internal ones).
  virtual std::vector<std::string_view> operation_names() const { return {}; }
  // false: a read (shared lock). A read that emits events is a podstack bug:
  // the engine answers it with an internal error and logs nothing.
  virtual bool mutating(std::string_view op) const = 0;
  // Never mutates; returns the error to send, or fills `out`. Errors are
  // values here: nothing a handler throws gets past this call.
  virtual std::optional<ApiError> decide(std::string_view op, const json::object& input, const CallContext& ctx,
                                         Decision& out) const = 0;
  // The same with the streamed body's description (Request::body).
  virtual std::optional<ApiError> decide(std::string_view op, const json::object& input, const json::object* body,
                                         const CallContext& ctx, Decision& out) const {
    return decide(op, input, ctx, out);
  }
  virtual void apply(const proto::Event& event) = 0;
  // The message every payload of this service's events is (its `Event`):
  // the engine parses each payload with it before the event joins a group
  // commit, so an event that would not parse again is never logged. Null
  // for a service that emits no events.
  virtual const google::protobuf::MessageLite* event_prototype() const { return nullptr; }
  // Would apply() parse this payload again? By default: it parses as
  // event_prototype() (false without one). A service whose payloads are not
  // that message (test doubles) says so here.
  virtual bool payload_parses(std::string_view payload) const;
  // apply() with the payload already decoded: `payload` is what decide()
  // added (Decision::add), the message event.payload() holds; apply may
  // consume it. The default parses the bytes like apply().
  virtual void apply_decoded(const proto::Event& event, google::protobuf::MessageLite& payload) { apply(event); }
  // Deterministic bytes (sorted, deterministic proto serialization): the
  // checkpoint content and the input of the state hash. Empty when no state.
  virtual std::string snapshot() const = 0;
  virtual Status restore(std::string_view bytes) = 0;
  // Would restore() accept these bytes? Checked before a pod touches live state.
  virtual Status check_snapshot(std::string_view bytes) const { return Status::ok(); }
  virtual void clear() = 0;
  // false: the service keeps no state (STS, DynamoDB Streams), so the engine
  // takes no lock of its own for it; what it reads of another service it
  // reads through that service's published interface, under that lock.
  virtual bool has_state() const { return true; }
  // One line for `podstack log`.
  virtual std::string summarize(const proto::Event& event) const { return {}; }
  // Parameters, secrets, ...: for `pod inspect`.
  virtual uint64_t resource_count() const { return 0; }

  // ---- bodies kept outside the log ----
  // The engine's blob store, handed over once before the state is loaded,
  // to services that keep bytes outside their events.
  virtual void attach_blobs(BlobStore& blobs) {}
  // After the state is loaded at startup: settle what a crash left half done
  // outside the log (S3: bodies of uploads that never committed).
  virtual void recover() {}
  // A body receiver for `op` when its request body should not be buffered.
  virtual std::unique_ptr<StreamedBody> streamed_body(std::string_view op, const boost::beast::http::fields& headers) const {
    return nullptr;
  }
  // A response body for Decision::stream. `settle` blocks until pending log
  // writes are done: state is applied just before its group commit lands,
  // so a body written with its event may be read a moment before it is in
  // the store.
  virtual std::unique_ptr<BodySource> body_source(const json::value& stream, std::function<void()> settle) const {
    return nullptr;
  }
  // Blob store key prefixes a snapshot of this service references (S3:
  // "s3/<blob>/" per body): pods carry those entries with the state.
  virtual void blob_prefixes(std::string_view snapshot, const std::function<void(const std::string&)>& visit) const {}

  // ---- HTTP hooks: what the gateway asks a service instead of naming it ----
  // The internal endpoints this service serves (see Route).
  virtual std::vector<Route> routes() const { return {}; }
  // Requests that name no service (no SigV4 scope, no X-Amz-Target, no
  // Action) are this service's (S3, as on AWS and LocalStack).
  virtual bool serves_unscoped() const { return false; }
  // The path its rest model matches for a request to `host` (S3's
  // virtual-hosted addressing: "bucket.s3.localhost" + "/key" -> "/bucket/key").
  virtual std::string address(std::string_view host, std::string_view path) const { return std::string(path); }
  // What the service's clients leave to the URL (SQS: a QueueUrl posted to
  // /<account>/<queue>), filled in before the input is decoded.
  virtual void prepare(const protocol::ServiceModel& model, const protocol::Operation& op, protocol::HttpRequest& request) const {}
  // The protocol layer refused the input: the error in this service's words
  // (S3 has no ValidationException; SQS bodies get InvalidMessageContents).
  virtual ApiError input_error(ApiError e) const { return e; }
  // Browser CORS (S3): the internal read operation that evaluates a request
  // with an Origin header. Its input: {Path (addressed), Origin, Method,
  // RequestHeaders, Preflight}; its output: {"headers": {name: value}}.
  // Empty: the service does no CORS.
  virtual std::string_view cors_operation() const { return {}; }

  // Every resource in `snapshot` (bytes from snapshot(), possibly of another
  // instance, e.g. a pod's), for `pod diff` and `pod verify`: a stable id,
  // unique in the service, and a digest that changes when the resource does.
  // The default reads the common state shape (see PartitionWriter) and names
  // each item "account/region/<field 1 of the item>" with the SHA-256 of its
  // bytes as the digest: a service whose items carry their name in field 1
  // (SSM parameters, secrets, queues, tables, buckets) needs no code. Override
  // for nested resources (e.g. S3 objects inside a bucket item), using
  // for_each_item() and resource_digest() below.
  virtual Status list_resources(std::string_view snapshot, std::vector<Resource>& out) const {
    return list_partition_items(snapshot, out);
  }

  // Cross-service delivery (see Delivery): every delivery of one batch for
  // this service, in order. Never fails the cause: what cannot be delivered
  // (a deleted queue) is dropped or dead-lettered here, in `out`'s events.
  virtual void deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& out) const {}
  // The outbox (see Effect): every effect still pending, due or not.
  virtual void pending_effects(std::vector<Effect>& out) const {}
  // Records one attempt as events: done, retry at a later not_before_ms, or
  // given up. Called under the service's exclusive lock like decide().
  virtual void effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const {}

  // ---- work that comes due on podstack's clock ----
  // What happens when the clock passes a time, whether the time passed by
  // itself or by an advance (POST /_podstack/clock): the engine's due-work
  // thread asks next_due(), and when the clock has reached it runs
  // decide_due() for that partition and commits the events like any write.
  // State changes only through those events; reads may still treat an item
  // as gone from its due time on (TTL reads do), so an answer never depends
  // on whether the thread has run yet.
  //
  // The earliest due work of any partition (DueWork{} when none). Called
  // under this service's lock after each write and clock change: keep it
  // O(1) or O(log n), e.g. the first entry of an index ordered by time.
  virtual DueWork next_due() const { return {}; }
  // Decides everything due at ctx.now_ms in ctx's partition (ctx.account,
  // ctx.region), as events in `out`: one batch however many items (100,000
  // expired items are one commit, not 100,000 wake-ups). Under the
  // exclusive lock. It must leave next_due() later than ctx.now_ms for
  // this partition once its events are applied.
  virtual void decide_due(const CallContext& ctx, Decision& out) const {}

  ServiceMutex& mutex() const { return mutex_; }

 private:
  mutable ServiceMutex mutex_;
};

// Parses a service's snapshot bytes into its State message; corruption when
// they do not parse (restore() and check_snapshot() of every service).
template <class State>
Status parse_snapshot(std::string_view bytes, State& st, std::string_view service) {
  if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::corruption(std::string(service) + " state does not parse");
  return Status::ok();
}

// Operation table: "PutParameter" -> read(...) or write(...) of a handler,
// built once per service:
//
//   static const Table& operations() {
//     static const Table t = {
//         {"PutParameter", write(&SsmService::put_parameter)},
//         {"GetParameter", read(&SsmService::get_parameter)},
//     };
//     return t;
//   }
//
// A read runs under the service's shared lock and must emit no events; a
// write runs under its exclusive lock and commits what it adds. An operation
// in the model but not in the table is answered with AWS's
// NotImplemented-style error by the gateway.
template <class Derived>
class ServiceBase : public Service {
 public:
  using Handler = void (Derived::*)(const Request&, Decision&) const;
  struct Op {
    bool mutating;
    Handler handler;
  };
  using Table = std::unordered_map<std::string_view, Op>;
  static constexpr Op read(Handler h) { return Op{false, h}; }
  static constexpr Op write(Handler h) { return Op{true, h}; }

  bool has_operation(std::string_view op) const override { return Derived::operations().count(op) != 0; }
  std::vector<std::string_view> operation_names() const override {
    std::vector<std::string_view> names;
    for (auto& [n, op] : Derived::operations()) names.push_back(n);
    return names;
  }
  bool mutating(std::string_view op) const override {
    auto it = Derived::operations().find(op);
    return it != Derived::operations().end() && it->second.mutating;
  }
  std::optional<ApiError> decide(std::string_view op, const json::object& input, const CallContext& ctx,
                                 Decision& out) const override {
    return decide(op, input, nullptr, ctx, out);
  }
  std::optional<ApiError> decide(std::string_view op, const json::object& input, const json::object* body,
                                 const CallContext& ctx, Decision& out) const override {
    auto it = Derived::operations().find(op);
    if (it == Derived::operations().end()) return ApiError::bad_request("InvalidAction", "Operation " + std::string(op) + " is not supported");
    try {
      Request req{it->first, Input(input), ctx, body};
      (static_cast<const Derived*>(this)->*(it->second.handler))(req, out);
    } catch (ApiError& e) {
      return std::move(e);
    }
    return std::nullopt;
  }
};

// The typed base of a service whose state is a `State` class (its
// <svc>_state.h): name and model, apply dispatch, snapshots, clear and
// counts come from here, so the service class holds only its table and its
// const handlers, and State holds the only code that changes anything.
//
//   class SsmState {
//    public:
//     using Event = ssm::Event;     // the payload of every ssm event
//     using Snapshot = ssm::State;  // what snapshot() bytes parse as
//     void apply(const proto::Event& envelope, Event& ev);  // may consume ev
//     std::string snapshot() const;
//     Status restore(std::string_view bytes);
//     void clear();
//     uint64_t resource_count() const;
//     std::string summarize(const Event& ev) const;  // one line for `podstack log`
//   };
//   class SsmService final : public StatefulService<SsmService, SsmState> {
//    public:
//     static constexpr std::string_view kName = "ssm";  // also its model's name
//     ...
//   };
template <class Derived, class State>
class StatefulService : public ServiceBase<Derived> {
 public:
  using Event = typename State::Event;
  using Snapshot = typename State::Snapshot;

  std::string_view name() const override { return Derived::kName; }
  const protocol::ServiceModel& model() const override {
    static const protocol::ServiceModel* m = protocol::builtin_model(Derived::kName);
    return *m;
  }
  const google::protobuf::MessageLite* event_prototype() const final { return &Event::default_instance(); }
  void apply(const proto::Event& e) final {
    Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error(std::string(Derived::kName) + " event does not parse");
    state_.apply(e, ev);
  }
  void apply_decoded(const proto::Event& e, google::protobuf::MessageLite& payload) final {
    state_.apply(e, static_cast<Event&>(payload));
  }
  std::string snapshot() const final { return state_.snapshot(); }
  Status restore(std::string_view bytes) final { return state_.restore(bytes); }
  Status check_snapshot(std::string_view bytes) const final {
    Snapshot st;
    return parse_snapshot(bytes, st, Derived::kName);
  }
  void clear() final { state_.clear(); }
  uint64_t resource_count() const final { return state_.resource_count(); }
  std::string summarize(const proto::Event& e) const final {
    Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    return state_.summarize(ev);
  }

 protected:
  const State& state() const { return state_; }

 private:
  State state_;
};

// A service that holds no state of its own (STS, DynamoDB Streams): nothing
// to apply, snapshot or restore, and no lock of its own (Service::has_state).
template <class Derived>
class StatelessService : public ServiceBase<Derived> {
 public:
  std::string_view name() const override { return Derived::kName; }
  const protocol::ServiceModel& model() const override {
    static const protocol::ServiceModel* m = protocol::builtin_model(Derived::kName);
    return *m;
  }
  void apply(const proto::Event&) override {}
  std::string snapshot() const override { return {}; }
  Status restore(std::string_view) override { return Status::ok(); }
  void clear() override {}
  bool has_state() const override { return false; }
};

// State partitioned by account and region, iterated in sorted order.
template <class P>
class Partitions {
 public:
  using Key = std::pair<std::string, std::string>;
  const P* find(const CallContext& c) const { return find(c.account, c.region); }
  const P* find(const std::string& account, const std::string& region) const {
    auto it = map_.find(Key(account, region));
    return it == map_.end() ? nullptr : &it->second;
  }
  P& get(const std::string& account, const std::string& region) { return map_[Key(account, region)]; }
  P& get(const proto::Event& e) { return get(e.account(), e.region()); }
  void clear() { map_.clear(); }
  auto begin() const { return map_.begin(); }
  auto end() const { return map_.end(); }
  bool empty() const { return map_.empty(); }
  template <class F>
  uint64_t count(F size_of) const {
    uint64_t n = 0;
    for (auto& [k, p] : map_) n += size_of(p);
    return n;
  }

 private:
  std::map<Key, P> map_;
};

// Deterministic serialization (sorted map keys) for snapshots and hashing.
std::string deterministic_bytes(const google::protobuf::MessageLite& m);

// Appends a length-delimited protobuf field (bytes, string or message) to a
// serialization being assembled by hand.
void put_length_delimited(std::string& out, uint32_t field, std::string_view bytes);

// Merges two snapshots of the common state shape below: partitions of
// `overlay` replace the same (account, region) partitions of `base`.
std::string merge_partitions(std::string_view base, std::string_view overlay);

// Snapshot encoder for the common state shape
//   message State { repeated Partition partitions = 1; }
//   message Partition { string account = 1; string region = 2; repeated Item items = 3; }
// written straight from live maps, without copying the items: checkpoints
// hold the services' locks only for the time it takes to serialize.
class PartitionWriter {
 public:
  void begin(const std::string& account, const std::string& region);
  void item(const google::protobuf::MessageLite& m);
  // An item given as its deterministic serialization (one assembled from
  // parts, so that they need not be copied into one message first).
  void item_bytes(std::string_view bytes);
  // Partition-level state that is not a resource (field > 3, after the
  // items): kept in the partition, never listed by list_resources().
  void field(uint32_t field, const google::protobuf::MessageLite& m);
  // The State bytes; empty when no partition had items or fields.
  std::string finish();

 private:
  void flush_partition();
  std::string out_, part_;
  bool open_ = false, any_items_ = false;
};

}  // namespace podstack
