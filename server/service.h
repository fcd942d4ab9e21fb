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
#include "server/protocol/model.h"
#include "server/service_mutex.h"
#include "store/digest.h"
#include "store/status.h"

namespace podstack {

namespace json = boost::json;
using protocol::ApiError;

struct CallContext {
  std::string account = "000000000000";
  std::string region = "us-east-1";
  std::string request_id;
  std::string access_key;
  int64_t now_ms = 0;
  // The request's Host header and path: for outputs that name an endpoint
  // (SQS queue URLs) and inputs addressed by path (POST /<account>/<queue>).
  std::string host;
  std::string path;
  double now() const { return static_cast<double>(now_ms) / 1000.0; }
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

struct Decision {
  json::value output = json::object();
  std::vector<std::string> events;  // the service's serialized event messages, applied in order
  // decoded[i], when set, is events[i] as decide() built it (add()): the live
  // apply takes it (Service::apply_decoded) instead of parsing events[i]
  // again. Replay parses the bytes, so both paths see the same message.
  std::vector<std::unique_ptr<google::protobuf::MessageLite>> decoded;
  // By value: add(std::move(ev)) hands ev over, add(ev) copies it.
  template <class M>
  void add(M event) {
    events.push_back(event.SerializeAsString());
    decoded.resize(events.size() - 1);
    decoded.push_back(std::make_unique<M>(std::move(event)));
  }
  std::vector<std::string> notify;  // long-poll keys to wake once the events are applied
  std::optional<LongPoll> wait;     // only with no events
  // Blob store entries written in the same atomic batch as the events (S3's
  // small bodies: one group commit instead of separate writes).
  std::vector<std::pair<std::string, std::string>> blobs;
  std::vector<Delivery> deliveries;  // into other services, same batch
  bool effects = false;              // pending effects were added: wake the outbox worker
};

// A request body consumed as it arrives (S3 objects) instead of buffered
// whole: the HTTP layer feeds it, then the operation's input gets
// describe() as member "__body".
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

class EventStore;

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
  // false: a read (shared lock, must emit no events).
  virtual bool mutating(std::string_view op) const = 0;
  // Never mutates; returns the error to send, or fills `out`.
  virtual std::optional<ApiError> decide(std::string_view op, const json::object& input, const CallContext& ctx,
                                         Decision& out) const = 0;
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
  // One line for `podstack log`.
  virtual std::string summarize(const proto::Event& event) const { return {}; }
  // Parameters, secrets, ...: for `pod inspect`.
  virtual uint64_t resource_count() const { return 0; }
  // Streaming: a body receiver for `op` when its body should not be buffered;
  // a source for an output that names a stored body (member "__stream").
  virtual std::unique_ptr<StreamedBody> streamed_body(std::string_view op, const boost::beast::http::fields& headers,
                                                      EventStore& store) const {
    return nullptr;
  }
  // `settle` blocks until pending log writes are done: state is applied just
  // before its group commit lands, so a body written with its event may be
  // read a moment before it is in the store.
  virtual std::unique_ptr<BodySource> body_source(const json::value& stream, EventStore& store,
                                                  std::function<void()> settle) const {
    return nullptr;
  }
  // Blob store key prefixes a snapshot of this service references (S3:
  // "s3/<blob>/" per body): pods carry those entries with the state.
  virtual void blob_prefixes(std::string_view snapshot, const std::function<void(const std::string&)>& visit) const {}
  // The store, for services that read stored bodies in decide() (S3's
  // UploadPartCopy hashes a byte range of an immutable blob).
  virtual void attach_store(EventStore* store) {}
  // After the state is loaded at startup: settle what a crash left half done
  // outside the log (S3: bodies of uploads that never committed).
  virtual void recover(EventStore& store) {}
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
  // (a deleted queue) is dropped or dead-lettered here, in `out.events`.
  virtual void deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& out) const {}
  // The outbox (see Effect): every effect still pending, due or not.
  virtual void pending_effects(std::vector<Effect>& out) const {}
  // Records one attempt as events: done, retry at a later not_before_ms, or
  // given up. Called under the service's exclusive lock like decide().
  virtual void effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const {}

  ServiceMutex& mutex() const { return mutex_; }

 private:
  mutable ServiceMutex mutex_;
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

// Operation table: "PutParameter" -> {mutating, handler}, built once per
// service. An operation in the model but not in the table is answered with
// AWS's NotImplemented-style error by the gateway.
template <class Derived>
class ServiceBase : public Service {
 public:
  using Handler = void (Derived::*)(const Input&, const CallContext&, Decision&) const;
  struct Op {
    bool mutating;
    Handler handler;
  };
  using Table = std::unordered_map<std::string_view, Op>;

  bool has_operation(std::string_view op) const override { return Derived::operations().count(op) != 0; }
  bool mutating(std::string_view op) const override {
    auto it = Derived::operations().find(op);
    return it != Derived::operations().end() && it->second.mutating;
  }
  std::optional<ApiError> decide(std::string_view op, const json::object& input, const CallContext& ctx,
                                 Decision& out) const override {
    auto it = Derived::operations().find(op);
    if (it == Derived::operations().end()) return ApiError::bad_request("InvalidAction", "Operation " + std::string(op) + " is not supported");
    try {
      (static_cast<const Derived*>(this)->*(it->second.handler))(Input(input), ctx, out);
    } catch (ApiError& e) {
      return std::move(e);
    }
    return std::nullopt;
  }
};

// A service that holds no state of its own (STS, DynamoDB Streams): nothing
// to apply, snapshot or restore.
template <class Derived>
class StatelessService : public ServiceBase<Derived> {
 public:
  void apply(const proto::Event&) override {}
  std::string snapshot() const override { return {}; }
  Status restore(std::string_view) override { return Status::ok(); }
  void clear() override {}
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

// Parses a service's snapshot bytes into its State message; corruption when
// they do not parse (restore() and check_snapshot() of every service).
template <class State>
Status parse_snapshot(std::string_view bytes, State& st, std::string_view service) {
  if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::corruption(std::string(service) + " state does not parse");
  return Status::ok();
}

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
