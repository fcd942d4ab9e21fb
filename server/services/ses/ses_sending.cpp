// SES sending, v1: SendEmail, SendRawEmail, SendTemplatedEmail,
// SendBulkTemplatedEmail, GetSendQuota, GetSendStatistics; the send() core
// both APIs use (checks, the Sent event, the SMTP relay, the SNS events);
// the outbox (pending_effects(), effect_attempted()); and podstack's
// /_aws/ses view of the mail sent (__ListMessages, __DeleteMessages).
// https://docs.aws.amazon.com/ses/latest/APIReference/API_SendEmail.html
#include <algorithm>
#include <cstdio>

#include "server/services/arn.h"
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_mail.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr uint32_t kMaxRelayAttempts = 4;
constexpr int64_t kRelayBackoffMs = 500;  // doubled after each failed attempt

// AWS-shaped message ids: the send time in hex first, so they sort by time.
std::string new_message_id(int64_t now_ms) {
  char head[32];
  snprintf(head, sizeof head, "%016llx", static_cast<unsigned long long>(now_ms));
  return std::string(head) + "-" + random_uuid() + "-000000";
}

json::object message_json(const SentMessage& m) {
  json::object o{{"Id", m.id()}, {"Region", m.region()}, {"Timestamp", iso_ms(m.timestamp_ms())}, {"Source", m.source()}};
  if (m.has_destination()) {
    json::object dst{{"ToAddresses", to_array(m.destination().to())}};
    if (!m.destination().cc().empty()) dst["CcAddresses"] = to_array(m.destination().cc());
    if (!m.destination().bcc().empty()) dst["BccAddresses"] = to_array(m.destination().bcc());
    o["Destination"] = std::move(dst);
  }
  if (m.raw()) {
    o["RawData"] = m.raw_data();
  } else if (m.templated()) {
    o["Template"] = m.template_();
    o["TemplateData"] = m.template_data();
  } else {
    o["Subject"] = m.subject();
    o["Body"] = json::object{{"text_part", m.text().empty() ? json::value(nullptr) : json::value(m.text())},
                             {"html_part", m.html().empty() ? json::value(nullptr) : json::value(m.html())}};
  }
  return o;
}

}  // namespace

