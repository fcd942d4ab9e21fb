// SNS publishing: Publish (to a topic, a phone number or a platform
// endpoint) and PublishBatch; the fan-out to a topic's subscriptions; the
// deliveries other services make into SNS (deliver(), kind "publish"); and
// the outbox of HTTP/SMTP effects (pending_effects(), effect_attempted()).
// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
#include <algorithm>
#include <map>
#include <set>

#include "base/digest.h"
#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sns/filter_policy.h"
#include "server/services/sns/sns_errors.h"
#include "server/services/sns/sns_service.h"
#include "server/services/sns/sns_util.h"

namespace podstack::sns {
namespace {

constexpr int64_t kMaxMessageSize = 262144;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr size_t kMaxMessageAttributes = 10;
constexpr size_t kMaxBatch = 10;
// Outbox retry policy (podstack's, documented in README): three attempts, the
// second 1 s after the first fails, the third 2 s after the second.
constexpr uint32_t kMaxAttempts = 3;
constexpr int64_t kBackoffMs[] = {1000, 2000};
constexpr std::string_view kMailFrom = "admin@localstack.cloud";

bool valid_batch_id(std::string_view id) {
  return !id.empty() && id.size() <= 80 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string sequence_number(uint64_t seq) {
  std::string s = std::to_string(seq);
  return std::string(s.size() < 20 ? 20 - s.size() : 0, '0') + s;
}

// A message attribute as published (binary values raw).
struct Attr {
  std::string type, string_value, binary_value;
};
using Attrs = std::map<std::string, Attr>;

// One message to fan out.
struct Outgoing {
  std::string message_id;
  std::string message;                  // the default message
  std::string structure;                // "json": per_protocol holds the parsed Message
  json::object per_protocol;
  std::string subject;
  Attrs attrs;
  std::string group_id, dedup_id, sequence_number;  // FIFO (group_id also on standard topics)
  std::string dedup_key;  // what the topic's dedup record holds (see read_fifo)
};

// The dead-letter queue ARN of a subscription's RedrivePolicy; empty when none.
std::string dead_letter_arn(const Subscription& s) {
  std::string p = sub_attr(s, "RedrivePolicy");
  if (p.empty()) return {};
  boost::system::error_code ec;
  json::value v = json::parse(p, ec);
  if (ec || !v.is_object()) return {};
  auto* a = v.as_object().if_contains("deadLetterTargetArn");
  return a && a->is_string() ? std::string(a->as_string()) : std::string();
}

json::object envelope_attributes(const Attrs& attrs) {
  json::object o;
  for (auto& [n, a] : attrs)
    o[n] = json::object{{"Type", a.type},
                        {"Value", a.type.rfind("Binary", 0) == 0 ? protocol::base64_encode(a.binary_value) : a.string_value}};
  return o;
}

// SQS JSON-protocol shape of raw delivery attributes.
json::object sqs_attributes(const Attrs& attrs) {
  json::object o;
  for (auto& [n, a] : attrs) {
    json::object v{{"DataType", a.type}};
    if (a.type.rfind("Binary", 0) == 0) v["BinaryValue"] = protocol::base64_encode(a.binary_value);
    else v["StringValue"] = a.string_value;
    o[n] = std::move(v);
  }
  return o;
}

json::object filter_view(const Attrs& attrs) {
  json::object in;
  for (auto& [n, a] : attrs)
    if (a.type.rfind("Binary", 0) != 0) in[n] = json::object{{"DataType", a.type}, {"StringValue", a.string_value}};
  return attributes_for_filter(in);
}

void to_proto(const Attrs& attrs, google::protobuf::Map<std::string, MessageAttribute>& out) {
  for (auto& [n, a] : attrs) {
    MessageAttribute& m = out[n];
    m.set_data_type(a.type);
    m.set_string_value(a.string_value);
    m.set_binary_value(a.binary_value);
  }
}
// Validates and reads MessageAttributes (the input shape; binary values raw).
Attrs read_attributes(const json::object* in) {
  Attrs out;
  if (!in) return out;
  if (in->size() > kMaxMessageAttributes)
    throw invalid_parameter("MessageAttributes Reason: Number of message attributes [" + std::to_string(in->size()) +
                            "] exceeds the allowed maximum [10].");
  for (auto& kv : *in) {
    std::string name(kv.key());
    // AWS. and Amazon. are reserved, except SNS's own (AWS.SNS.SMS.SMSType, AWS.MM.SMS.OriginationNumber, ...).
    bool reserved = (name.rfind("AWS.", 0) == 0 && name.rfind("AWS.SNS.", 0) != 0 && name.rfind("AWS.MM.", 0) != 0) ||
                    name.rfind("Amazon.", 0) == 0;
    bool name_ok = !name.empty() && name.size() <= 256 && !reserved &&
                   name.front() != '.' && name.back() != '.' && name.find("..") == std::string::npos &&
                   std::all_of(name.begin(), name.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
                   });
    if (!name_ok) throw invalid_parameter("MessageAttributes Reason: Message attribute name '" + name + "' is invalid.");
    if (!kv.value().is_object()) throw invalid_parameter("The message attribute '" + name + "' is invalid.");
    const auto& o = kv.value().as_object();
    auto str = [&](std::string_view k) -> std::optional<std::string> {
      auto* x = o.if_contains(k);
      if (!x || !x->is_string()) return std::nullopt;
      return std::string(x->as_string());
    };
    Attr a;
    a.type = str("DataType").value_or("");
    std::string base = a.type.substr(0, a.type.find('.'));
    if (a.type.empty() || (base != "String" && base != "Number" && base != "Binary"))
      throw invalid_parameter("The message attribute '" + name +
                              "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
    if (base == "Binary") {
      auto b = str("BinaryValue");
      if (!b) throw invalid_parameter("The message attribute '" + name + "' with type 'Binary' must use field 'Binary'.");
      a.binary_value = *b;
    } else {
      auto s = str("StringValue");
      if (!s || s->empty())
        throw invalid_parameter("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" +
                                base + "'.");
      a.string_value = *s;
      if (base == "Number") {
        char* end = nullptr;
        std::strtod(s->c_str(), &end);
        if (!end || *end) throw invalid_parameter("Could not cast message attribute '" + name + "' value to number.");
      }
      if (a.type == "String.Array") {
        boost::system::error_code ec;
        json::value arr = json::parse(*s, ec);
        if (ec || !arr.is_array())
          throw invalid_parameter("The message attribute '" + name + "' with type 'String.Array' has an invalid value: '" + *s +
                                  "'. The value must be a valid JSON array.");
      }
    }
    out[name] = std::move(a);
  }
  return out;
}

// Validates Message/Subject/MessageStructure/MessageAttributes of one
// Publish (or batch entry) into `m` (no ids yet).
Outgoing read_message(const Input& in) {
  Outgoing m;
  m.message = std::string(in.str("Message"));
  if (m.message.empty()) throw invalid_parameter("Empty message");
  m.subject = in.str_or("Subject", "");
  if (in.has("Subject")) {
    bool ok = !m.subject.empty() && m.subject.size() < 100 &&
              std::all_of(m.subject.begin(), m.subject.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (!ok) throw invalid_parameter("Subject");
  }
  m.structure = in.str_or("MessageStructure", "");
  if (!m.structure.empty()) {
    if (m.structure != "json") throw invalid_parameter("MessageStructure");
    boost::system::error_code ec;
    json::value v = json::parse(m.message, ec);
    if (ec || !v.is_object()) throw invalid_parameter("Message Structure - JSON message body failed to parse");
    auto* def = v.as_object().if_contains("default");
    if (!def || !def->is_string()) throw invalid_parameter("Message Structure - No default entry in JSON message body");
    m.per_protocol = std::move(v.as_object());
  }
  m.attrs = read_attributes(in.object("MessageAttributes"));
  size_t size = m.message.size();
  for (auto& [n, a] : m.attrs) size += n.size() + a.type.size() + a.string_value.size() + a.binary_value.size();
  if (static_cast<int64_t>(size) > kMaxMessageSize)
    throw invalid_parameter("Message too long");
  return m;
}

// FIFO fields of one message for topic `t`; returns the dedup entry that
// hides it, if any (`batch`: dedup ids taken earlier in the same batch).
const Dedup* read_fifo(const Topic& t, const Input& in, Outgoing& m, const CallContext& ctx,
                       std::map<std::string, Dedup>& batch) {
  std::string group = in.str_or("MessageGroupId", "");
  std::string dedup = in.str_or("MessageDeduplicationId", "");
  auto valid_id = [](const std::string& s) {
    return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  };
  if (!fifo(t)) {
    if (in.has("MessageDeduplicationId"))
      throw invalid_parameter("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
    // Standard topics (2025): an optional MessageGroupId, validated as on a
    // FIFO topic and forwarded only to SQS standard queues (fair queues).
    if (in.has("MessageGroupId")) {
      if (!valid_id(group)) throw invalid_parameter("MessageGroupId Reason: " + group + " is not valid");
      m.group_id = group;
    }
    return nullptr;
  }
  if (group.empty()) throw invalid_parameter("The MessageGroupId parameter is required for FIFO topics");
  if (dedup.empty()) {
    if (!is_true(topic_attr(t, "ContentBasedDeduplication")))
      throw invalid_parameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    dedup = sha256_hex(m.message);
  }
  for (auto* s : {&group, &dedup})
    if (!valid_id(*s)) throw invalid_parameter(std::string(s == &group ? "MessageGroupId" : "MessageDeduplicationId") + " Reason: " + *s + " is not valid");
  m.group_id = group;
  m.dedup_id = dedup;
  // FifoThroughputScope=MessageGroup: deduplication within the message group
  // only; the recorded key is then "<group>\n<dedup id>" (a group id has no
  // newline), Topic (the default) the dedup id alone.
  std::string key = topic_attr(t, "FifoThroughputScope") == "MessageGroup" ? group + "\n" + dedup : dedup;
  if (auto it = batch.find(key); it != batch.end()) return &it->second;
  for (auto& dd : t.dedup())
    if (dd.dedup_id() == key && dd.expires_ms() > ctx.now_ms) return &dd;
  m.dedup_key = std::move(key);
  return nullptr;
}

// The message one protocol receives (MessageStructure=json: its own key, else "default").
std::string message_for(const Outgoing& m, std::string_view protocol) {
  if (m.structure != "json") return m.message;
  if (auto* v = m.per_protocol.if_contains(protocol); v && v->is_string()) return std::string(v->as_string());
  return std::string(m.per_protocol.at("default").as_string());
}

// AWS's JSON envelope of a notification.
std::string envelope(const Outgoing& m, const std::string& arn_topic, const std::string& message,
                     const std::string& sub_arn, const CallContext& ctx) {
  std::string timestamp = protocol::iso8601(ctx.now());
  json::object o;
  o["Type"] = "Notification";
  o["MessageId"] = m.message_id;
  if (!m.sequence_number.empty()) o["SequenceNumber"] = m.sequence_number;
  o["TopicArn"] = arn_topic;
  if (!m.subject.empty()) o["Subject"] = m.subject;
  o["Message"] = message;
  o["Timestamp"] = timestamp;
  o["SignatureVersion"] = "1";
  o["Signature"] = signature("Message\n" + message + "\nMessageId\n" + m.message_id + "\n" +
                             (m.subject.empty() ? "" : "Subject\n" + m.subject + "\n") + "Timestamp\n" + timestamp +
                             "\nTopicArn\n" + arn_topic + "\nType\nNotification\n");
  o["SigningCertURL"] = signing_cert_url(ctx);
  o["UnsubscribeURL"] = base_url(ctx) + "/?Action=Unsubscribe&SubscriptionArn=" + sub_arn;
  if (!m.attrs.empty()) o["MessageAttributes"] = envelope_attributes(m.attrs);
  return json::serialize(o);
}

void record(Published& pub, std::string_view protocol, const std::string& endpoint, const Outgoing& m,
            const std::string& arn_topic, const std::string& sub_arn, const CallContext& ctx) {
  Recorded* r = pub.add_recorded();
  r->set_protocol(std::string(protocol));
  r->set_endpoint(endpoint);
  r->set_message_id(m.message_id);
  r->set_message(protocol == "email-json" ? envelope(m, arn_topic, message_for(m, "email-json"), sub_arn, ctx)
                                          : message_for(m, protocol));
  r->set_subject(m.subject);
  r->set_topic_arn(arn_topic);
  r->set_subscription_arn(sub_arn);
  to_proto(m.attrs, *r->mutable_attributes());
  r->set_message_structure(m.structure);
  r->set_time_ms(ctx.now_ms);
}

// What a failed effect sends to the subscription's RedrivePolicy queue, if any.
void set_dead_letter(PendingEffect& fx, const Subscription& s, const std::string& body, const Attrs* raw_attrs,
                     const CallContext& ctx) {
  std::string dlq = dead_letter_arn(s);
  if (dlq.empty()) return;
  json::object input{{"QueueArn", dlq}, {"MessageBody", body}};
  if (raw_attrs && !raw_attrs->empty()) input["MessageAttributes"] = sqs_attributes(*raw_attrs);
  auto q = parse_arn(dlq);
  fx.set_dead_letter_input(json::serialize(input));
  fx.set_dead_letter_account(q ? q->account : ctx.account);
  fx.set_dead_letter_region(q ? q->region : ctx.region);
}

// Every confirmed subscription of `t` whose filter passes gets `m`.
// `smtp_host`: where email subscriptions are relayed; empty: recorded instead.
void fan_out(const std::string& smtp_host, const Topic& t, const std::string& arn_topic, const Outgoing& m, const CallContext& ctx,
             Published& pub, Decision& out) {
  json::object filter_attrs;
  bool have_filter_attrs = false;
  for (auto& s : t.subscriptions()) {
    if (s.pending()) continue;
    if (std::string policy = sub_attr(s, "FilterPolicy"); !policy.empty()) {
      if (!have_filter_attrs) {
        filter_attrs = filter_view(m.attrs);
        have_filter_attrs = true;
      }
      auto scope = sub_attr(s, "FilterPolicyScope") == "MessageBody" ? FilterScope::kMessageBody
                                                                       : FilterScope::kMessageAttributes;
      if (!filter_matches(policy, scope, filter_attrs, message_for(m, s.protocol()))) continue;
    }
    const std::string& proto = s.protocol();
    bool raw = is_true(sub_attr(s, "RawMessageDelivery"));
    std::string message = message_for(m, proto);
    if (proto == "sqs") {
      auto q = parse_arn(s.endpoint());
      if (!q) continue;
      json::object input{{"QueueArn", s.endpoint()},
                         {"MessageBody", raw ? message : envelope(m, arn_topic, message, s.arn(), ctx)}};
      if (raw && !m.attrs.empty()) input["MessageAttributes"] = sqs_attributes(m.attrs);
      if (ends_with(q->resource, ".fifo")) {  // a FIFO topic may also feed standard queues: no FIFO fields there
        if (!m.group_id.empty()) input["MessageGroupId"] = m.group_id;
        if (!m.dedup_id.empty()) input["MessageDeduplicationId"] = m.dedup_id;
      } else if (!fifo(t) && !m.group_id.empty()) {
        input["MessageGroupId"] = m.group_id;  // a standard topic's group: the queue's fair-queue tenant
      }
      if (std::string dlq = dead_letter_arn(s); !dlq.empty()) input["DeadLetterQueueArn"] = dlq;
      out.deliveries.push_back(Delivery{"sqs", "message", q->account, q->region, std::move(input)});
      pub.set_sqs_deliveries(pub.sqs_deliveries() + 1);
    } else if (proto == "http" || proto == "https") {
      PendingEffect* fx = pub.add_effects();
      fx->set_id(random_uuid());
      fx->set_kind("http");
      fx->set_target(s.endpoint());
      std::string body = raw ? message : envelope(m, arn_topic, message, s.arn(), ctx);
      fx->set_body(body);
      add_http_headers(*fx, "Notification", m.message_id, arn_topic, s.arn(), raw);
      fx->set_not_before_ms(ctx.now_ms);
      fx->set_subscription_arn(s.arn());
      fx->set_purpose("Notification");
      set_dead_letter(*fx, s, body, raw ? &m.attrs : nullptr, ctx);
      out.effects = true;
    } else if ((proto == "email" || proto == "email-json") && !smtp_host.empty()) {
      PendingEffect* fx = pub.add_effects();
      fx->set_id(random_uuid());
      fx->set_kind("smtp");
      fx->set_target(smtp_host);
      fx->set_mail_from(std::string(kMailFrom));
      fx->add_rcpt_to(s.endpoint());
      std::string body = proto == "email" ? message : envelope(m, arn_topic, message, s.arn(), ctx);
      fx->set_body(std::string("From: ") + std::string(kMailFrom) + "\r\nTo: " + s.endpoint() +
                   "\r\nSubject: " + (m.subject.empty() ? "AWS Notification Message" : m.subject) +
                   "\r\nDate: " + protocol::http_date(ctx.now()) + "\r\nMessage-ID: <" + m.message_id +
                   "@podstack>\r\nMIME-Version: 1.0\r\nContent-Type: " +
                   (proto == "email" ? "text/plain" : "application/json") + "; charset=UTF-8\r\n\r\n" + body + "\r\n");
      fx->set_not_before_ms(ctx.now_ms);
      fx->set_subscription_arn(s.arn());
      fx->set_purpose("Notification");
      set_dead_letter(*fx, s, body, nullptr, ctx);
      out.effects = true;
    } else {
      // sms, email without SMTP_HOST, application, lambda, firehose: recorded.
      record(pub, proto, s.endpoint(), m, arn_topic, s.arn(), ctx);
    }
  }
}

void publish_sms(const std::string& phone, Outgoing m, const CallContext& ctx, Decision& out) {
  if (!valid_phone(phone)) throw invalid_parameter("PhoneNumber Reason: " + phone + " is not valid to publish to");
  m.message_id = random_uuid();
  Event ev;
  Published* pub = ev.mutable_published();
  pub->add_message_ids(m.message_id);
  record(*pub, "sms", phone, m, "", "", ctx);
  out.add(std::move(ev));
  out.output = json::object{{"MessageId", m.message_id}};
}

// `ep`: the endpoint `arn` names, if any.
void publish_endpoint(const Endpoint* ep, const std::string& arn, Outgoing m, const CallContext& ctx, Decision& out) {
  if (!ep) throw invalid_parameter("TargetArn Reason: No endpoint found for the target arn specified");
  auto en = ep->attributes().find("Enabled");
  if (en != ep->attributes().end() && !is_true(en->second)) throw endpoint_disabled();
  m.message_id = random_uuid();
  Event ev;
  Published* pub = ev.mutable_published();
  pub->add_message_ids(m.message_id);
  record(*pub, "application", arn, m, "", "", ctx);
  out.add(std::move(ev));
  out.output = json::object{{"MessageId", m.message_id}};
}

}  // namespace

// ---- cross-service: deliveries into SNS (S3 notifications, SES events) ----
void SnsService::deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& out) const {
  const SnsPartition* p = part(ctx);
  for (auto& dl : in) {
    if (dl.kind != "publish" || !p) continue;
    auto* arn_v = dl.input.if_contains("TopicArn");
    auto* msg_v = dl.input.if_contains("Message");
    if (!arn_v || !arn_v->is_string() || !msg_v || !msg_v->is_string()) continue;
    auto arn = parse_arn(arn_v->as_string());
    if (!arn) continue;
    auto it = p->topics.find(arn->resource);
    if (it == p->topics.end()) continue;  // the topic is gone: dropped, as AWS drops it
    Outgoing m;
    m.message_id = random_uuid();
    m.message = std::string(msg_v->as_string());
    if (auto* s = dl.input.if_contains("Subject"); s && s->is_string()) m.subject = std::string(s->as_string());
    if (auto* a = dl.input.if_contains("MessageAttributes"); a && a->is_object())
      for (auto& kv : a->as_object()) {
        if (!kv.value().is_object()) continue;
        const auto& o = kv.value().as_object();
        Attr at;
        if (auto* t = o.if_contains("DataType"); t && t->is_string()) at.type = std::string(t->as_string());
        if (auto* s = o.if_contains("StringValue"); s && s->is_string()) at.string_value = std::string(s->as_string());
        if (auto* b = o.if_contains("BinaryValue"); b && b->is_string())
          at.binary_value = protocol::base64_decode(b->as_string()).value_or("");
        if (!at.type.empty()) m.attrs[std::string(kv.key())] = std::move(at);
      }
    const Topic& t = it->second;
    if (fifo(t)) {
      // A FIFO topic needs a group; deliveries from AWS services do not name one.
      m.group_id = "default";
      m.dedup_id = m.message_id;
    }
    Event ev;
    Published* pub = ev.mutable_published();
    pub->set_topic(t.name());
    if (fifo(t)) {
      pub->set_next_seq(t.next_seq() + 1);
      m.sequence_number = sequence_number(t.next_seq() + 1);
    }
    pub->add_message_ids(m.message_id);
    fan_out(smtp_host_, t, topic_arn(ctx.region, ctx.account, t.name()), m, ctx, *pub, out);
    out.add(std::move(ev));
  }
}

// ---- the outbox ----
void SnsService::pending_effects(std::vector<Effect>& out) const {
  for (auto& [key, part] : state().partitions())
    for (auto& [id, fx] : part.outbox) {
      Effect e;
      e.id = fx.id();
      e.account = key.first;
      e.region = key.second;
      e.kind = fx.kind();
      e.target = fx.target();
      e.body = fx.body();
      for (auto& h : fx.headers()) e.headers.emplace_back(h.name(), h.value());
      e.mail_from = fx.mail_from();
      e.rcpt_to.assign(fx.rcpt_to().begin(), fx.rcpt_to().end());
      e.attempts = fx.attempts();
      e.not_before_ms = fx.not_before_ms();
      out.push_back(std::move(e));
    }
}

void SnsService::effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const {
  const SnsPartition* p = part(ctx);
  if (!p) return;
  auto it = p->outbox.find(attempt.id);
  if (it == p->outbox.end()) return;  // settled meanwhile (state reset)
  const PendingEffect& fx = it->second;
  Event ev;
  EffectAttempted* a = ev.mutable_effect_attempted();
  a->set_id(attempt.id);
  a->set_ok(attempt.ok);
  a->set_status(attempt.status);
  a->set_detail(attempt.detail.substr(0, 200));
  uint32_t attempts = fx.attempts() + 1;
  if (attempt.ok) {
    a->set_done(true);
  } else if (attempts >= kMaxAttempts) {
    a->set_done(true);
    if (!fx.dead_letter_input().empty()) {
      boost::system::error_code ec;
      json::value v = json::parse(fx.dead_letter_input(), ec);
      if (!ec && v.is_object()) {
        out.deliveries.push_back(Delivery{"sqs", "message", fx.dead_letter_account(), fx.dead_letter_region(), v.as_object()});
        a->set_dead_lettered(true);
      }
    }
  } else {
    a->set_retry_at_ms(attempt.finished_ms + kBackoffMs[std::min<size_t>(attempts - 1, std::size(kBackoffMs) - 1)]);
    out.effects = true;
  }
  out.add(std::move(ev));
}

// ---- publish ----
void SnsService::publish(const Request& req, Decision& out) const {
  int targets = req.in.has("TopicArn") + req.in.has("TargetArn") + req.in.has("PhoneNumber");
  if (targets == 0) throw invalid_parameter("TopicArn or TargetArn Reason: no value for required parameter");
  if (targets > 1)
    throw invalid_parameter("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can be specified");
  Outgoing m = read_message(req.in);
  if (auto phone = req.in.opt_str("PhoneNumber")) return publish_sms(std::string(*phone), std::move(m), req.ctx, out);
  std::string arn(req.in.has("TopicArn") ? req.in.str("TopicArn") : req.in.str("TargetArn"));
  if (arn.find(":endpoint/") != std::string::npos) return publish_endpoint(find_endpoint(req.ctx, arn, nullptr), arn, std::move(m), req.ctx, out);
  const Topic& t = topic_of(req.in, req.ctx, req.in.has("TopicArn") ? "TopicArn" : "TargetArn");
  std::map<std::string, Dedup> batch;
  if (const Dedup* dup = read_fifo(t, req.in, m, req.ctx, batch)) {
    // Deduplicated: accepted with the original's ids, delivered once.
    out.output = json::object{{"MessageId", dup->message_id()}, {"SequenceNumber", dup->sequence_number()}};
    return;
  }
  Event ev;
  Published* pub = ev.mutable_published();
  pub->set_topic(t.name());
  m.message_id = random_uuid();
  json::object result{{"MessageId", m.message_id}};
  if (fifo(t)) {
    uint64_t seq = t.next_seq() + 1;
    m.sequence_number = sequence_number(seq);
    pub->set_next_seq(seq);
    Dedup* dd = pub->add_dedup();
    dd->set_dedup_id(m.dedup_key);
    dd->set_message_id(m.message_id);
    dd->set_sequence_number(m.sequence_number);
    dd->set_expires_ms(req.ctx.now_ms + kDedupWindowMs);
    result["SequenceNumber"] = m.sequence_number;
  }
  pub->add_message_ids(m.message_id);
  fan_out(smtp_host_, t, topic_arn_of(req.ctx, t), m, req.ctx, *pub, out);
  out.add(std::move(ev));
  out.output = std::move(result);
}

void SnsService::publish_batch(const Request& req, Decision& out) const {
  const json::array* entries = req.in.array("PublishBatchRequestEntries");
  if (!entries || entries->empty())
    throw empty_batch_request();
  if (entries->size() > kMaxBatch)
    throw too_many_entries_in_batch_request();
  std::set<std::string> ids;
  size_t total = 0;
  for (auto& e : *entries) {
    std::string id = e.is_object() && e.as_object().contains("Id") && e.at("Id").is_string() ? std::string(e.at("Id").as_string()) : "";
    if (!valid_batch_id(id))
      throw invalid_batch_entry_id();
    if (!ids.insert(id).second)
      throw batch_entry_ids_not_distinct();
    if (auto* msg = e.as_object().if_contains("Message"); msg && msg->is_string()) total += msg->as_string().size();
  }
  if (static_cast<int64_t>(total) > kMaxMessageSize)
    throw batch_request_too_long();
  const Topic& t = topic_of(req.in, req.ctx);
  Event ev;
  Published* pub = ev.mutable_published();
  pub->set_topic(t.name());
  std::string arn = topic_arn_of(req.ctx, t);
  uint64_t seq = t.next_seq();
  std::map<std::string, Dedup> batch;
  json::array ok, failed;
  for (auto& e : *entries) {
    const json::object& o = e.as_object();
    std::string id(o.at("Id").as_string());
    try {
      Input ein(o);
      Outgoing m = read_message(ein);
      if (const Dedup* dup = read_fifo(t, ein, m, req.ctx, batch)) {
        ok.push_back(json::object{{"Id", id}, {"MessageId", dup->message_id()}, {"SequenceNumber", dup->sequence_number()}});
        continue;
      }
      m.message_id = random_uuid();
      json::object r{{"Id", id}, {"MessageId", m.message_id}};
      if (fifo(t)) {
        m.sequence_number = sequence_number(++seq);
        Dedup dd;
        dd.set_dedup_id(m.dedup_key);
        dd.set_message_id(m.message_id);
        dd.set_sequence_number(m.sequence_number);
        dd.set_expires_ms(req.ctx.now_ms + kDedupWindowMs);
        batch[m.dedup_key] = dd;
        *pub->add_dedup() = dd;
        r["SequenceNumber"] = m.sequence_number;
      }
      pub->add_message_ids(m.message_id);
      fan_out(smtp_host_, t, arn, m, req.ctx, *pub, out);
      ok.push_back(std::move(r));
    } catch (ApiError& err) {
      failed.push_back(json::object{{"Id", id}, {"Code", err.code}, {"Message", err.message}, {"SenderFault", true}});
    }
  }
  if (fifo(t)) pub->set_next_seq(seq);
  if (pub->message_ids_size()) out.add(std::move(ev));
  out.output = json::object{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
}

}  // namespace podstack::sns
