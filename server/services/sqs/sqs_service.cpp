// SQS: standard and FIFO queues, in the query and the JSON protocol (one
// awsQueryCompatible model; errors are thrown with their query codes and the
// JSON codec maps them to the error shape names).
//
// State: per (account, region), queues by name, each with its messages in
// enqueue order. Nothing here reads a clock: decide() evaluates visibility,
// delays and retention against the request's time, and every receive is an
// event recording the receipt handle and the visibility deadline it chose.
// apply() prunes expired messages and dedup entries using the event's time.
// AWS reference: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
#include "server/services/sqs/sqs_service.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <boost/unordered/unordered_flat_map.hpp>

#include "proto/sqs.pb.h"
#include "server/protocol/encoding.h"
#include "server/services/pagination.h"
#include "server/services/sqs/sqs_http.h"
#include "server/services/sqs/sqs_md5.h"

namespace podstack {
namespace {

constexpr int64_t kMaxBatch = 10;
constexpr int64_t kMaxMessageSize = 262144;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr int64_t kMaxVisibility = 43200;
constexpr size_t kMaxTags = 50;
constexpr size_t kMaxMessageAttributes = 10;

// Settable attributes and their defaults (empty: no default, shown only when set).
struct AttrSpec {
  std::string_view name;
  std::string_view def;
  int64_t min = 0, max = 0;  // integer range when max > 0
  bool fifo_only = false;
};
constexpr AttrSpec kAttrs[] = {
    {"DelaySeconds", "0", 0, 900},
    {"MaximumMessageSize", "262144", 1024, 262144},
    {"MessageRetentionPeriod", "345600", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", "0", 0, 20},
    {"VisibilityTimeout", "30", 0, 43200},
    {"Policy", ""},
    {"RedrivePolicy", ""},
    {"RedriveAllowPolicy", ""},
    {"KmsMasterKeyId", ""},
    {"KmsDataKeyReusePeriodSeconds", "300", 60, 86400},
    {"SqsManagedSseEnabled", "true"},
    {"FifoQueue", "", 0, 0, true},
    {"ContentBasedDeduplication", "false", 0, 0, true},
    {"DeduplicationScope", "queue", 0, 0, true},
    {"FifoThroughputLimit", "perQueue", 0, 0, true},
};
const AttrSpec* attr_spec(std::string_view n) {
  for (auto& a : kAttrs)
    if (a.name == n) return &a;
  return nullptr;
}
constexpr std::string_view kReadOnlyAttrs[] = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                               "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
                                               "LastModifiedTimestamp", "QueueArn"};
constexpr std::string_view kMessageAttrs[] = {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                                              "ApproximateFirstReceiveTimestamp", "SequenceNumber",
                                              "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
                                              "DeadLetterQueueSourceArn"};

ApiError no_queue() {
  return ApiError::bad_request("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
}
ApiError invalid_param(std::string msg) { return ApiError::bad_request("InvalidParameterValue", std::move(msg)); }
ApiError invalid_attr_value(std::string_view name) {
  return ApiError::bad_request("InvalidAttributeValue", "Invalid value for the parameter " + std::string(name) + ".");
}
ApiError invalid_handle(std::string_view h) {
  return ApiError::bad_request("ReceiptHandleIsInvalid", "The input receipt handle \"" + std::string(h) + "\" is not a valid receipt handle.");
}

bool is_true(std::string_view v) { return v == "true" || v == "True" || v == "TRUE"; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// XML 1.0 characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool valid_chars(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) cp = c, n = 1;
    else if ((c >> 5) == 6) cp = c & 0x1f, n = 2;
    else if ((c >> 4) == 14) cp = c & 0x0f, n = 3;
    else if ((c >> 3) == 30) cp = c & 0x07, n = 4;
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    i += n;
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
              (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return false;
  }
  return true;
}

bool valid_queue_name(std::string_view name) {
  std::string_view base = name;
  if (base.size() > 5 && base.substr(base.size() - 5) == ".fifo") base.remove_suffix(5);
  if (name.empty() || name.size() > 80) return false;
  for (char c : base)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

bool valid_batch_id(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::string arn_of(const std::string& region, const std::string& account, std::string_view name) {
  return "arn:aws:sqs:" + region + ":" + account + ":" + std::string(name);
}

// "arn:aws:sqs:us-east-1:000000000000:name" -> name (empty when not an SQS ARN).
std::string name_from_arn(std::string_view arn) {
  if (arn.rfind("arn:", 0) != 0) return {};
  size_t colons = 0, p = 0;
  for (; p < arn.size() && colons < 5; ++p)
    if (arn[p] == ':') ++colons;
  if (colons < 5 || arn.find(":sqs:") == std::string_view::npos) return {};
  return std::string(arn.substr(p));
}

// A queue URL in any of the shapes LocalStack and AWS hand out:
//   http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/name
//   http://localhost:4566/000000000000/name, http://localhost:4566/queue/us-east-1/000000000000/name
// -> the queue name (the last path segment).
std::string name_from_url(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    url = url.substr(scheme + 3);
    size_t slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  size_t last = url.rfind('/');
  if (last == std::string_view::npos) return std::string(url);
  return std::string(url.substr(last + 1));
}

// LocalStack's SQS_ENDPOINT_STRATEGY: standard (default), domain, path, off.
// https://docs.localstack.cloud/user-guide/aws/sqs/#queue-urls
std::string endpoint_strategy(std::string_view setting) {
  std::string v = setting.empty() ? "standard" : lower(setting);
  if (v == "dynamic") v = "standard";  // LocalStack's older name for the same URLs
  return v;
}

struct QueueState {
  sqs::Queue meta;                                  // without messages and dedup (those below)
  std::map<uint64_t, sqs::Message> messages;        // by seq
  // message id -> seq. The keys view the message_id of the message in
  // `messages` (map nodes never move), so an id is stored once; a flat table
  // because this index is touched by every send, receive and delete.
  boost::unordered_flat_map<std::string_view, uint64_t, std::hash<std::string_view>> by_id;
  std::map<std::string, sqs::Dedup> dedup;          // by dedup id
  std::deque<std::pair<int64_t, std::string>> dedup_expiry;  // (expires, id) in insertion = expiry order
  std::unordered_map<std::string, uint32_t> groups;  // messages per non-empty group id (derived: lets a FIFO scan stop early)
  // Derived from meta's attributes by refresh(): read for every message.
  bool is_fifo = false;
  int64_t retention = 0;  // ms

  QueueState() = default;
  QueueState(QueueState&&) = default;
  QueueState& operator=(QueueState&&) = default;
  QueueState(const QueueState&) = delete;  // by_id would view the other copy's ids
  QueueState& operator=(const QueueState&) = delete;

  // The only ways messages enter and leave, so by_id and groups stay exact.
  void put(sqs::Message m) {
    uint64_t seq = m.seq();
    // Seqs grow per queue, so the hint is exact for every new message.
    auto it = messages.emplace_hint(messages.end(), seq, std::move(m));
    by_id[it->second.message_id()] = seq;
    if (!it->second.group_id().empty()) ++groups[it->second.group_id()];
  }
  std::optional<sqs::Message> take(std::string_view id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return std::nullopt;
    auto mit = messages.find(it->second);
    by_id.erase(it);
    sqs::Message m = std::move(mit->second);
    messages.erase(mit);
    if (auto g = groups.find(m.group_id()); g != groups.end() && --g->second == 0) groups.erase(g);
    return m;
  }
  void clear_messages() {
    by_id.clear();
    messages.clear();
    groups.clear();
  }
  // After meta's attributes change.
  void refresh() {
    is_fifo = is_true(attr("FifoQueue"));
    retention = attr_int("MessageRetentionPeriod") * 1000;
  }

  std::string attr(std::string_view n) const {
    auto it = meta.attributes().find(std::string(n));
    if (it != meta.attributes().end()) return it->second;
    const AttrSpec* s = attr_spec(n);
    return s ? std::string(s->def) : std::string();
  }
  int64_t attr_int(std::string_view n) const { return std::strtoll(attr(n).c_str(), nullptr, 10); }
  bool fifo() const { return is_fifo; }
  int64_t retention_ms() const { return retention; }
  bool expired(const sqs::Message& m, int64_t now) const { return m.sent_ms() + retention_ms() <= now; }
  const sqs::Message* find(std::string_view id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : &messages.at(it->second);
  }
};

struct Partition {
  std::map<std::string, QueueState, std::less<>> queues;
};

struct Redrive {
  std::string dlq;  // queue name
  int64_t max_receive_count = 0;
};

std::optional<Redrive> parse_redrive(const std::string& text) {
  if (text.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  Redrive r;
  auto* arn = v.as_object().if_contains("deadLetterTargetArn");
  auto* max = v.as_object().if_contains("maxReceiveCount");
  if (!arn || !arn->is_string() || !max) return std::nullopt;
  r.dlq = name_from_arn(arn->as_string());
  if (max->is_string()) r.max_receive_count = std::strtoll(std::string(max->as_string()).c_str(), nullptr, 10);
  else if (max->is_int64()) r.max_receive_count = max->as_int64();
  else if (max->is_uint64()) r.max_receive_count = static_cast<int64_t>(max->as_uint64());
  if (r.dlq.empty() || r.max_receive_count < 1) return std::nullopt;
  return r;
}

// Receipt handle: base64("<queue>\n<message id>\n<random>"), so a handle names
// its message without an index and a forged one is recognised.
std::string make_handle(std::string_view queue, std::string_view id) {
  return protocol::base64_encode(std::string(queue) + "\n" + std::string(id) + "\n" +
                                 random_chars(24, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));
}
struct Handle {
  std::string queue, message_id;
};
std::optional<Handle> parse_handle(std::string_view h) {
  auto raw = protocol::base64_decode(h);
  if (!raw) return std::nullopt;
  size_t a = raw->find('\n');
  if (a == std::string::npos) return std::nullopt;
  size_t b = raw->find('\n', a + 1);
  if (b == std::string::npos) return std::nullopt;
  return Handle{raw->substr(0, a), raw->substr(a + 1, b - a - 1)};
}

std::string sequence_number(uint64_t seq) {
  std::string s = std::to_string(seq);
  return std::string(s.size() < 20 ? 20 - s.size() : 0, '0') + s;
}

std::string notify_key(const CallContext& ctx, std::string_view queue) {
  return "sqs/" + ctx.account + "/" + ctx.region + "/" + std::string(queue);
}

int64_t int_attr_value(std::string_view name, const std::string& v, const AttrSpec& spec) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) throw invalid_attr_value(name);
  int64_t n = std::strtoll(v.c_str(), nullptr, 10);
  if (n < spec.min || n > spec.max) throw invalid_attr_value(name);
  return n;
}

class SqsService final : public ServiceBase<SqsService> {
 public:
  explicit SqsService(const ServiceSettings& settings) : strategy_(endpoint_strategy(settings.sqs_endpoint_strategy)) {}
  std::string_view name() const override { return "sqs"; }
  // ---- HTTP hooks (see Service) ----
  void prepare(const protocol::ServiceModel& model, const protocol::Operation& op, protocol::HttpRequest& request) const override {
    sqs::queue_url_from_path(model, op, request);
  }
  ApiError input_error(ApiError e) const override { return sqs::input_error(std::move(e)); }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("sqs"); }

  static const Table& operations() {
    static const Table t = {
        {"CreateQueue", {true, &SqsService::create_queue}},
        {"GetQueueUrl", {false, &SqsService::get_queue_url}},
        {"ListQueues", {false, &SqsService::list_queues}},
        {"DeleteQueue", {true, &SqsService::delete_queue}},
        {"GetQueueAttributes", {false, &SqsService::get_queue_attributes}},
        {"SetQueueAttributes", {true, &SqsService::set_queue_attributes}},
        {"PurgeQueue", {true, &SqsService::purge_queue}},
        {"TagQueue", {true, &SqsService::tag_queue}},
        {"UntagQueue", {true, &SqsService::untag_queue}},
        {"ListQueueTags", {false, &SqsService::list_queue_tags}},
        {"ListDeadLetterSourceQueues", {false, &SqsService::list_dead_letter_source_queues}},
        {"SendMessage", {true, &SqsService::send_message}},
        {"SendMessageBatch", {true, &SqsService::send_message_batch}},
        {"ReceiveMessage", {true, &SqsService::receive_message}},
        {"DeleteMessage", {true, &SqsService::delete_message}},
        {"DeleteMessageBatch", {true, &SqsService::delete_message_batch}},
        {"ChangeMessageVisibility", {true, &SqsService::change_visibility}},
        {"ChangeMessageVisibilityBatch", {true, &SqsService::change_visibility_batch}},
        {"StartMessageMoveTask", {true, &SqsService::start_move_task}},
        {"ListMessageMoveTasks", {false, &SqsService::list_move_tasks}},
        {"CancelMessageMoveTask", {true, &SqsService::cancel_move_task}},
    };
    return t;
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &sqs::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    sqs::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("sqs event does not parse");
    apply_event(e, ev);
  }
  void apply_decoded(const proto::Event& e, google::protobuf::MessageLite& payload) override {
    apply_event(e, static_cast<sqs::Event&>(payload));
  }
  // Consumes ev's messages.
  void apply_event(const proto::Event& e, sqs::Event& ev) {
    Partition& part = parts_.get(e);
    const int64_t now = e.time_ms();
    auto queue = [&](const std::string& n) -> QueueState* {
      auto it = part.queues.find(n);
      if (it == part.queues.end()) return nullptr;
      prune(it->second, now);
      return &it->second;
    };
    switch (ev.kind_case()) {
      case sqs::Event::kCreated: {
        QueueState& q = part.queues[ev.created().queue().name()];
        q = QueueState{};
        q.meta = ev.created().queue();
        q.meta.clear_messages();
        q.meta.clear_dedup();
        q.refresh();
        break;
      }
      case sqs::Event::kDeleted:
        part.queues.erase(ev.deleted().name());
        break;
      case sqs::Event::kAttributesSet:
        if (QueueState* q = queue(ev.attributes_set().name())) {
          for (auto& [k, v] : ev.attributes_set().attributes()) {
            if (v.empty() && (k == "RedrivePolicy" || k == "Policy" || k == "RedriveAllowPolicy" || k == "KmsMasterKeyId"))
              q->meta.mutable_attributes()->erase(k);
            else
              (*q->meta.mutable_attributes())[k] = v;
          }
          q->meta.set_modified_ms(now);
          q->refresh();
        }
        break;
      case sqs::Event::kTags:
        if (QueueState* q = queue(ev.tags().name())) {
          for (auto& [k, v] : ev.tags().set()) (*q->meta.mutable_tags())[k] = v;
          for (auto& k : ev.tags().removed()) q->meta.mutable_tags()->erase(k);
        }
        break;
      case sqs::Event::kPurged:
        if (QueueState* q = queue(ev.purged().name())) {
          q->clear_messages();
          q->meta.set_purged_ms(now);
        }
        break;
      case sqs::Event::kSent:
        if (QueueState* q = queue(ev.sent().queue()))
          for (auto& m : *ev.mutable_sent()->mutable_messages()) enqueue(*q, std::move(m), now);
        break;
      case sqs::Event::kReceived: {
        QueueState* q = queue(ev.received().queue());
        if (!q) break;
        for (auto& r : ev.received().received()) {
          auto it = q->by_id.find(r.message_id());
          if (it == q->by_id.end()) continue;
          sqs::Message& m = q->messages.at(it->second);
          m.set_receive_count(m.receive_count() + 1);
          if (!m.first_receive_ms()) m.set_first_receive_ms(now);
          m.set_receipt_handle(r.receipt_handle());
          m.set_visible_at_ms(r.visible_at_ms());
        }
        for (auto& mv : ev.received().moved()) {
          auto m = q->take(mv.message_id());
          if (!m) continue;
          if (QueueState* dlq = queue(mv.dlq())) {
            m->set_dead_letter_source_arn(arn_of(e.region(), e.account(), ev.received().queue()));
            move_in(*dlq, std::move(*m), now);
          }
        }
        break;
      }
      case sqs::Event::kMessagesDeleted:
        if (QueueState* q = queue(ev.messages_deleted().queue()))
          for (auto& id : ev.messages_deleted().message_ids()) q->take(id);
        break;
      case sqs::Event::kVisibility:
        if (QueueState* q = queue(ev.visibility().queue()))
          for (auto& c : ev.visibility().changes()) {
            auto it = q->by_id.find(c.message_id());
            if (it != q->by_id.end()) q->messages.at(it->second).set_visible_at_ms(c.visible_at_ms());
          }
        break;
      case sqs::Event::kMoveTask: {
        const auto& run = ev.move_task();
        QueueState* src = queue(run.source());
        if (!src) break;
        for (auto& mv : run.moves()) {
          auto m = src->take(mv.message_id());
          if (!m) continue;
          if (QueueState* dst = queue(mv.destination())) {
            m->clear_dead_letter_source_arn();
            move_in(*dst, std::move(*m), now);
          }
        }
        *src->meta.add_move_tasks() = run.task();
        if (src->meta.move_tasks_size() > 10) src->meta.mutable_move_tasks()->DeleteSubrange(0, 1);
        break;
      }
      case sqs::Event::kMoveTaskCancelled:
        if (QueueState* q = queue(ev.move_task_cancelled().source()))
          for (auto& t : *q->meta.mutable_move_tasks())
            if (t.task_handle() == ev.move_task_cancelled().task_handle()) t.set_status("CANCELLED");
        break;
      case sqs::Event::KIND_NOT_SET:
        throw std::runtime_error("empty sqs event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;  // encodes sqs::State
    for (auto& [key, part] : parts_) {
      w.begin(key.first, key.second);
      for (auto& [n, q] : part.queues) {
        sqs::Queue full = q.meta;
        full.mutable_messages()->Reserve(static_cast<int>(q.messages.size()));
        for (auto& [seq, m] : q.messages) *full.add_messages() = m;
        for (auto& [id, dd] : q.dedup) *full.add_dedup() = dd;
        w.item(full);
      }
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    sqs::State st;
    if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Status::corruption("sqs state does not parse");
    parts_.clear();
    for (auto& p : st.partitions()) {
      Partition& part = parts_.get(p.account(), p.region());
      for (auto& full : p.queues()) {
        QueueState& q = part.queues[full.name()];
        q.meta = full;
        q.meta.clear_messages();
        q.meta.clear_dedup();
        q.refresh();
        for (auto& m : full.messages()) q.put(m);
        for (auto& dd : full.dedup()) {
          q.dedup[dd.dedup_id()] = dd;
          q.dedup_expiry.emplace_back(dd.expires_ms(), dd.dedup_id());
        }
        std::sort(q.dedup_expiry.begin(), q.dedup_expiry.end());
      }
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    sqs::State st;
    return parse_snapshot(bytes, st, "sqs");
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) { return p.queues.size(); });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    sqs::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    switch (ev.kind_case()) {
      case sqs::Event::kCreated: return "queue=" + ev.created().queue().name();
      case sqs::Event::kDeleted: return "queue=" + ev.deleted().name();
      case sqs::Event::kAttributesSet: return "queue=" + ev.attributes_set().name();
      case sqs::Event::kTags: return "queue=" + ev.tags().name();
      case sqs::Event::kPurged: return "queue=" + ev.purged().name();
      case sqs::Event::kSent: return "queue=" + ev.sent().queue() + " sent=" + std::to_string(ev.sent().messages_size());
      case sqs::Event::kReceived:
        return "queue=" + ev.received().queue() + " received=" + std::to_string(ev.received().received_size()) +
               (ev.received().moved_size() ? " to-dlq=" + std::to_string(ev.received().moved_size()) : "");
      case sqs::Event::kMessagesDeleted:
        return "queue=" + ev.messages_deleted().queue() + " deleted=" + std::to_string(ev.messages_deleted().message_ids_size());
      case sqs::Event::kVisibility: return "queue=" + ev.visibility().queue() + " changed=" + std::to_string(ev.visibility().changes_size());
      case sqs::Event::kMoveTask: return "queue=" + ev.move_task().source() + " moved=" + std::to_string(ev.move_task().moves_size());
      case sqs::Event::kMoveTaskCancelled: return "queue=" + ev.move_task_cancelled().source();
      default: return {};
    }
  }

  // Messages from other services (SNS subscriptions, S3 event
  // notifications): Delivery kind "message" with input
  //   QueueArn, MessageBody, MessageAttributes? ({name: {DataType,
  //   StringValue | BinaryValue (base64)}}), MessageGroupId?,
  //   MessageDeduplicationId?, DeadLetterQueueArn?
  // validated as SendMessage would be. A message the queue rejects (or a
  // queue that does not exist) goes to DeadLetterQueueArn when that names a
  // queue here, else it is dropped, as AWS drops what it cannot deliver.
  // One Sent event per queue, sequence numbers assigned as a batch's are.
  void deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& d) const override {
    struct Pending {
      sqs::Event ev;
      uint64_t next = 0;
      std::set<std::string> dedup;
    };
    std::map<std::string, Pending> out;
    std::vector<std::string> order;
    for (const Delivery& dl : in) {
      if (dl.kind != "message") continue;
      json::object msg = dl.input;
      if (auto* attrs = msg.if_contains("MessageAttributes"); attrs && attrs->is_object()) {
        for (auto& kv : attrs->as_object()) {
          if (!kv.value().is_object()) continue;
          auto& a = kv.value().as_object();
          if (auto* b = a.if_contains("BinaryValue"); b && b->is_string()) {
            auto raw = protocol::base64_decode(b->as_string());
            *b = json::string(raw ? *raw : std::string());
          }
        }
      }
      Input input(msg);
      for (std::string arn : {input.str_or("QueueArn", ""), input.str_or("DeadLetterQueueArn", "")}) {
        if (arn.empty() || arn.find(":" + ctx.region + ":" + ctx.account + ":") == std::string::npos) continue;
        const QueueState* q = find(ctx, name_from_arn(arn));
        if (!q) continue;
        auto [it, fresh] = out.try_emplace(q->meta.name());
        Pending& p = it->second;
        if (fresh) {
          p.ev.mutable_sent()->set_queue(q->meta.name());
          p.next = q->meta.next_seq();
          order.push_back(q->meta.name());
        }
        try {
          const sqs::Dedup* dup = nullptr;
          sqs::Message m = build_message(*q, input, ctx, &dup, &p.dedup);
          if (!dup) {
            m.set_seq(++p.next);
            *p.ev.mutable_sent()->add_messages() = std::move(m);
          }
          break;  // delivered (or deduplicated)
        } catch (const ApiError&) {
          // Rejected by this queue: try the dead-letter queue, if any.
        }
      }
    }
    for (auto& name : order) {
      Pending& p = out[name];
      if (!p.ev.sent().messages_size()) continue;
      d.add(p.ev);
      d.notify.push_back(notify_key(ctx, name));
    }
  }

 private:
  // ---- apply helpers ----
  // Drops expired messages from the head of the queue and expired dedup
  // entries: O(what expired), so every event stays cheap on a long queue. A
  // message behind a younger one (moved into a DLQ keeps its sent time) goes
  // when it reaches the head; decide() already treats it as gone.
  static void prune(QueueState& q, int64_t now) {
    int64_t keep = q.retention_ms();
    while (!q.messages.empty() && q.messages.begin()->second.sent_ms() + keep <= now) {
      q.take(q.messages.begin()->second.message_id());
    }
    while (!q.dedup_expiry.empty() && q.dedup_expiry.front().first <= now) {
      auto it = q.dedup.find(q.dedup_expiry.front().second);
      if (it != q.dedup.end() && it->second.expires_ms() <= now) q.dedup.erase(it);
      q.dedup_expiry.pop_front();
    }
  }
  static void enqueue(QueueState& q, sqs::Message&& in, int64_t now) {
    uint64_t seq = q.meta.next_seq() + 1;
    q.meta.set_next_seq(seq);
    sqs::Message m = std::move(in);
    m.set_seq(seq);
    if (q.fifo()) {
      m.set_sequence_number(sequence_number(seq));
      if (!m.dedup_id().empty()) {
        sqs::Dedup& dd = q.dedup[dedup_key(q, m.group_id(), m.dedup_id())];
        dd.set_dedup_id(dedup_key(q, m.group_id(), m.dedup_id()));
        dd.set_message_id(m.message_id());
        dd.set_sequence_number(m.sequence_number());
        dd.set_expires_ms(now + kDedupWindowMs);
        q.dedup_expiry.emplace_back(dd.expires_ms(), dd.dedup_id());
      }
    }
    q.put(std::move(m));
  }
  static void move_in(QueueState& q, sqs::Message m, int64_t now) {
    uint64_t seq = q.meta.next_seq() + 1;
    q.meta.set_next_seq(seq);
    m.set_seq(seq);
    m.set_visible_at_ms(now);
    m.set_receive_count(0);
    m.set_first_receive_ms(0);
    m.clear_receipt_handle();
    if (q.fifo()) m.set_sequence_number(sequence_number(seq));
    q.put(std::move(m));
  }
  static std::string dedup_key(const QueueState& q, const std::string& group, const std::string& id) {
    return q.attr("DeduplicationScope") == "messageGroup" ? group + "\n" + id : id;
  }

  // ---- decide helpers ----
  const Partition* part(const CallContext& ctx) const { return parts_.find(ctx); }

  const QueueState* find(const CallContext& ctx, std::string_view name) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->queues.find(name);
    return it == p->queues.end() ? nullptr : &it->second;
  }
  const QueueState& queue_of(const Input& in, const CallContext& ctx) const {
    std::string name = name_from_url(in.str("QueueUrl"));
    const QueueState* q = find(ctx, name);
    if (!q) throw no_queue();
    return *q;
  }

  std::string url_of(const CallContext& ctx, std::string_view name) const {
    std::string host = ctx.host.empty() ? "localhost:4566" : ctx.host;
    std::string port = "4566";
    if (auto c = host.rfind(':'); c != std::string::npos && host.find(']') == std::string::npos) port = host.substr(c + 1);
    std::string tail = "/" + ctx.account + "/" + std::string(name);
    if (strategy_ == "off") return "http://" + host + tail;
    if (strategy_ == "path") return "http://" + host + "/queue/" + ctx.region + tail;
    if (strategy_ == "domain") return "http://" + ctx.region + ".queue.localhost.localstack.cloud:" + port + tail;
    return "http://sqs." + ctx.region + ".localhost.localstack.cloud:" + port + tail;
  }

  static std::string event_bytes(const sqs::Event& e) { return e.SerializeAsString(); }

  // Validates queue attributes for create (all given) or set; returns them normalised.
  std::map<std::string, std::string> check_attributes(const CallContext& ctx, const json::object* attrs, bool fifo,
                                                      bool creating) const {
    std::map<std::string, std::string> out;
    if (!attrs) return out;
    for (auto& kv : *attrs) {
      std::string n(kv.key());
      std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : json::serialize(kv.value());
      const AttrSpec* spec = attr_spec(n);
      if (!spec) {
        if (std::find(std::begin(kReadOnlyAttrs), std::end(kReadOnlyAttrs), n) != std::end(kReadOnlyAttrs))
          throw ApiError::bad_request("InvalidAttributeName", "Unknown Attribute " + n + ".");
        throw ApiError::bad_request("InvalidAttributeName", "Unknown Attribute " + n + ".");
      }
      if (spec->fifo_only && !fifo) {
        if (n == "FifoQueue" && !is_true(v) && creating) continue;  // FifoQueue=false on a standard queue is allowed
        throw ApiError::bad_request("InvalidAttributeName", "Unknown Attribute " + n + ".");
      }
      if (spec->max > 0) {
        v = std::to_string(int_attr_value(n, v, *spec));
      } else if (n == "FifoQueue") {
        if (!creating) throw invalid_attr_value(n);
        if (!is_true(v)) throw invalid_attr_value(n);
        v = "true";
      } else if (n == "ContentBasedDeduplication" || n == "SqsManagedSseEnabled") {
        if (v != "true" && v != "false") throw invalid_attr_value(n);
      } else if (n == "DeduplicationScope") {
        if (v != "queue" && v != "messageGroup") throw invalid_attr_value(n);
      } else if (n == "FifoThroughputLimit") {
        if (v != "perQueue" && v != "perMessageGroupId") throw invalid_attr_value(n);
      } else if (n == "RedrivePolicy" && !v.empty()) {
        auto r = parse_redrive(v);
        if (!r)
          throw invalid_param("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or is missing deadLetterTargetArn or maxReceiveCount.");
        if (r->max_receive_count > 1000)
          throw invalid_param("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: " +
                              std::to_string(r->max_receive_count) + ", valid values are from 1 to 1000 both inclusive.");
        const QueueState* dlq = find(ctx, r->dlq);
        if (!dlq)
          throw ApiError::bad_request("AWS.SimpleQueueService.NonExistentQueue",
                                      "Value " + v + " for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.");
        if (dlq->fifo() != fifo)
          throw invalid_param("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.");
      } else if ((n == "Policy" || n == "RedriveAllowPolicy") && !v.empty()) {
        boost::system::error_code ec;
        json::value pv = json::parse(v, ec);
        if (ec || !pv.is_object()) throw invalid_attr_value(n);
      }
      out[n] = v;
    }
    return out;
  }

  // ---- queues ----
  void create_queue(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("QueueName"));
    const json::object* attrs = in.object("Attributes");
    bool fifo_attr = false;
    if (attrs)
      if (auto* f = attrs->if_contains("FifoQueue")) fifo_attr = f->is_string() ? is_true(f->as_string()) : f->is_bool() && f->as_bool();
    bool fifo_name = name.size() > 5 && name.substr(name.size() - 5) == ".fifo";
    if (!valid_queue_name(name))
      throw invalid_param("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    if (fifo_attr && !fifo_name)
      throw invalid_param("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.");
    if (fifo_name && !fifo_attr) throw invalid_param("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    auto checked = check_attributes(ctx, attrs, fifo_attr, true);
    if (fifo_attr) checked["FifoQueue"] = "true";
    if (const QueueState* q = find(ctx, name)) {
      // Idempotent when every given attribute equals the queue's current value.
      for (auto& [k, v] : checked)
        if (q->attr(k) != v)
          throw ApiError::bad_request("QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute " + k);
      json::object out;
      out["QueueUrl"] = url_of(ctx, name);
      d.output = std::move(out);
      return;
    }
    sqs::Event ev;
    sqs::Queue* qm = ev.mutable_created()->mutable_queue();
    qm->set_name(name);
    for (auto& [k, v] : checked) (*qm->mutable_attributes())[k] = v;
    if (const json::object* tags = in.object("tags")) {
      if (tags->size() > kMaxTags) throw invalid_param("Too many tags added for queue " + name + ".");
      for (auto& kv : *tags)
        if (kv.value().is_string()) (*qm->mutable_tags())[std::string(kv.key())] = std::string(kv.value().as_string());
    }
    qm->set_created_ms(ctx.now_ms);
    qm->set_modified_ms(ctx.now_ms);
    d.add(std::move(ev));
    json::object out;
    out["QueueUrl"] = url_of(ctx, name);
    d.output = std::move(out);
  }

  void get_queue_url(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("QueueName"));
    if (!find(ctx, name)) throw no_queue();
    json::object out;
    out["QueueUrl"] = url_of(ctx, name);
    d.output = std::move(out);
  }

  void list_queues(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string prefix = in.str_or("QueueNamePrefix", "");
    auto max = in.opt_int("MaxResults");
    if (max && (*max < 1 || *max > 1000))
      throw invalid_param("Value " + std::to_string(*max) + " for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
    if (in.has("NextToken") && !max) throw invalid_param("MaxResults is a mandatory parameter when you provide a value for NextToken.");
    Page page(in, max.value_or(1000));
    json::array urls;
    if (const Partition* p = part(ctx)) {
      for (auto it = p->queues.upper_bound(page.after()); it != p->queues.end(); ++it) {
        if (it->first.rfind(prefix, 0) != 0) continue;
        if (page.full(urls.size(), it->first)) break;
        urls.push_back(json::string(url_of(ctx, it->first)));
      }
    }
    json::object out;
    if (!urls.empty()) out["QueueUrls"] = std::move(urls);
    if (max) page.emit(out);
    d.output = std::move(out);
  }

  void delete_queue(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    sqs::Event ev;
    ev.mutable_deleted()->set_name(q.meta.name());
    d.add(std::move(ev));
    d.notify.push_back(notify_key(ctx, q.meta.name()));
  }

  struct Counts {
    int64_t visible = 0, in_flight = 0, delayed = 0;
  };
  static Counts counts(const QueueState& q, int64_t now) {
    Counts c;
    for (auto& [seq, m] : q.messages) {
      if (q.expired(m, now)) continue;
      if (m.visible_at_ms() <= now) ++c.visible;
      else if (m.receive_count() > 0) ++c.in_flight;
      else ++c.delayed;
    }
    return c;
  }

  void get_queue_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    std::set<std::string> wanted;
    bool all = false;
    if (const json::array* names = in.array("AttributeNames"))
      for (auto& n : *names) {
        std::string s(n.as_string());
        if (s == "All") {
          all = true;
        } else if (!attr_spec(s) && std::find(std::begin(kReadOnlyAttrs), std::end(kReadOnlyAttrs), s) == std::end(kReadOnlyAttrs)) {
          throw ApiError::bad_request("InvalidAttributeName", "Unknown Attribute " + s + ".");
        } else {
          wanted.insert(s);
        }
      }
    auto want = [&](std::string_view n) { return all || wanted.count(std::string(n)); };
    json::object attrs;
    Counts c;
    if (all || wanted.count("ApproximateNumberOfMessages") || wanted.count("ApproximateNumberOfMessagesNotVisible") ||
        wanted.count("ApproximateNumberOfMessagesDelayed"))
      c = counts(q, ctx.now_ms);
    if (want("QueueArn")) attrs["QueueArn"] = arn_of(ctx.region, ctx.account, q.meta.name());
    if (want("ApproximateNumberOfMessages")) attrs["ApproximateNumberOfMessages"] = std::to_string(c.visible);
    if (want("ApproximateNumberOfMessagesNotVisible")) attrs["ApproximateNumberOfMessagesNotVisible"] = std::to_string(c.in_flight);
    if (want("ApproximateNumberOfMessagesDelayed")) attrs["ApproximateNumberOfMessagesDelayed"] = std::to_string(c.delayed);
    if (want("CreatedTimestamp")) attrs["CreatedTimestamp"] = std::to_string(q.meta.created_ms() / 1000);
    if (want("LastModifiedTimestamp")) attrs["LastModifiedTimestamp"] = std::to_string(q.meta.modified_ms() / 1000);
    bool fifo = q.fifo();
    for (auto& spec : kAttrs) {
      if (!want(spec.name)) continue;
      if (spec.fifo_only && !fifo) continue;
      std::string v = q.attr(spec.name);
      if (v.empty()) continue;
      attrs[spec.name] = v;
    }
    json::object out;
    if (!attrs.empty()) out["Attributes"] = std::move(attrs);
    d.output = std::move(out);
  }

  void set_queue_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    const json::object* attrs = in.object("Attributes");
    if (attrs && attrs->contains("FifoQueue") && q.fifo()) {
      // Re-stating FifoQueue=true is accepted; a queue's type never changes.
      auto& v = attrs->at("FifoQueue");
      if (!(v.is_string() && is_true(v.as_string()))) throw invalid_attr_value("FifoQueue");
      json::object rest = *attrs;
      rest.erase("FifoQueue");
      return set_attrs(q, check_attributes(ctx, &rest, true, false), d);
    }
    set_attrs(q, check_attributes(ctx, attrs, q.fifo(), false), d);
  }
  static void set_attrs(const QueueState& q, const std::map<std::string, std::string>& checked, Decision& d) {
    sqs::Event ev;
    ev.mutable_attributes_set()->set_name(q.meta.name());
    for (auto& [k, v] : checked) (*ev.mutable_attributes_set()->mutable_attributes())[k] = v;
    d.add(std::move(ev));
  }

  void purge_queue(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    if (q.meta.purged_ms() && ctx.now_ms - q.meta.purged_ms() < 60000)
      throw ApiError::make(403, "AWS.SimpleQueueService.PurgeQueueInProgress",
                           "Only one PurgeQueue operation on " + q.meta.name() + " is allowed every 60 seconds.");
    sqs::Event ev;
    ev.mutable_purged()->set_name(q.meta.name());
    d.add(std::move(ev));
  }

  void tag_queue(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    sqs::Event ev;
    auto* t = ev.mutable_tags();
    t->set_name(q.meta.name());
    std::set<std::string> keys;
    for (auto& [k, v] : q.meta.tags()) keys.insert(k);
    if (const json::object* tags = in.object("Tags"))
      for (auto& kv : *tags) {
        keys.insert(std::string(kv.key()));
        if (kv.value().is_string()) (*t->mutable_set())[std::string(kv.key())] = std::string(kv.value().as_string());
      }
    if (keys.size() > kMaxTags) throw invalid_param("Too many tags added for queue " + q.meta.name() + ".");
    d.add(std::move(ev));
  }

  void untag_queue(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    sqs::Event ev;
    auto* t = ev.mutable_tags();
    t->set_name(q.meta.name());
    if (const json::array* keys = in.array("TagKeys"))
      for (auto& k : *keys) t->add_removed(std::string(k.as_string()));
    d.add(std::move(ev));
  }

  void list_queue_tags(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    json::object tags;
    std::map<std::string, std::string> sorted(q.meta.tags().begin(), q.meta.tags().end());
    for (auto& [k, v] : sorted) tags[k] = v;
    json::object out;
    if (!tags.empty()) out["Tags"] = std::move(tags);
    d.output = std::move(out);
  }

  void list_dead_letter_source_queues(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& target = queue_of(in, ctx);
    auto max = in.opt_int("MaxResults");
    if (max && (*max < 1 || *max > 1000))
      throw invalid_param("Value " + std::to_string(*max) + " for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
    Page page(in, max.value_or(1000));
    json::array urls;
    for (auto it = part(ctx)->queues.upper_bound(page.after()); it != part(ctx)->queues.end(); ++it) {
      auto r = parse_redrive(it->second.attr("RedrivePolicy"));
      if (!r || r->dlq != target.meta.name()) continue;
      if (page.full(urls.size(), it->first)) break;
      urls.push_back(json::string(url_of(ctx, it->first)));
    }
    json::object out;
    out["queueUrls"] = std::move(urls);
    if (max) page.emit(out);
    d.output = std::move(out);
  }

  // ---- messages ----
  struct SendEntry {
    std::string id;  // batch entry id
    const json::object* o;
  };

  // Validates one message for `q` and builds it (without seq); throws the
  // error AWS gives for that entry. Returns nullopt-equivalent via `dup` when
  // a FIFO deduplication id hides it.
  sqs::Message build_message(const QueueState& q, const Input& in, const CallContext& ctx, const sqs::Dedup** dup,
                             std::set<std::string>* batch_dedup) const {
    *dup = nullptr;
    std::string body(in.str("MessageBody"));
    if (body.empty())
      throw ApiError::bad_request("MissingParameter", "The request must contain the parameter MessageBody.");
    if (!valid_chars(body))
      throw ApiError::bad_request("InvalidMessageContents",
                                  "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    sqs::Message m;
    m.set_body(body);
    size_t size = body.size();
    if (const json::object* attrs = in.object("MessageAttributes")) {
      if (attrs->size() > kMaxMessageAttributes)
        throw invalid_param("Number of message attributes [" + std::to_string(attrs->size()) + "] exceeds the allowed maximum [10].");
      for (auto& kv : *attrs) {
        std::string name(kv.key());
        size += name.size() + read_attribute(name, kv.value(), (*m.mutable_attributes())[name]);
      }
    }
    if (const json::object* sys = in.object("MessageSystemAttributes")) {
      for (auto& kv : *sys) {
        std::string name(kv.key());
        if (name != "AWSTraceHeader")
          throw invalid_param("Message system attribute name '" + name + "' is invalid.");
        auto& v = (*m.mutable_system_attributes())[name];
        read_attribute(name, kv.value(), v);
        if (v.data_type() != "String")
          throw invalid_param("Message system attribute 'AWSTraceHeader' must be of type String.");
      }
    }
    int64_t max_size = q.attr_int("MaximumMessageSize");
    if (static_cast<int64_t>(size) > max_size)
      throw invalid_param("One or more parameters are invalid. Reason: Message must be shorter than " + std::to_string(max_size) + " bytes.");
    m.set_md5_of_body(sqs_md5::md5_hex(body));
    m.set_md5_of_attributes(sqs_md5::of_attributes(m.attributes()));
    m.set_md5_of_system_attributes(sqs_md5::of_attributes(m.system_attributes()));
    m.set_message_id(random_uuid());
    m.set_sent_ms(ctx.now_ms);
    m.set_sender_id(ctx.access_key.empty() ? ctx.account : ctx.access_key);

    auto delay = in.opt_int("DelaySeconds");
    if (delay && (*delay < 0 || *delay > 900))
      throw invalid_param("Value " + std::to_string(*delay) + " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
    std::string group = in.str_or("MessageGroupId", "");
    std::string dedup = in.str_or("MessageDeduplicationId", "");
    if (q.fifo()) {
      if (delay && *delay != 0)
        throw invalid_param("Value " + std::to_string(*delay) + " for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
      if (group.empty()) throw ApiError::bad_request("MissingParameter", "The request must contain the parameter MessageGroupId.");
      if (dedup.empty()) {
        if (!is_true(q.attr("ContentBasedDeduplication")))
          throw invalid_param("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        dedup = sqs_md5::sha256_hex(body);
      }
      for (auto* s : {&group, &dedup}) {
        bool ok = s->size() <= 128 && std::all_of(s->begin(), s->end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
        if (!ok)
          throw invalid_param("Value " + *s + " for parameter " + (s == &group ? "MessageGroupId" : "MessageDeduplicationId") +
                              " is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
      }
      m.set_group_id(group);
      m.set_dedup_id(dedup);
      std::string key = dedup_key(q, group, dedup);
      if (auto it = q.dedup.find(key); it != q.dedup.end() && it->second.expires_ms() > ctx.now_ms) *dup = &it->second;
      else if (batch_dedup && !batch_dedup->insert(key).second) *dup = &kSameBatch;
    } else {
      if (!dedup.empty())
        throw invalid_param("Value " + dedup + " for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.");
      m.set_group_id(group);  // fair queues: accepted on standard queues, no ordering
    }
    int64_t delay_s = q.fifo() ? q.attr_int("DelaySeconds") : delay.value_or(q.attr_int("DelaySeconds"));
    m.set_visible_at_ms(ctx.now_ms + delay_s * 1000);
    return m;
  }
  static inline const sqs::Dedup kSameBatch{};

  // Reads one MessageAttributeValue; returns its size as AWS counts it.
  static size_t read_attribute(const std::string& name, const json::value& v, sqs::AttributeValue& out) {
    if (name.empty() || name.size() > 256 || name.rfind("AWS.", 0) == 0 || name.rfind("Amazon.", 0) == 0 || name.front() == '.' ||
        name.back() == '.' || name.find("..") != std::string::npos ||
        !std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }))
      throw invalid_param("Message attribute name '" + name + "' is invalid.");
    if (!v.is_object()) throw invalid_param("The message attribute '" + name + "' is invalid.");
    const auto& o = v.as_object();
    auto str = [&](std::string_view k) -> std::string {
      auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    std::string type = str("DataType");
    if (type.empty()) throw invalid_param("The message attribute '" + name + "' must contain non-empty message attribute type.");
    std::string base = type.substr(0, type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary")
      throw invalid_param("The type of message (user) attribute '" + name + "' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
    out.set_data_type(type);
    if (base == "Binary") {
      std::string b = str("BinaryValue");
      if (b.empty())
        throw invalid_param("The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.");
      out.set_binary_value(b);
      return type.size() + b.size();
    }
    std::string s = str("StringValue");
    if (s.empty())
      throw invalid_param("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + base + "'.");
    if (!valid_chars(s)) throw invalid_param("The message attribute '" + name + "' contains invalid characters.");
    if (base == "Number") {
      char* end = nullptr;
      std::strtod(s.c_str(), &end);
      if (!end || *end) throw invalid_param("Can't cast the value of message (user) attribute '" + name + "' to a number.");
    }
    out.set_string_value(s);
    return type.size() + s.size();
  }

  json::object send_result(const sqs::Message& m, const QueueState& q) const {
    json::object r;
    r["MessageId"] = m.message_id();
    r["MD5OfMessageBody"] = m.md5_of_body();
    if (!m.md5_of_attributes().empty()) r["MD5OfMessageAttributes"] = m.md5_of_attributes();
    if (!m.md5_of_system_attributes().empty()) r["MD5OfMessageSystemAttributes"] = m.md5_of_system_attributes();
    if (q.fifo()) r["SequenceNumber"] = sequence_number(q.meta.next_seq() + 1);
    return r;
  }

  void send_message(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    const sqs::Dedup* dup = nullptr;
    sqs::Message m = build_message(q, in, ctx, &dup, nullptr);
    if (dup) {
      // Deduplicated: AWS answers as if accepted, with the original's ids.
      json::object r = send_result(m, q);
      r["MessageId"] = dup->message_id();
      r["SequenceNumber"] = dup->sequence_number();
      d.output = std::move(r);
      return;
    }
    d.output = send_result(m, q);
    sqs::Event ev;
    ev.mutable_sent()->set_queue(q.meta.name());
    *ev.mutable_sent()->add_messages() = std::move(m);
    d.add(std::move(ev));
    d.notify.push_back(notify_key(ctx, q.meta.name()));
  }

  // Batch shape checks shared by the three batch operations.
  static const json::array& batch_entries(const Input& in, std::string_view member, std::string_view entry_name) {
    const json::array* entries = in.array(member);
    if (!entries || entries->empty())
      throw ApiError::bad_request("AWS.SimpleQueueService.EmptyBatchRequest",
                                  "There should be at least one " + std::string(entry_name) + " in the request.");
    if (static_cast<int64_t>(entries->size()) > kMaxBatch)
      throw ApiError::bad_request("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                                  "Maximum number of entries per request are 10. You have sent " + std::to_string(entries->size()) + ".");
    std::set<std::string> ids;
    for (auto& e : *entries) {
      std::string id = e.is_object() && e.as_object().contains("Id") && e.at("Id").is_string() ? std::string(e.at("Id").as_string()) : "";
      if (!valid_batch_id(id))
        throw ApiError::bad_request("AWS.SimpleQueueService.InvalidBatchEntryId",
                                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
      if (!ids.insert(id).second)
        throw ApiError::bad_request("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
    }
    return *entries;
  }
  static json::object batch_error(const std::string& id, const ApiError& e) {
    json::object o;
    o["Id"] = id;
    o["SenderFault"] = e.sender_fault;
    o["Code"] = e.code;
    o["Message"] = e.message;
    return o;
  }

  void send_message_batch(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    const json::array& entries = batch_entries(in, "Entries", "SendMessageBatchRequestEntry");
    size_t total = 0;
    for (auto& e : entries)
      if (auto* b = e.as_object().if_contains("MessageBody"); b && b->is_string()) total += b->as_string().size();
    if (static_cast<int64_t>(total) > kMaxMessageSize)
      throw ApiError::bad_request("AWS.SimpleQueueService.BatchRequestTooLong",
                                  "Batch requests cannot be longer than 262144 bytes. You have sent " + std::to_string(total) + " bytes.");
    json::array ok, failed;
    sqs::Event ev;
    ev.mutable_sent()->set_queue(q.meta.name());
    std::set<std::string> batch_dedup;
    uint64_t next = q.meta.next_seq();
    for (auto& e : entries) {
      const json::object& o = e.as_object();
      std::string id(o.at("Id").as_string());
      try {
        const sqs::Dedup* dup = nullptr;
        sqs::Message m = build_message(q, Input(o), ctx, &dup, &batch_dedup);
        json::object r;
        r["Id"] = id;
        r["MessageId"] = dup && dup != &kSameBatch ? dup->message_id() : m.message_id();
        r["MD5OfMessageBody"] = m.md5_of_body();
        if (!m.md5_of_attributes().empty()) r["MD5OfMessageAttributes"] = m.md5_of_attributes();
        if (!m.md5_of_system_attributes().empty()) r["MD5OfMessageSystemAttributes"] = m.md5_of_system_attributes();
        if (dup == &kSameBatch) {
          // A duplicate of an earlier entry of this batch: that entry's ids.
          for (auto& pm : ev.sent().messages())
            if (dedup_key(q, pm.group_id(), pm.dedup_id()) == dedup_key(q, m.group_id(), m.dedup_id())) {
              r["MessageId"] = pm.message_id();
              r["SequenceNumber"] = sequence_number(pm.seq());
            }
        } else if (dup) {
          r["SequenceNumber"] = dup->sequence_number();
        } else {
          m.set_seq(++next);  // the seq apply() will assign, as it enqueues in this order
          if (q.fifo()) r["SequenceNumber"] = sequence_number(m.seq());
          *ev.mutable_sent()->add_messages() = std::move(m);
        }
        ok.push_back(std::move(r));
      } catch (const ApiError& err) {
        failed.push_back(batch_error(id, err));
      }
    }
    if (ev.sent().messages_size()) {
      d.add(std::move(ev));
      d.notify.push_back(notify_key(ctx, q.meta.name()));
    }
    json::object out;
    out["Successful"] = std::move(ok);
    out["Failed"] = std::move(failed);
    d.output = std::move(out);
  }

  void receive_message(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    int64_t max = in.opt_int("MaxNumberOfMessages").value_or(1);
    if (max < 1 || max > 10)
      throw invalid_param("Value " + std::to_string(max) + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
    auto vt_in = in.opt_int("VisibilityTimeout");
    if (vt_in && (*vt_in < 0 || *vt_in > kMaxVisibility))
      throw invalid_param("Value " + std::to_string(*vt_in) + " for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.");
    int64_t vt = vt_in.value_or(q.attr_int("VisibilityTimeout"));
    auto wait_in = in.opt_int("WaitTimeSeconds");
    if (wait_in && (*wait_in < 0 || *wait_in > 20))
      throw invalid_param("Value " + std::to_string(*wait_in) + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
    int64_t wait = wait_in.value_or(q.attr_int("ReceiveMessageWaitTimeSeconds"));

    // Which attributes to return.
    std::set<std::string> sys;
    bool all_sys = false;
    for (auto member : {"AttributeNames", "MessageSystemAttributeNames"})
      if (const json::array* names = in.array(member))
        for (auto& n : *names) {
          std::string s(n.as_string());
          if (s == "All") all_sys = true;
          else if (std::find(std::begin(kMessageAttrs), std::end(kMessageAttrs), s) != std::end(kMessageAttrs)) sys.insert(s);
          else if (!attr_spec(s) && std::find(std::begin(kReadOnlyAttrs), std::end(kReadOnlyAttrs), s) == std::end(kReadOnlyAttrs))
            throw ApiError::bad_request("InvalidAttributeName", "Unknown Attribute " + s + ".");
        }
    std::vector<std::string> user;
    if (const json::array* names = in.array("MessageAttributeNames"))
      for (auto& n : *names) user.emplace_back(n.as_string());

    const int64_t now = ctx.now_ms;
    auto redrive = parse_redrive(q.attr("RedrivePolicy"));
    const QueueState* dlq = redrive ? find(ctx, redrive->dlq) : nullptr;
    bool fifo = q.fifo();
    std::set<std::string> locked;  // FIFO groups with a message in flight or delayed ahead
    int64_t next_due = INT64_MAX;
    sqs::Event ev;
    auto* rec = ev.mutable_received();
    rec->set_queue(q.meta.name());
    json::array out_msgs;
    for (auto& [seq, m] : q.messages) {
      // Every group blocked: nothing behind can be delivered (each group's
      // blocker, and so the next due time, has been seen already).
      if (fifo && !locked.empty() && locked.size() >= q.groups.size()) break;
      if (q.expired(m, now)) continue;
      if (m.visible_at_ms() > now) {
        next_due = std::min(next_due, m.visible_at_ms());
        if (fifo) locked.insert(m.group_id());
        continue;
      }
      if (fifo && locked.count(m.group_id())) continue;
      if (dlq && m.receive_count() >= redrive->max_receive_count) {
        auto* mv = rec->add_moved();
        mv->set_message_id(m.message_id());
        mv->set_dlq(redrive->dlq);
        continue;
      }
      std::string handle = make_handle(q.meta.name(), m.message_id());
      auto* one = rec->add_received();
      one->set_message_id(m.message_id());
      one->set_receipt_handle(handle);
      one->set_visible_at_ms(now + vt * 1000);
      out_msgs.push_back(message_json(q, m, handle, m.receive_count() + 1, m.first_receive_ms() ? m.first_receive_ms() : now,
                                      all_sys, sys, user));
      if (static_cast<int64_t>(out_msgs.size()) >= max) break;
    }
    json::object out;
    if (!out_msgs.empty()) out["Messages"] = std::move(out_msgs);
    d.output = std::move(out);
    if (rec->received_size() || rec->moved_size()) {
      d.add(ev);
      if (rec->moved_size()) d.notify.push_back(notify_key(ctx, redrive->dlq));
    }
    if (!rec->received_size() && wait > 0 && !d.has_events()) {
      LongPoll lp;
      lp.key = notify_key(ctx, q.meta.name());
      lp.until_ms = now + wait * 1000;
      lp.wake_at_ms = std::min(lp.until_ms, next_due);
      d.wait = std::move(lp);
    }
  }

  json::object message_json(const QueueState& q, const sqs::Message& m, const std::string& handle, int64_t receive_count,
                            int64_t first_receive, bool all_sys, const std::set<std::string>& sys,
                            const std::vector<std::string>& user) const {
    json::object o;
    o["MessageId"] = m.message_id();
    o["ReceiptHandle"] = handle;
    o["MD5OfBody"] = m.md5_of_body();
    o["Body"] = m.body();
    json::object attrs;
    auto want = [&](std::string_view n) { return all_sys || sys.count(std::string(n)); };
    if (want("SenderId")) attrs["SenderId"] = m.sender_id();
    if (want("SentTimestamp")) attrs["SentTimestamp"] = std::to_string(m.sent_ms());
    if (want("ApproximateReceiveCount")) attrs["ApproximateReceiveCount"] = std::to_string(receive_count);
    if (want("ApproximateFirstReceiveTimestamp")) attrs["ApproximateFirstReceiveTimestamp"] = std::to_string(first_receive);
    if (q.fifo()) {
      if (want("SequenceNumber")) attrs["SequenceNumber"] = m.sequence_number();
      if (want("MessageDeduplicationId")) attrs["MessageDeduplicationId"] = m.dedup_id();
      if (want("MessageGroupId")) attrs["MessageGroupId"] = m.group_id();
    } else if (!m.group_id().empty() && want("MessageGroupId")) {
      attrs["MessageGroupId"] = m.group_id();
    }
    if (auto it = m.system_attributes().find("AWSTraceHeader"); it != m.system_attributes().end() && want("AWSTraceHeader"))
      attrs["AWSTraceHeader"] = it->second.string_value();
    if (!m.dead_letter_source_arn().empty() && want("DeadLetterQueueSourceArn"))
      attrs["DeadLetterQueueSourceArn"] = m.dead_letter_source_arn();
    if (!attrs.empty()) o["Attributes"] = std::move(attrs);
    // User attributes: "All", ".*", "prefix.*" or exact names. The digest is
    // over the attributes returned, which is what SDKs check it against.
    google::protobuf::Map<std::string, sqs::AttributeValue> picked;
    for (auto& [name, v] : m.attributes()) {
      bool take = false;
      for (auto& u : user) {
        if (u == "All" || u == ".*" || u == name) take = true;
        else if (u.size() > 2 && u.substr(u.size() - 2) == ".*" && name.rfind(u.substr(0, u.size() - 1), 0) == 0) take = true;
      }
      if (take) picked[name] = v;
    }
    if (!picked.empty()) {
      json::object ma;
      std::map<std::string, const sqs::AttributeValue*> sorted;
      for (auto& [k, v] : picked) sorted[k] = &v;
      for (auto& [k, v] : sorted) {
        json::object a;
        a["DataType"] = v->data_type();
        if (!v->string_value().empty()) a["StringValue"] = v->string_value();
        if (!v->binary_value().empty()) a["BinaryValue"] = v->binary_value();
        ma[k] = std::move(a);
      }
      o["MessageAttributes"] = std::move(ma);
      o["MD5OfMessageAttributes"] = sqs_md5::of_attributes(picked);
    }
    return o;
  }

  // The message a receipt handle names in `q`, or AWS's error.
  const sqs::Message* by_handle(const QueueState& q, std::string_view handle) const {
    auto h = parse_handle(handle);
    if (!h || h->queue != q.meta.name()) throw invalid_handle(handle);
    return q.find(h->message_id);
  }

  void delete_message(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    std::string handle(in.str("ReceiptHandle"));
    const sqs::Message* m = by_handle(q, handle);
    if (!m) return;  // already gone: AWS answers success
    if (q.fifo() && m->receipt_handle() != handle)
      throw ApiError::bad_request("ReceiptHandleIsInvalid", "The receipt handle has expired.");
    sqs::Event ev;
    ev.mutable_messages_deleted()->set_queue(q.meta.name());
    ev.mutable_messages_deleted()->add_message_ids(m->message_id());
    d.add(std::move(ev));
    if (q.fifo()) d.notify.push_back(notify_key(ctx, q.meta.name()));  // the group unlocks
  }

  void delete_message_batch(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    const json::array& entries = batch_entries(in, "Entries", "DeleteMessageBatchRequestEntry");
    json::array ok, failed;
    sqs::Event ev;
    ev.mutable_messages_deleted()->set_queue(q.meta.name());
    for (auto& e : entries) {
      const json::object& o = e.as_object();
      std::string id(o.at("Id").as_string());
      try {
        std::string handle = o.contains("ReceiptHandle") && o.at("ReceiptHandle").is_string() ? std::string(o.at("ReceiptHandle").as_string()) : "";
        const sqs::Message* m = by_handle(q, handle);
        if (m && q.fifo() && m->receipt_handle() != handle)
          throw ApiError::bad_request("ReceiptHandleIsInvalid", "The receipt handle has expired.");
        if (m) ev.mutable_messages_deleted()->add_message_ids(m->message_id());
        ok.push_back(json::object{{"Id", id}});
      } catch (const ApiError& err) {
        failed.push_back(batch_error(id, err));
      }
    }
    if (ev.messages_deleted().message_ids_size()) {
      d.add(std::move(ev));
      if (q.fifo()) d.notify.push_back(notify_key(ctx, q.meta.name()));
    }
    json::object out;
    out["Successful"] = std::move(ok);
    out["Failed"] = std::move(failed);
    d.output = std::move(out);
  }

  // Checks one visibility change; returns the new deadline.
  int64_t visibility_change(const QueueState& q, const CallContext& ctx, std::string_view handle, std::optional<int64_t> timeout,
                            const sqs::Message** msg) const {
    if (!timeout) throw ApiError::bad_request("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
    if (*timeout < 0 || *timeout > kMaxVisibility)
      throw invalid_param("Value " + std::to_string(*timeout) + " for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer between 0 and 43200");
    const sqs::Message* m = by_handle(q, handle);
    if (!m || m->receive_count() == 0 || m->visible_at_ms() <= ctx.now_ms || q.expired(*m, ctx.now_ms))
      throw ApiError::bad_request("AWS.SimpleQueueService.MessageNotInflight",
                                  "Value " + std::string(handle) + " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.");
    *msg = m;
    return ctx.now_ms + *timeout * 1000;
  }

  void change_visibility(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    const sqs::Message* m = nullptr;
    auto timeout = in.opt_int("VisibilityTimeout");
    int64_t at = visibility_change(q, ctx, in.str("ReceiptHandle"), timeout, &m);
    sqs::Event ev;
    ev.mutable_visibility()->set_queue(q.meta.name());
    auto* c = ev.mutable_visibility()->add_changes();
    c->set_message_id(m->message_id());
    c->set_visible_at_ms(at);
    d.add(std::move(ev));
    if (*timeout == 0) d.notify.push_back(notify_key(ctx, q.meta.name()));
  }

  void change_visibility_batch(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& q = queue_of(in, ctx);
    const json::array& entries = batch_entries(in, "Entries", "ChangeMessageVisibilityBatchRequestEntry");
    json::array ok, failed;
    sqs::Event ev;
    ev.mutable_visibility()->set_queue(q.meta.name());
    bool wake = false;
    for (auto& e : entries) {
      const json::object& o = e.as_object();
      std::string id(o.at("Id").as_string());
      try {
        Input ein(o);
        const sqs::Message* m = nullptr;
        auto timeout = ein.opt_int("VisibilityTimeout");
        int64_t at = visibility_change(q, ctx, ein.str_or("ReceiptHandle", ""), timeout, &m);
        auto* c = ev.mutable_visibility()->add_changes();
        c->set_message_id(m->message_id());
        c->set_visible_at_ms(at);
        wake |= *timeout == 0;
        ok.push_back(json::object{{"Id", id}});
      } catch (const ApiError& err) {
        failed.push_back(batch_error(id, err));
      }
    }
    if (ev.visibility().changes_size()) {
      d.add(std::move(ev));
      if (wake) d.notify.push_back(notify_key(ctx, q.meta.name()));
    }
    json::object out;
    out["Successful"] = std::move(ok);
    out["Failed"] = std::move(failed);
    d.output = std::move(out);
  }

  // ---- message move tasks (DLQ redrive) ----
  // A task runs to completion within its request (podstack has no rate limit
  // to honour), so it is one event and ListMessageMoveTasks shows it COMPLETED.
  const QueueState& queue_by_arn(const CallContext& ctx, std::string_view arn) const {
    std::string name = name_from_arn(arn);
    const QueueState* q = name.empty() ? nullptr : find(ctx, name);
    if (!q) throw ApiError::make(404, "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
    return *q;
  }

  void start_move_task(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string source_arn(in.str("SourceArn"));
    const QueueState& src = queue_by_arn(ctx, source_arn);
    bool is_dlq = false;
    for (auto& [n, q] : part(ctx)->queues)
      if (auto r = parse_redrive(q.attr("RedrivePolicy")); r && r->dlq == src.meta.name()) is_dlq = true;
    if (!is_dlq) throw invalid_param("Source queue must be configured as a Dead Letter Queue.");
    std::string dest_arn = in.str_or("DestinationArn", "");
    const QueueState* dest = dest_arn.empty() ? nullptr : &queue_by_arn(ctx, dest_arn);
    auto rate = in.opt_int("MaxNumberOfMessagesPerSecond");
    if (rate && (*rate < 1 || *rate > 500))
      throw invalid_param("Value " + std::to_string(*rate) + " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.");
    sqs::Event ev;
    auto* run = ev.mutable_move_task();
    run->set_source(src.meta.name());
    sqs::MoveTask* t = run->mutable_task();
    t->set_task_handle(protocol::base64_encode(random_uuid() + "\n" + source_arn));
    t->set_source_arn(source_arn);
    t->set_destination_arn(dest_arn);
    t->set_max_per_second(rate.value_or(0));
    t->set_started_ms(ctx.now_ms);
    int64_t moved = 0;
    std::set<std::string> woken;
    for (auto& [seq, m] : src.messages) {
      if (src.expired(m, ctx.now_ms) || m.visible_at_ms() > ctx.now_ms) continue;
      std::string target = dest ? dest->meta.name() : name_from_arn(m.dead_letter_source_arn());
      if (target.empty() || !find(ctx, target)) continue;
      auto* mv = run->add_moves();
      mv->set_message_id(m.message_id());
      mv->set_destination(target);
      woken.insert(target);
      ++moved;
    }
    t->set_status("COMPLETED");
    t->set_moved(moved);
    t->set_to_move(moved);
    json::object out;
    out["TaskHandle"] = t->task_handle();
    d.output = std::move(out);
    d.add(std::move(ev));  // t points into ev: used above
    for (auto& w : woken) d.notify.push_back(notify_key(ctx, w));
  }

  void list_move_tasks(const Input& in, const CallContext& ctx, Decision& d) const {
    const QueueState& src = queue_by_arn(ctx, in.str("SourceArn"));
    int64_t max = in.opt_int("MaxResults").value_or(1);
    if (max < 1 || max > 10)
      throw invalid_param("Value " + std::to_string(max) + " for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10.");
    json::array results;
    for (int i = src.meta.move_tasks_size() - 1; i >= 0 && static_cast<int64_t>(results.size()) < max; --i) {
      const auto& t = src.meta.move_tasks(i);
      json::object o;
      o["TaskHandle"] = t.task_handle();
      o["Status"] = t.status();
      o["SourceArn"] = t.source_arn();
      if (!t.destination_arn().empty()) o["DestinationArn"] = t.destination_arn();
      if (t.max_per_second()) o["MaxNumberOfMessagesPerSecond"] = t.max_per_second();
      o["ApproximateNumberOfMessagesMoved"] = t.moved();
      o["ApproximateNumberOfMessagesToMove"] = t.to_move();
      if (!t.failure_reason().empty()) o["FailureReason"] = t.failure_reason();
      o["StartedTimestamp"] = t.started_ms();
      results.push_back(std::move(o));
    }
    json::object out;
    out["Results"] = std::move(results);
    d.output = std::move(out);
  }

  void cancel_move_task(const Input& in, const CallContext& ctx, Decision&) const {
    std::string handle(in.str("TaskHandle"));
    auto raw = protocol::base64_decode(handle);
    size_t nl = raw ? raw->find('\n') : std::string::npos;
    if (nl == std::string::npos) throw invalid_param("Value " + handle + " for parameter TaskHandle is invalid.");
    const QueueState& src = queue_by_arn(ctx, raw->substr(nl + 1));
    for (auto& t : src.meta.move_tasks()) {
      if (t.task_handle() != handle) continue;
      if (t.status() != "RUNNING")
        throw ApiError::make(404, "ResourceNotFoundException", "Task does not exist or is not running.");
    }
    throw ApiError::make(404, "ResourceNotFoundException", "Task does not exist or is not running.");
  }

  std::string strategy_;
  Partitions<Partition> parts_;
};

}  // namespace

std::unique_ptr<Service> make_sqs_service(const ServiceSettings& settings) { return std::make_unique<SqsService>(settings); }

}  // namespace podstack