// ---- sending ----
// Validates and records one mail: the Sent event, its relay (SMTP_HOST)
// and its SNS events. Returns the message id.
std::string SesService::send(const Outgoing& o, const CallContext& ctx, Decision& out, const Errors& err) const {
  const ConfigurationSet* cs = nullptr;
  if (!o.configuration_set.empty() && !(cs = find_config_set(ctx, o.configuration_set)))
    throw err.config_set_missing(o.configuration_set);
  check_sending_enabled(ctx, cs, err);  // issue 18: paused account or configuration set
  std::string from = ses::addr_spec(o.source);
  if (!ses::valid_address(from)) throw err.invalid("Missing final '@domain'");
  std::vector<std::string> recipients;
  if (o.kind == Outgoing::kRaw) {
    recipients = o.raw_recipients;
  } else {
    for (auto* list : {&o.to, &o.cc, &o.bcc})
      for (auto& a : *list) recipients.push_back(ses::addr_spec(a));
  }
  if (recipients.empty()) throw err.invalid("Missing required header 'To'.");
  if (recipients.size() > kMaxRecipients) throw err.invalid("Recipient count exceeds 50.");
  for (auto& r : recipients)
    if (!ses::valid_address(r)) throw err.invalid("Missing final '@domain'");
  const Identity* identity = sending_identity(ctx, from);
  if (!identity)
    throw message_rejected(ctx.region, from);

  std::string id = new_message_id(ctx.now_ms);
  SentMessage m;
  m.set_id(id);
  m.set_region(ctx.region);
  m.set_timestamp_ms(ctx.now_ms);
  m.set_source(o.source);
  if (o.has_destination) {
    m.mutable_destination();  // present even when empty
    for (auto& a : o.to) m.mutable_destination()->add_to(a);
    for (auto& a : o.cc) m.mutable_destination()->add_cc(a);
    for (auto& a : o.bcc) m.mutable_destination()->add_bcc(a);
  }

  // The message as it would leave SES, and what the SNS events quote of it.
  std::string body;
  Rendered rendered;
  switch (o.kind) {
    case Outgoing::kSimple:
      m.set_subject(o.subject);
      m.set_text(o.text);
      m.set_html(o.html);
      rendered.subject = o.subject;
      rendered.text = o.text;
      rendered.html = o.html;
      break;
    case Outgoing::kRaw:
      m.set_raw(true);
      m.set_raw_data(o.raw);
      body = o.raw;
      break;
    case Outgoing::kTemplate: {
      m.set_templated(true);
      m.set_template_(o.template_name);
      m.set_template_data(o.template_data);
      bool ok = false;
      json::object data = template_data(o.template_data, ok);
      rendered = render_template(*o.tmpl, data);
      break;
    }
  }
  if (o.kind != Outgoing::kRaw && rendered.ok) {
    MailContent c;
    c.from = o.source;
    c.to = o.to;
    c.cc = o.cc;
    c.reply_to = o.reply_to;
    c.subject = rendered.subject;
    c.text = rendered.text;
    c.html = rendered.html;
    c.message_id = id;
    c.date_ms = ctx.now_ms;
    body = ses::build_message(c);
  }

  // The "mail" object of SES's SNS events.
  Headers headers = ses::parse_headers(body);
  json::array hdrs;
  for (auto& [k, v] : headers) hdrs.push_back(json::object{{"name", k}, {"value", v}});
  json::object common{{"from", json::array{json::value(ses::header_value(headers, "From").empty() ? o.source : ses::header_value(headers, "From"))}}};
  if (auto to = ses::address_list(ses::header_value(headers, "To")); !to.empty()) common["to"] = to_array(to);
  if (auto cc = ses::address_list(ses::header_value(headers, "Cc")); !cc.empty()) common["cc"] = to_array(cc);
  common["messageId"] = id;
  if (std::string s = ses::header_value(headers, "Subject"); !s.empty()) common["subject"] = s;
  else if (o.kind == Outgoing::kTemplate) common["subject"] = o.tmpl->subject();
  json::object tags{{"ses:operation", json::array{json::value(o.operation)}},
                    {"ses:source-ip", json::array{json::value("127.0.0.1")}},
                    {"ses:from-domain", json::array{json::value(ses::domain_of(from))}},
                    {"ses:caller-identity", json::array{json::value("root")}}};
  if (cs) tags["ses:configuration-set"] = json::array{json::value(cs->name())};
  for (auto& [k, v] : o.tags) tags[k] = json::array{json::value(v)};
  json::object mail{{"timestamp", iso_ms(ctx.now_ms)},
                    {"source", o.source},
                    {"sourceArn", arn_prefix(ctx.region) + "ses:" + ctx.region + ":" + ctx.account + ":identity/" + identity->name()},
                    {"sendingAccountId", ctx.account},
                    {"messageId", id},
                    {"destination", to_array(recipients)},
                    {"headersTruncated", false},
                    {"headers", hdrs},
                    {"commonHeaders", common},
                    {"tags", tags}};

  // Who hears of it: enabled SNS destinations of the configuration set by
  // event type, and the identity's delivery topic.
  auto wants = [&](std::string_view type) {
    std::vector<std::string> topics;
    if (cs)
      for (auto& dst : cs->destinations())
        if (dst.enabled() && !dst.sns_topic_arn().empty() &&
            std::find(dst.event_types().begin(), dst.event_types().end(), type) != dst.event_types().end())
          topics.push_back(dst.sns_topic_arn());
    return topics;
  };
  for (auto& t : wants("SEND")) publish(out, t, ses::event_message("Send", mail, "send", json::object(), false));
  std::vector<Notify> on_delivery;
  if (rendered.ok) {
    for (auto& t : wants("DELIVERY")) {
      Notify n;
      n.set_topic_arn(t);
      on_delivery.push_back(n);
    }
    if (!identity->delivery_topic().empty()) {
      Notify n;
      n.set_topic_arn(identity->delivery_topic());
      n.set_identity_notification(true);
      on_delivery.push_back(n);
    }
  } else {
    // AWS accepts the mail and then fails to render it: a Rendering Failure
    // event, nothing delivered.
    json::object failure{{"errorMessage", "Attribute '" + rendered.missing + "' is not present in the rendering data."},
                         {"templateName", o.template_name}};
    for (auto& t : wants("RENDERING_FAILURE"))
      publish(out, t, ses::event_message("Rendering Failure", mail, "failure", failure, false));
  }

  Event ev;
  auto* sent = ev.mutable_sent();
  sent->set_recipients(static_cast<int64_t>(recipients.size()));
  bool relay = rendered.ok && !smtp_host_.empty();
  if (relay) {
    m.set_relay("pending");
    auto* r = sent->mutable_relay();
    r->set_id(id);
    r->set_target(smtp_host_);
    r->set_mail_from(from);
    for (auto& a : recipients)
      if (std::find(r->rcpt_to().begin(), r->rcpt_to().end(), a) == r->rcpt_to().end()) r->add_rcpt_to(a);
    r->set_body(body);
    r->set_mail_json(json::serialize(mail));
    r->set_sent_ms(ctx.now_ms);
    for (auto& n : on_delivery) *r->add_on_delivery() = n;
    out.effects = true;
  } else if (rendered.ok) {
    // No relay: delivered to podstack's mailbox (GET /_aws/ses) at once.
    json::object delivery{{"timestamp", iso_ms(ctx.now_ms)},
                          {"processingTimeMillis", 0},
                          {"recipients", to_array(recipients)},
                          {"smtpResponse", "250 2.6.0 Message received"},
                          {"reportingMTA", "podstack"}};
    for (auto& n : on_delivery)
      publish(out, n.topic_arn(), ses::event_message("Delivery", mail, "delivery", delivery, n.identity_notification()));
  }
  *sent->mutable_message() = std::move(m);
  out.add(std::move(ev));
  return id;
}

