// SQS messages: SendMessage, SendMessageBatch, ReceiveMessage (long
// polling through Decision::wait), DeleteMessage, DeleteMessageBatch,
// ChangeMessageVisibility, ChangeMessageVisibilityBatch, and deliver() for
// messages from other services (SNS, S3 notifications).
// The hottest paths of the project: events are built in place and moved
// into the decision.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "server/protocol/encoding.h"
#include "server/services/sqs/sqs_errors.h"
#include "server/services/sqs/sqs_md5.h"
#include "server/services/sqs/sqs_service.h"

namespace podstack::sqs {
namespace {

// A duplicate of an earlier entry of the same batch (build_message's `dup`).
const sqs::Dedup kSameBatch{};

// Reads one MessageAttributeValue; returns its size as AWS counts it.
size_t read_attribute(const std::string& name, const json::value& v, sqs::AttributeValue& out) {
  if (name.empty() || name.size() > 256 || name.rfind("AWS.", 0) == 0 || name.rfind("Amazon.", 0) == 0 || name.front() == '.' ||
      name.back() == '.' || name.find("..") != std::string::npos ||
      !std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }))
    throw invalid_parameter_value("Message attribute name '" + name + "' is invalid.");
  if (!v.is_object()) throw invalid_parameter_value("The message attribute '" + name + "' is invalid.");
  const auto& o = v.as_object();
  auto str = [&](std::string_view k) -> std::string {
    auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  std::string type = str("DataType");
  if (type.empty()) throw invalid_parameter_value("The message attribute '" + name + "' must contain non-empty message attribute type.");
  std::string base = type.substr(0, type.find('.'));
  if (base != "String" && base != "Number" && base != "Binary")
    throw invalid_parameter_value("The type of message (user) attribute '" + name + "' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
  out.set_data_type(type);
  if (base == "Binary") {
    std::string b = str("BinaryValue");
    if (b.empty())
      throw invalid_parameter_value("The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.");
    out.set_binary_value(b);
    return type.size() + b.size();
  }
  std::string s = str("StringValue");
  if (s.empty())
    throw invalid_parameter_value("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + base + "'.");
  if (!valid_chars(s)) throw invalid_parameter_value("The message attribute '" + name + "' contains invalid characters.");
  if (base == "Number") {
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    if (!end || *end) throw invalid_parameter_value("Can't cast the value of message (user) attribute '" + name + "' to a number.");
  }
  out.set_string_value(s);
  return type.size() + s.size();
}

// Validates one message for `q` and builds it (without seq); throws the
// error AWS gives for that entry. Returns nullopt-equivalent via `dup` when
// a FIFO deduplication id hides it.
sqs::Message build_message(const QueueState& q, const Input& in, const CallContext& ctx, const sqs::Dedup** dup,
                           std::set<std::string>* batch_dedup) {
  *dup = nullptr;
  std::string body(in.str("MessageBody"));
  if (body.empty())
    throw missing_parameter("MessageBody");
  if (!valid_chars(body))
    throw invalid_message_contents();
  sqs::Message m;
  m.set_body(body);
  size_t size = body.size();
  if (const json::object* attrs = in.object("MessageAttributes")) {
    if (attrs->size() > kMaxMessageAttributes)
      throw invalid_parameter_value("Number of message attributes [" + std::to_string(attrs->size()) + "] exceeds the allowed maximum [10].");
    for (auto& kv : *attrs) {
      std::string name(kv.key());
      size += name.size() + read_attribute(name, kv.value(), (*m.mutable_attributes())[name]);
    }
  }
  if (const json::object* sys = in.object("MessageSystemAttributes")) {
    for (auto& kv : *sys) {
      std::string name(kv.key());
      if (name != "AWSTraceHeader")
        throw invalid_parameter_value("Message system attribute name '" + name + "' is invalid.");
      auto& v = (*m.mutable_system_attributes())[name];
      read_attribute(name, kv.value(), v);
      if (v.data_type() != "String")
        throw invalid_parameter_value("Message system attribute 'AWSTraceHeader' must be of type String.");
    }
  }
  int64_t max_size = q.attr_int("MaximumMessageSize");
  if (static_cast<int64_t>(size) > max_size) throw message_too_long(max_size, batch_dedup != nullptr);
  m.set_md5_of_body(sqs_md5::md5_hex(body));
  m.set_md5_of_attributes(sqs_md5::of_attributes(m.attributes()));
  m.set_md5_of_system_attributes(sqs_md5::of_attributes(m.system_attributes()));
  m.set_message_id(random_uuid());
  m.set_sent_ms(ctx.now_ms);
  m.set_sender_id(ctx.access_key.empty() ? ctx.account : ctx.access_key);

  auto delay = in.opt_int("DelaySeconds");
  if (delay && (*delay < 0 || *delay > 900))
    throw invalid_parameter_value("Value " + std::to_string(*delay) + " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
  std::string group = in.str_or("MessageGroupId", "");
  std::string dedup = in.str_or("MessageDeduplicationId", "");
  if (q.fifo()) {
    if (delay && *delay != 0)
      throw invalid_parameter_value("Value " + std::to_string(*delay) + " for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
    if (group.empty()) throw missing_parameter("MessageGroupId");
    if (dedup.empty()) {
      if (!is_true(q.attr("ContentBasedDeduplication"))) throw dedup_id_required();
      dedup = sqs_md5::sha256_hex(body);
    }
    for (auto* s : {&group, &dedup}) {
      bool ok = s->size() <= 128 && std::all_of(s->begin(), s->end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
      if (!ok)
        throw invalid_parameter_value("Value " + *s + " for parameter " + (s == &group ? "MessageGroupId" : "MessageDeduplicationId") +
                            " is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
    }
    m.set_group_id(group);
    m.set_dedup_id(dedup);
    std::string key = dedup_key(q, group, dedup);
    if (auto it = q.dedup.find(key); it != q.dedup.end() && it->second.expires_ms() > ctx.now_ms) *dup = &it->second;
    else if (batch_dedup && !batch_dedup->insert(key).second) *dup = &kSameBatch;
  } else {
    if (!dedup.empty())
      throw invalid_parameter_value("Value " + dedup + " for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.");
    m.set_group_id(group);  // fair queues: accepted on standard queues, no ordering
  }
  int64_t delay_s = q.fifo() ? q.attr_int("DelaySeconds") : delay.value_or(q.attr_int("DelaySeconds"));
  m.set_visible_at_ms(ctx.now_ms + delay_s * 1000);
  return m;
}

json::object send_result(const sqs::Message& m, const QueueState& q) {
  json::object r;
  r["MessageId"] = m.message_id();
  r["MD5OfMessageBody"] = m.md5_of_body();
  if (!m.md5_of_attributes().empty()) r["MD5OfMessageAttributes"] = m.md5_of_attributes();
  if (!m.md5_of_system_attributes().empty()) r["MD5OfMessageSystemAttributes"] = m.md5_of_system_attributes();
  if (q.fifo()) r["SequenceNumber"] = sequence_number(q.meta.next_seq() + 1);
  return r;
}

// Batch shape checks shared by the three batch operations.
const json::array& batch_entries(const Input& in, std::string_view member, std::string_view entry_name) {
  const json::array* entries = in.array(member);
  if (!entries || entries->empty())
    throw empty_batch_request(entry_name);
  if (static_cast<int64_t>(entries->size()) > kMaxBatch)
    throw too_many_entries_in_batch_request(entries->size());
  std::set<std::string> ids;
  for (auto& e : *entries) {
    std::string id = e.is_object() && e.as_object().contains("Id") && e.at("Id").is_string() ? std::string(e.at("Id").as_string()) : "";
    if (!valid_batch_id(id))
      throw invalid_batch_entry_id();
    if (!ids.insert(id).second)
      throw batch_entry_ids_not_distinct(id);
  }
  return *entries;
}
// The bytes of a SendMessageBatch entry as AWS counts them towards the
// batch's 1 MiB: the body and each attribute's name, type and value.
size_t entry_size(const json::object& e) {
  auto len = [](const json::value* v) { return v && v->is_string() ? v->as_string().size() : size_t(0); };
  size_t n = len(e.if_contains("MessageBody"));
  if (auto* attrs = e.if_contains("MessageAttributes"); attrs && attrs->is_object())
    for (auto& kv : attrs->as_object()) {
      n += kv.key().size();
      if (!kv.value().is_object()) continue;
      auto& a = kv.value().as_object();
      n += len(a.if_contains("DataType")) + len(a.if_contains("StringValue")) + len(a.if_contains("BinaryValue"));
    }
  return n;
}

json::object batch_error(const std::string& id, const ApiError& e) {
  json::object o;
  o["Id"] = id;
  o["SenderFault"] = e.sender_fault;
  o["Code"] = e.code;
  o["Message"] = e.message;
  return o;
}

}  // namespace

json::object message_json(const QueueState& q, const sqs::Message& m, const std::string& handle, int64_t receive_count,
                          int64_t first_receive, bool all_sys, const std::set<std::string>& sys,
                          const std::vector<std::string>& user) {
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

namespace {

// The message a receipt handle names in `q`, or AWS's error.
const sqs::Message* by_handle(const QueueState& q, std::string_view handle) {
  auto h = parse_handle(handle);
  if (!h || h->queue != q.meta.name()) throw receipt_handle_is_invalid(handle);
  return q.find(h->message_id);
}

// Checks one visibility change; returns the new deadline.
int64_t visibility_change(const QueueState& q, const CallContext& ctx, std::string_view handle, std::optional<int64_t> timeout,
                          const sqs::Message** msg) {
  if (!timeout) throw missing_parameter("VisibilityTimeout");
  if (*timeout < 0 || *timeout > kMaxVisibility)
    throw invalid_parameter_value("Value " + std::to_string(*timeout) + " for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer between 0 and 43200");
  const sqs::Message* m = by_handle(q, handle);
  if (!m || m->receive_count() == 0 || m->visible_at_ms() <= ctx.now_ms || q.expired(*m, ctx.now_ms))
    throw message_not_inflight(handle);
  *msg = m;
  return ctx.now_ms + *timeout * 1000;
}

}  // namespace

void SqsService::send_message(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
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

void SqsService::send_message_batch(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  const json::array& entries = batch_entries(in, "Entries", "SendMessageBatchRequestEntry");
  if (q.fifo()) {
    // A FIFO entry without its group (or, without content-based
    // deduplication, its deduplication id) fails the whole request, as AWS.
    const bool content_dedup = is_true(q.attr("ContentBasedDeduplication"));
    for (auto& e : entries) {
      auto present = [&](std::string_view k) {
        auto* v = e.as_object().if_contains(k);
        return v && v->is_string() && !v->as_string().empty();
      };
      if (!content_dedup && !present("MessageDeduplicationId")) throw dedup_id_required();
      if (!present("MessageGroupId")) throw missing_group_id_in_batch();
    }
  }
  size_t total = 0;
  for (auto& e : entries) total += entry_size(e.as_object());
  if (static_cast<int64_t>(total) > kMaxMessageSize) throw batch_request_too_long(kMaxMessageSize, total);
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

void SqsService::receive_message(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  int64_t max = in.opt_int("MaxNumberOfMessages").value_or(1);
  if (max < 1 || max > 10)
    throw invalid_parameter_value("Value " + std::to_string(max) + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
  auto vt_in = in.opt_int("VisibilityTimeout");
  if (vt_in && (*vt_in < 0 || *vt_in > kMaxVisibility))
    throw invalid_parameter_value("Value " + std::to_string(*vt_in) + " for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.");
  int64_t vt = vt_in.value_or(q.attr_int("VisibilityTimeout"));
  auto wait_in = in.opt_int("WaitTimeSeconds");
  if (wait_in && (*wait_in < 0 || *wait_in > 20))
    throw invalid_parameter_value("Value " + std::to_string(*wait_in) + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
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
          throw invalid_attribute_name(s);
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
  const bool received = rec->received_size() > 0, moved = rec->moved_size() > 0;  // rec points into ev
  if (received || moved) {
    d.add(std::move(ev));
    if (moved) d.notify.push_back(notify_key(ctx, redrive->dlq));
  }
  if (!received && wait > 0 && !d.has_events()) {
    LongPoll lp;
    lp.key = notify_key(ctx, q.meta.name());
    lp.until_ms = now + wait * 1000;
    lp.wake_at_ms = std::min(lp.until_ms, next_due);
    d.wait = std::move(lp);
  }
}

void SqsService::delete_message(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  std::string handle(in.str("ReceiptHandle"));
  const sqs::Message* m = by_handle(q, handle);
  if (!m) return;  // already gone: AWS answers success
  if (q.fifo() && m->receipt_handle() != handle)
    throw receipt_handle_is_invalid_expired();
  sqs::Event ev;
  ev.mutable_messages_deleted()->set_queue(q.meta.name());
  ev.mutable_messages_deleted()->add_message_ids(m->message_id());
  d.add(std::move(ev));
  if (q.fifo()) d.notify.push_back(notify_key(ctx, q.meta.name()));  // the group unlocks
}

void SqsService::delete_message_batch(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
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
        throw receipt_handle_is_invalid_expired();
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

void SqsService::change_visibility(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
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

void SqsService::change_visibility_batch(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
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

// Messages from other services (SNS subscriptions, S3 event
// notifications): Delivery kind "message" with input
//   QueueArn, MessageBody, MessageAttributes? ({name: {DataType,
//   StringValue | BinaryValue (base64)}}), MessageGroupId?,
//   MessageDeduplicationId?, DeadLetterQueueArn?
// validated as SendMessage would be. A message the queue rejects (or a
// queue that does not exist) goes to DeadLetterQueueArn when that names a
// queue here, else it is dropped, as AWS drops what it cannot deliver.
// One Sent event per queue, sequence numbers assigned as a batch's are.
void SqsService::deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& d) const {
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
    d.add(std::move(p.ev));
    d.notify.push_back(notify_key(ctx, name));
  }
}

}  // namespace podstack::sqs