void SesService::send_email(const Request& req, Decision& out) const {
  Outgoing o;
  o.operation = "SendEmail";
  o.source = std::string(req.in.str("Source"));
  read_destination(req.in.object("Destination"), o);
  o.reply_to = strings(req.in.array("ReplyToAddresses"));
  o.configuration_set = req.in.str_or("ConfigurationSetName", "");
  read_tags(req.in.array("Tags"), o.tags);
  if (const json::object* msg = req.in.object("Message")) {
    Input m(*msg);
    if (auto* s = m.object("Subject")) o.subject = Input(*s).str_or("Data", "");
    if (auto* b = m.object("Body")) {
      Input body(*b);
      if (auto* t = body.object("Text")) o.text = Input(*t).str_or("Data", "");
      if (auto* h = body.object("Html")) o.html = Input(*h).str_or("Data", "");
    }
  }
  out.output = json::object{{"MessageId", send(o, req.ctx, out, kV1)}};
}

void SesService::send_raw_email(const Request& req, Decision& out) const {
  Outgoing o;
  o.operation = "SendRawEmail";
  std::string raw;
  if (auto* rm = req.in.object("RawMessage")) raw = Input(*rm).str_or("Data", "");
  read_raw(std::move(raw), req.in.str_or("Source", ""), strings(req.in.array("Destinations")), o, kV1);
  o.configuration_set = req.in.str_or("ConfigurationSetName", "");
  read_tags(req.in.array("Tags"), o.tags);
  out.output = json::object{{"MessageId", send(o, req.ctx, out, kV1)}};
}

void SesService::send_templated_email(const Request& req, Decision& out) const {
  Outgoing o;
  o.operation = "SendTemplatedEmail";
  o.kind = Outgoing::kTemplate;
  o.source = std::string(req.in.str("Source"));
  read_destination(req.in.object("Destination"), o);
  o.reply_to = strings(req.in.array("ReplyToAddresses"));
  o.configuration_set = req.in.str_or("ConfigurationSetName", "");
  read_tags(req.in.array("Tags"), o.tags);
  o.template_name = template_name_of(req.in, "Template", "TemplateArn");
  o.template_data = std::string(req.in.str("TemplateData"));
  check_template_data(o.template_data, kV1);
  o.tmpl = &template_or_throw(req.ctx, o.template_name, kV1);
  out.output = json::object{{"MessageId", send(o, req.ctx, out, kV1)}};
}

void SesService::send_bulk_templated_email(const Request& req, Decision& out) const {
  Outgoing base;
  base.operation = "SendBulkTemplatedEmail";
  base.kind = Outgoing::kTemplate;
  base.source = std::string(req.in.str("Source"));
  base.reply_to = strings(req.in.array("ReplyToAddresses"));
  base.configuration_set = req.in.str_or("ConfigurationSetName", "");
  base.template_name = template_name_of(req.in, "Template", "TemplateArn");
  base.tmpl = &template_or_throw(req.ctx, base.template_name, kV1);
  std::string defaults_raw = req.in.str_or("DefaultTemplateData", "{}");
  check_template_data(defaults_raw, kV1);
  bool ok = false;
  json::object defaults = template_data(defaults_raw, ok);
  const json::array* dests = req.in.array("Destinations");
  if (!dests || dests->empty()) throw invalid_parameter_value("Destinations must not be empty.");
  if (dests->size() > kMaxRecipients) throw invalid_parameter_value("Too many destinations.");
  if (!sending_identity(req.ctx, ses::addr_spec(base.source)))  // the whole call fails, as in AWS
    throw message_rejected(req.ctx.region, ses::addr_spec(base.source));
  json::array status;
  for (auto& dv : *dests) {
    Input di(dv.as_object());
    Outgoing o = base;
    read_destination(di.object("Destination"), o);
    read_tags(req.in.array("DefaultTags"), o.tags);
    read_tags(di.array("ReplacementTags"), o.tags);
    // Replacement data overrides the defaults key by key.
    json::object data = defaults;
    if (auto repl = di.opt_str("ReplacementTemplateData")) {
      json::object r = template_data(*repl, ok);
      if (!ok) {
        status.push_back(json::object{{"Status", "InvalidParameterValue"}, {"Error", "Template data must be a JSON object."}});
        continue;
      }
      for (auto& kv : r) data[kv.key()] = kv.value();
    }
    o.template_data = json::serialize(data);
    try {
      std::string id = send(o, req.ctx, out, kV1);
      status.push_back(json::object{{"Status", "Success"}, {"MessageId", id}});
    } catch (const ApiError& e) {
      status.push_back(json::object{{"Status", e.code == "MessageRejected" ? "MessageRejected" : "InvalidParameterValue"},
                                    {"Error", e.message}});
    }
  }
  out.output = json::object{{"Status", std::move(status)}};
}

// ---- quotas and statistics ----
int64_t SesService::sent_last_24h(const CallContext& ctx) const {
  int64_t n = 0;
  if (const SesPartition* p = part(ctx))
    for (auto& [start, count] : p->buckets)
      if (start + kBucketMs > ctx.now_ms - kDayMs) n += count;
  return n;
}

void SesService::get_send_quota(const Request& req, Decision& out) const {
  out.output = json::object{{"Max24HourSend", kMax24HourSend},
                          {"MaxSendRate", kMaxSendRate},
                          {"SentLast24Hours", static_cast<double>(sent_last_24h(req.ctx))}};
}

void SesService::get_send_statistics(const Request& req, Decision& out) const {
  json::array points;
  if (const SesPartition* p = part(req.ctx))
    for (auto& [start, count] : p->buckets)
      if (start + kStatisticsKeptMs >= req.ctx.now_ms)
        points.push_back(json::object{{"Timestamp", static_cast<double>(start) / 1000},
                                      {"DeliveryAttempts", count},
                                      {"Bounces", 0},
                                      {"Complaints", 0},
                                      {"Rejects", 0}});
  out.output = json::object{{"SendDataPoints", std::move(points)}};
}

// ---- outbox ----
void SesService::pending_effects(std::vector<Effect>& out) const {
  for (auto& [key, p] : state().partitions())
    for (auto& [id, r] : p.relays) {
      Effect e;
      e.id = id;
      e.account = key.first;
      e.region = key.second;
      e.kind = "smtp";
      e.target = r.target();
      e.body = r.body();
      e.mail_from = r.mail_from();
      e.rcpt_to.assign(r.rcpt_to().begin(), r.rcpt_to().end());
      e.attempts = r.attempts();
      e.not_before_ms = r.not_before_ms();
      out.push_back(std::move(e));
    }
}

void SesService::effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const {
  const SesPartition* p = part(ctx);
  if (!p) return;
  auto it = p->relays.find(attempt.id);
  if (it == p->relays.end()) return;  // already recorded
  const Relay& r = it->second;
  Event ev;
  auto* a = ev.mutable_relay_attempted();
  a->set_id(attempt.id);
  a->set_ok(attempt.ok);
  a->set_status(attempt.status);
  a->set_detail(attempt.detail);
  a->set_started_ms(attempt.started_ms);
  a->set_finished_ms(attempt.finished_ms);
  if (!attempt.ok && r.attempts() + 1 < kMaxRelayAttempts)
    a->set_retry_at_ms(attempt.finished_ms + (kRelayBackoffMs << r.attempts()));
  if (attempt.ok && !r.on_delivery().empty()) {
    boost::system::error_code ec;
    json::value mail = json::parse(r.mail_json(), ec);
    if (!ec && mail.is_object()) {
      json::object delivery{{"timestamp", iso_ms(attempt.finished_ms)},
                            {"processingTimeMillis", attempt.finished_ms - r.sent_ms()},
                            {"recipients", to_array(r.rcpt_to())},
                            {"smtpResponse", std::to_string(attempt.status) + " OK"},
                            {"reportingMTA", r.target()}};
      for (auto& n : r.on_delivery())
        publish(out, n.topic_arn(), ses::event_message("Delivery", mail.as_object(), "delivery", delivery, n.identity_notification()));
    }
  }
  out.add(std::move(ev));
}

// ---- /_aws/ses ----
// Every partition's mail matching ?id= and ?email= (the Source), oldest first.
template <class F>
void SesService::each_message(const Input& in, F f) const {
  std::string id = in.str_or("id", ""), email = in.str_or("email", "");
  for (auto& [key, p] : state().partitions())
    for (auto& [mid, m] : p.messages) {
      if (!id.empty() && mid != id) continue;
      if (!email.empty() && m.source() != email) continue;
      f(key, m);
    }
}

void SesService::list_messages(const Request& req, Decision& out) const {
  std::vector<const SentMessage*> found;
  each_message(req.in, [&](auto&, const SentMessage& m) { found.push_back(&m); });
  std::stable_sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->timestamp_ms() < b->timestamp_ms(); });
  json::array result;
  for (auto* m : found) result.push_back(message_json(*m));
  out.output = json::object{{"messages", std::move(result)}};
}

void SesService::delete_messages(const Request& req, Decision& out) const {
  Event ev;
  each_message(req.in, [&](const SesState::Partitions::Key& key, const SentMessage& m) {
    auto* one = ev.mutable_messages_deleted()->add_messages();
    one->set_account(key.first);
    one->set_region(key.second);
    one->set_id(m.id());
  });
  if (ev.messages_deleted().messages_size() > 0) out.add(std::move(ev));
}

}  // namespace podstack::ses
