// Amazon SES, v1 and v2.
//
// One service object serves both APIs (model() is v1's query model,
// rest_model() v2's rest-json one; v2's operations arrive as "v2:<Name>",
// see ServiceModel::operation_prefix), so one lock and one snapshot own the
// state both change. A second Service sharing this one's state (as DynamoDB
// Streams reads DynamoDB's) would take its own lock for writes: unsafe.
//
// State per (account, region): identities, templates, configuration sets,
// the mail sent (GET /_aws/ses, LocalStack's view), sending statistics and
// the SMTP relays not yet done. Like AWS in the sandbox, mail is accepted
// only from a verified address or an address in a verified domain (LocalStack
// verifies every identity at once; so do we). Recipients are not checked.
//
// Outside effects: with SMTP_HOST, each mail is also a pending relay that the
// outbox attempts after commit (retried with backoff, then given up; each
// attempt is an event). Configuration-set event destinations and identity
// notification topics get SNS deliveries (Delivery kind "publish").
//
// AWS references: https://docs.aws.amazon.com/ses/latest/APIReference/ and
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/; event shapes:
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
#include "server/services/ses/ses_service.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "proto/ses.pb.h"
#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/pagination.h"
#include "server/services/ses/ses_mail.h"

namespace podstack {
namespace {

constexpr int64_t kBucketMs = 15 * 60 * 1000;               // GetSendStatistics granularity
constexpr int64_t kStatisticsKeptMs = 14LL * 24 * 3600 * 1000;  // AWS reports two weeks
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr double kMax24HourSend = 200;  // the sandbox quota
constexpr double kMaxSendRate = 1;
constexpr size_t kMaxRecipients = 50;
constexpr uint32_t kMaxRelayAttempts = 4;
constexpr int64_t kRelayBackoffMs = 500;  // doubled after each failed attempt

struct Partition {
  std::map<std::string, ses::Identity, std::less<>> identities;
  std::map<std::string, ses::Template, std::less<>> templates;
  std::map<std::string, ses::ConfigurationSet, std::less<>> config_sets;
  std::map<std::string, ses::SentMessage, std::less<>> messages;  // ids sort by time
  std::map<std::string, ses::Relay, std::less<>> relays;
  std::map<int64_t, int64_t> buckets;  // 15-minute bucket start -> recipients
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> strings(const json::array* a) {
  std::vector<std::string> out;
  if (a)
    for (auto& v : *a)
      if (v.is_string()) out.emplace_back(v.as_string());
  return out;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.emplace_back(s);
  return a;
}

template <class R>
json::array to_array(const R& repeated) {
  json::array a;
  for (auto& s : repeated) a.emplace_back(s);
  return a;
}

std::string iso_ms(int64_t ms) { return protocol::iso8601(static_cast<double>(ms) / 1000); }

// One page of a sorted map as {list_key: [row(name, value)...], NextToken?}; `keep` filters.
template <class Map, class Row, class Keep>
json::object page_of(const Input& in, int64_t default_max, std::string_view max_key, const Map* m, std::string_view list_key,
                     Row row, Keep keep) {
  Page page(in, default_max, max_key);
  json::array out;
  if (m)
    for (auto it = m->upper_bound(page.after()); it != m->end(); ++it) {
      if (!keep(it->second)) continue;
      if (page.full(out.size(), it->first)) break;
      out.push_back(row(it->first, it->second));
    }
  json::object o{{list_key, std::move(out)}};
  page.emit(o);
  return o;
}
template <class Map, class Row>
json::object page_of(const Input& in, int64_t default_max, std::string_view max_key, const Map* m, std::string_view list_key, Row row) {
  return page_of(in, default_max, max_key, m, list_key, row, [](auto&) { return true; });
}

// v2's [{"Key", "Value"}] tags, sorted by key.
json::array tags_json(const google::protobuf::Map<std::string, std::string>& tags) {
  json::array out;
  for (auto& [k, v] : std::map<std::string, std::string>(tags.begin(), tags.end())) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

// The errors the two APIs spell differently.
struct Errors {
  bool v2 = false;
  ApiError invalid(std::string msg) const {
    return ApiError::bad_request(v2 ? "BadRequestException" : "InvalidParameterValue", std::move(msg));
  }
  ApiError not_found(std::string v1_code, std::string msg) const {
    return v2 ? ApiError::make(404, "NotFoundException", std::move(msg)) : ApiError::bad_request(std::move(v1_code), std::move(msg));
  }
  ApiError exists(std::string v1_code, std::string msg) const {
    return ApiError::bad_request(v2 ? "AlreadyExistsException" : std::move(v1_code), std::move(msg));
  }
  ApiError template_missing(std::string_view name) const {
    return not_found("TemplateDoesNotExist", "Template " + std::string(name) + " does not exist.");
  }
  ApiError config_set_missing(std::string_view name) const {
    return not_found("ConfigurationSetDoesNotExist", "Configuration set <" + std::string(name) + "> does not exist.");
  }
};

// v1 spells event types "renderingFailure", v2 "RENDERING_FAILURE"; stored in v2's.
std::string v2_event_type(std::string_view t) {
  std::string out;
  for (char c : t) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty() && out.back() != '_') out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}
std::string v1_event_type(std::string_view t) {
  std::string out;
  bool up = false;
  for (char c : t) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    up = false;
  }
  return out;
}

// AWS-shaped message ids: the send time in hex first, so they sort by time.
std::string new_message_id(int64_t now_ms) {
  char head[32];
  snprintf(head, sizeof head, "%016llx", static_cast<unsigned long long>(now_ms));
  return std::string(head) + "-" + random_uuid() + "-000000";
}

// arn:aws:sns:REGION:ACCOUNT:NAME -> (account, region); empty when not an SNS ARN.
std::pair<std::string, std::string> arn_partition(std::string_view arn) {
  auto a = parse_arn(arn);
  if (!a || a->service != "sns" || a->resource.empty()) return {};
  return {a->account, a->region};
}

json::object template_data(std::string_view raw, bool& ok) {
  boost::system::error_code ec;
  json::value v = json::parse(raw.empty() ? std::string_view("{}") : raw, ec);
  ok = !ec && v.is_object();
  return ok ? std::move(v.as_object()) : json::object();
}

// A template's rendering: subject, text, html; `missing` names the attribute
// the data lacks when it fails.
struct Rendered {
  std::string subject, text, html, missing;
  bool ok = true;
};
Rendered render_template(const ses::Template& t, const json::object& data) {
  Rendered r;
  for (auto [in, out] : {std::pair{&t.subject(), &r.subject}, std::pair{&t.text(), &r.text}, std::pair{&t.html(), &r.html}}) {
    auto s = ses::render(*in, data, r.missing);
    if (!s) {
      r.ok = false;
      return r;
    }
    *out = std::move(*s);
  }
  return r;
}

// A mail on its way: what both APIs' send operations reduce to.
struct Outgoing {
  std::string operation;  // for the "ses:operation" tag
  std::string source;     // as given ("Name <a@b>" allowed)
  std::vector<std::string> to, cc, bcc, reply_to;
  bool has_destination = false;
  enum Kind { kSimple, kRaw, kTemplate } kind = kSimple;
  std::string subject, text, html;  // simple content
  std::string raw;
  std::vector<std::string> raw_recipients;
  const ses::Template* tmpl = nullptr;
  std::string template_name, template_data;
  std::string configuration_set;
  std::vector<std::pair<std::string, std::string>> tags;
};

}  // namespace

namespace ses {
json::object event_message(std::string_view type, const json::object& mail, std::string_view detail_key, json::object detail,
                           bool notification) {
  json::object o;
  o[notification ? "notificationType" : "eventType"] = type;
  o["mail"] = mail;
  o[detail_key] = std::move(detail);
  return o;
}
}  // namespace ses

namespace {

class SesService final : public ServiceBase<SesService> {
 public:
  explicit SesService(std::string smtp_host) : smtp_host_(std::move(smtp_host)) {}
  std::string_view name() const override { return "ses"; }
  // LocalStack's sent-mail view: GET lists (?id=, ?email= the Source),
  // DELETE clears (?id=: one), an event like any mutation.
  std::vector<Route> routes() const override {
    return {{"/_aws/ses", {{"GET", "__ListMessages"}, {"DELETE", "__DeleteMessages"}}, ""}};
  }
  const protocol::ServiceModel& model() const override { return *protocol::builtin_model("ses"); }
  const protocol::ServiceModel* rest_model() const override { return protocol::builtin_model("sesv2"); }

  static const Table& operations() {
    static const Table t = {
        // v1
        {"VerifyEmailIdentity", {true, &SesService::verify_email}},
        {"VerifyEmailAddress", {true, &SesService::verify_email}},
        {"VerifyDomainIdentity", {true, &SesService::verify_domain}},
        {"VerifyDomainDkim", {true, &SesService::verify_domain_dkim}},
        {"ListIdentities", {false, &SesService::list_identities}},
        {"ListVerifiedEmailAddresses", {false, &SesService::list_verified_email_addresses}},
        {"GetIdentityVerificationAttributes", {false, &SesService::get_verification_attributes}},
        {"DeleteIdentity", {true, &SesService::delete_identity}},
        {"DeleteVerifiedEmailAddress", {true, &SesService::delete_identity}},
        {"GetIdentityNotificationAttributes", {false, &SesService::get_notification_attributes}},
        {"SetIdentityNotificationTopic", {true, &SesService::set_notification_topic}},
        {"SetIdentityHeadersInNotificationsEnabled", {true, &SesService::set_headers_in_notifications}},
        {"SetIdentityFeedbackForwardingEnabled", {true, &SesService::set_feedback_forwarding}},
        {"GetIdentityDkimAttributes", {false, &SesService::get_dkim_attributes}},
        {"SetIdentityDkimEnabled", {true, &SesService::set_dkim_enabled}},
        {"GetIdentityMailFromDomainAttributes", {false, &SesService::get_mail_from_attributes}},
        {"SetIdentityMailFromDomain", {true, &SesService::set_mail_from_domain}},
        {"SendEmail", {true, &SesService::send_email}},
        {"SendRawEmail", {true, &SesService::send_raw_email}},
        {"SendTemplatedEmail", {true, &SesService::send_templated_email}},
        {"SendBulkTemplatedEmail", {true, &SesService::send_bulk_templated_email}},
        {"CreateTemplate", {true, &SesService::create_template}},
        {"UpdateTemplate", {true, &SesService::update_template}},
        {"GetTemplate", {false, &SesService::get_template}},
        {"DeleteTemplate", {true, &SesService::delete_template}},
        {"ListTemplates", {false, &SesService::list_templates}},
        {"TestRenderTemplate", {false, &SesService::test_render_template}},
        {"CreateConfigurationSet", {true, &SesService::create_configuration_set}},
        {"DeleteConfigurationSet", {true, &SesService::delete_configuration_set}},
        {"DescribeConfigurationSet", {false, &SesService::describe_configuration_set}},
        {"ListConfigurationSets", {false, &SesService::list_configuration_sets}},
        {"CreateConfigurationSetEventDestination", {true, &SesService::create_event_destination}},
        {"UpdateConfigurationSetEventDestination", {true, &SesService::update_event_destination}},
        {"DeleteConfigurationSetEventDestination", {true, &SesService::delete_event_destination}},
        {"GetSendQuota", {false, &SesService::get_send_quota}},
        {"GetSendStatistics", {false, &SesService::get_send_statistics}},
        // v2 (ServiceModel::operation_prefix)
        {"v2:CreateEmailIdentity", {true, &SesService::v2_create_email_identity}},
        {"v2:GetEmailIdentity", {false, &SesService::v2_get_email_identity}},
        {"v2:ListEmailIdentities", {false, &SesService::v2_list_email_identities}},
        {"v2:DeleteEmailIdentity", {true, &SesService::v2_delete_email_identity}},
        {"v2:SendEmail", {true, &SesService::v2_send_email}},
        {"v2:CreateEmailTemplate", {true, &SesService::v2_create_email_template}},
        {"v2:GetEmailTemplate", {false, &SesService::v2_get_email_template}},
        {"v2:UpdateEmailTemplate", {true, &SesService::v2_update_email_template}},
        {"v2:DeleteEmailTemplate", {true, &SesService::v2_delete_email_template}},
        {"v2:ListEmailTemplates", {false, &SesService::v2_list_email_templates}},
        {"v2:TestRenderEmailTemplate", {false, &SesService::v2_test_render_email_template}},
        {"v2:CreateConfigurationSet", {true, &SesService::v2_create_configuration_set}},
        {"v2:GetConfigurationSet", {false, &SesService::v2_get_configuration_set}},
        {"v2:ListConfigurationSets", {false, &SesService::v2_list_configuration_sets}},
        {"v2:DeleteConfigurationSet", {true, &SesService::v2_delete_configuration_set}},
        {"v2:CreateConfigurationSetEventDestination", {true, &SesService::v2_create_event_destination}},
        {"v2:GetConfigurationSetEventDestinations", {false, &SesService::v2_get_event_destinations}},
        {"v2:UpdateConfigurationSetEventDestination", {true, &SesService::v2_update_event_destination}},
        {"v2:DeleteConfigurationSetEventDestination", {true, &SesService::v2_delete_event_destination}},
        {"v2:GetAccount", {false, &SesService::v2_get_account}},
        // podstack's own (GET and DELETE /_aws/ses); "__" names are never AWS operations.
        {"__ListMessages", {false, &SesService::list_messages}},
        {"__DeleteMessages", {true, &SesService::delete_messages}},
    };
    return t;
  }

  // ---- apply: the only mutation ----
  const google::protobuf::MessageLite* event_prototype() const override { return &ses::Event::default_instance(); }
  void apply(const proto::Event& e) override {
    ses::Event ev;
    if (!ev.ParseFromString(e.payload())) throw std::runtime_error("ses event does not parse");
    if (ev.kind_case() == ses::Event::kMessagesDeleted) {  // names its partitions
      for (auto& m : ev.messages_deleted().messages()) {
        if (!parts_.find(m.account(), m.region())) continue;
        parts_.get(m.account(), m.region()).messages.erase(m.id());
      }
      return;
    }
    Partition& p = parts_.get(e);
    switch (ev.kind_case()) {
      case ses::Event::kIdentityPut: p.identities[ev.identity_put().identity().name()] = ev.identity_put().identity(); break;
      case ses::Event::kIdentityDeleted: p.identities.erase(ev.identity_deleted().name()); break;
      case ses::Event::kTemplatePut: p.templates[ev.template_put().template_().name()] = ev.template_put().template_(); break;
      case ses::Event::kTemplateDeleted: p.templates.erase(ev.template_deleted().name()); break;
      case ses::Event::kConfigurationSetPut: {
        const auto& cs = ev.configuration_set_put().configuration_set();
        p.config_sets[cs.name()] = cs;
        break;
      }
      case ses::Event::kConfigurationSetDeleted: p.config_sets.erase(ev.configuration_set_deleted().name()); break;
      case ses::Event::kSent: {
        const auto& s = ev.sent();
        p.messages[s.message().id()] = s.message();
        if (s.has_relay()) p.relays[s.relay().id()] = s.relay();
        int64_t at = s.message().timestamp_ms();
        p.buckets[at - at % kBucketMs] += s.recipients();
        // Two weeks are reported; older buckets go, judged by the event's own time.
        while (!p.buckets.empty() && p.buckets.begin()->first + kStatisticsKeptMs < at) p.buckets.erase(p.buckets.begin());
        break;
      }
      case ses::Event::kRelayAttempted: {
        const auto& a = ev.relay_attempted();
        auto it = p.relays.find(a.id());
        if (it == p.relays.end()) break;
        std::string outcome;
        if (a.ok()) {
          outcome = "delivered";
        } else if (a.retry_at_ms() == 0) {
          outcome = "failed";
        } else {
          it->second.set_attempts(it->second.attempts() + 1);
          it->second.set_not_before_ms(a.retry_at_ms());
          break;
        }
        p.relays.erase(it);
        if (auto m = p.messages.find(a.id()); m != p.messages.end()) m->second.set_relay(outcome);
        break;
      }
      case ses::Event::kMessagesDeleted:
      case ses::Event::KIND_NOT_SET:
        throw std::runtime_error("empty ses event");
    }
  }

  std::string snapshot() const override {
    PartitionWriter w;
    for (auto& [key, p] : parts_) {
      w.begin(key.first, key.second);
      // Items in name order: configuration-set/ < identity/ < message/ < relay/ < statistics < template/.
      ses::Item item;
      for (auto& [n, cs] : p.config_sets) {
        item.set_name("configuration-set/" + n);
        *item.mutable_configuration_set() = cs;
        w.item(item);
      }
      for (auto& [n, id] : p.identities) {
        item.set_name("identity/" + n);
        *item.mutable_identity() = id;
        w.item(item);
      }
      for (auto& [n, m] : p.messages) {
        item.set_name("message/" + n);
        *item.mutable_message() = m;
        w.item(item);
      }
      for (auto& [n, r] : p.relays) {
        item.set_name("relay/" + n);
        *item.mutable_relay() = r;
        w.item(item);
      }
      if (!p.buckets.empty()) {
        item.set_name("statistics");
        auto* st = item.mutable_statistics();
        for (auto& [start, n] : p.buckets) {
          auto* b = st->add_buckets();
          b->set_start_ms(start);
          b->set_delivery_attempts(n);
        }
        w.item(item);
      }
      for (auto& [n, t] : p.templates) {
        item.set_name("template/" + n);
        *item.mutable_template_() = t;
        w.item(item);
      }
    }
    return w.finish();
  }

  Status restore(std::string_view bytes) override {
    ses::State st;
    if (Status s = parse_snapshot(bytes, st, "ses"); !s.is_ok()) return s;
    parts_.clear();
    for (auto& part : st.partitions()) {
      Partition& p = parts_.get(part.account(), part.region());
      for (auto& item : part.items()) {
        switch (item.kind_case()) {
          case ses::Item::kIdentity: p.identities[item.identity().name()] = item.identity(); break;
          case ses::Item::kTemplate: p.templates[item.template_().name()] = item.template_(); break;
          case ses::Item::kConfigurationSet: p.config_sets[item.configuration_set().name()] = item.configuration_set(); break;
          case ses::Item::kMessage: p.messages[item.message().id()] = item.message(); break;
          case ses::Item::kRelay: p.relays[item.relay().id()] = item.relay(); break;
          case ses::Item::kStatistics:
            for (auto& b : item.statistics().buckets()) p.buckets[b.start_ms()] = b.delivery_attempts();
            break;
          case ses::Item::KIND_NOT_SET: return Status::corruption("ses state holds an empty item");
        }
      }
    }
    return Status::ok();
  }

  Status check_snapshot(std::string_view bytes) const override {
    ses::State st;
    return parse_snapshot(bytes, st, "ses");
  }

  uint64_t resource_count() const override {
    return parts_.count([](const Partition& p) {
      return p.identities.size() + p.templates.size() + p.config_sets.size() + p.messages.size();
    });
  }

  void clear() override { parts_.clear(); }

  std::string summarize(const proto::Event& e) const override {
    ses::Event ev;
    if (!ev.ParseFromString(e.payload())) return "(unreadable)";
    switch (ev.kind_case()) {
      case ses::Event::kIdentityPut: return "identity=" + ev.identity_put().identity().name();
      case ses::Event::kIdentityDeleted: return "identity deleted " + ev.identity_deleted().name();
      case ses::Event::kTemplatePut: return "template=" + ev.template_put().template_().name();
      case ses::Event::kTemplateDeleted: return "template deleted " + ev.template_deleted().name();
      case ses::Event::kConfigurationSetPut: return "configuration-set=" + ev.configuration_set_put().configuration_set().name();
      case ses::Event::kConfigurationSetDeleted: return "configuration-set deleted " + ev.configuration_set_deleted().name();
      case ses::Event::kSent: {
        const auto& s = ev.sent();
        std::string out = "id=" + s.message().id() + " from=" + s.message().source() +
                          " recipients=" + std::to_string(s.recipients());
        if (s.has_relay()) out += " relay=" + s.relay().target();
        return out;
      }
      case ses::Event::kMessagesDeleted: return "sent messages deleted: " + std::to_string(ev.messages_deleted().messages_size());
      case ses::Event::kRelayAttempted: {
        const auto& a = ev.relay_attempted();
        if (a.ok()) return "relay " + a.id() + " delivered (" + a.detail() + ")";
        if (a.retry_at_ms() == 0) return "relay " + a.id() + " given up: " + a.detail();
        return "relay " + a.id() + " failed, retry at " + iso_ms(a.retry_at_ms()) + ": " + a.detail();
      }
      case ses::Event::KIND_NOT_SET: return {};
    }
    return {};
  }

  // ---- outbox ----
  void pending_effects(std::vector<Effect>& out) const override {
    for (auto& [key, p] : parts_)
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

  void effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const override {
    const Partition* p = parts_.find(ctx);
    if (!p) return;
    auto it = p->relays.find(attempt.id);
    if (it == p->relays.end()) return;  // already recorded
    const ses::Relay& r = it->second;
    ses::Event ev;
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
    out.add(ev);
  }

 private:
  const Partition* part(const CallContext& ctx) const { return parts_.find(ctx); }

  const ses::Identity* find_identity(const CallContext& ctx, std::string_view name) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->identities.find(name);
    if (it == p->identities.end()) it = p->identities.find(lower(name));  // domains are kept lower case
    return it == p->identities.end() ? nullptr : &it->second;
  }
  const ses::Template* find_template(const CallContext& ctx, std::string_view name) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->templates.find(name);
    return it == p->templates.end() ? nullptr : &it->second;
  }
  const ses::ConfigurationSet* find_config_set(const CallContext& ctx, std::string_view name) const {
    const Partition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->config_sets.find(name);
    return it == p->config_sets.end() ? nullptr : &it->second;
  }

  // The identity that lets `addr` send: the address itself, else its domain
  // or a parent domain (AWS: subdomains of a verified domain may send).
  const ses::Identity* sending_identity(const CallContext& ctx, std::string_view addr) const {
    if (auto* id = find_identity(ctx, addr)) return id;
    std::string d = ses::domain_of(addr);
    while (!d.empty()) {
      if (auto* id = find_identity(ctx, d); id && id->type() == "Domain") return id;
      size_t dot = d.find('.');
      d = dot == std::string::npos ? std::string() : d.substr(dot + 1);
    }
    return nullptr;
  }

  static void emit(Decision& d, const ses::Event& ev) { d.add(ev); }
  static void put_identity(Decision& d, const ses::Identity& id) {
    ses::Event ev;
    *ev.mutable_identity_put()->mutable_identity() = id;
    emit(d, ev);
  }
  static void put_template(Decision& d, const ses::Template& t) {
    ses::Event ev;
    *ev.mutable_template_put()->mutable_template_() = t;
    emit(d, ev);
  }
  static void put_config_set(Decision& d, const ses::ConfigurationSet& cs) {
    ses::Event ev;
    *ev.mutable_configuration_set_put()->mutable_configuration_set() = cs;
    emit(d, ev);
  }

  static void publish(Decision& d, const std::string& topic_arn, const json::object& message) {
    auto [account, region] = arn_partition(topic_arn);
    if (account.empty()) return;
    d.deliveries.push_back(Delivery{"sns", "publish", account, region,
                                    json::object{{"TopicArn", topic_arn}, {"Message", json::serialize(message)}}});
  }

  // ---- identities ----
  static ses::Identity new_identity(const CallContext& ctx, std::string name, bool domain) {
    ses::Identity id;
    id.set_name(domain ? lower(name) : std::move(name));
    id.set_type(domain ? "Domain" : "EmailAddress");
    if (domain) id.set_verification_token(random_chars(44, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
    id.set_created_ms(ctx.now_ms);
    return id;
  }
  static void add_dkim_tokens(ses::Identity& id) {
    if (id.dkim_tokens_size() > 0) return;
    for (int i = 0; i < 3; ++i) id.add_dkim_tokens(random_chars(32, "abcdefghijklmnopqrstuvwxyz0123456789"));
    id.set_dkim_enabled(true);
  }

  void verify_email(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string addr(in.str("EmailAddress"));
    if (!ses::valid_address(addr)) throw ApiError::bad_request("InvalidParameterValue", "Invalid email address<" + addr + ">.");
    if (!find_identity(ctx, addr)) put_identity(d, new_identity(ctx, addr, false));
  }

  void verify_domain(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string domain(in.str("Domain"));
    if (domain.empty() || domain.find('@') != std::string::npos)
      throw ApiError::bad_request("InvalidParameterValue", "Invalid domain name " + domain + ".");
    const ses::Identity* id = find_identity(ctx, domain);
    if (!id) {
      ses::Identity fresh = new_identity(ctx, domain, true);
      put_identity(d, fresh);
      d.output = json::object{{"VerificationToken", fresh.verification_token()}};
      return;
    }
    d.output = json::object{{"VerificationToken", id->verification_token()}};
  }

  void verify_domain_dkim(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string domain(in.str("Domain"));
    const ses::Identity* found = find_identity(ctx, domain);
    ses::Identity id = found ? *found : new_identity(ctx, domain, true);
    if (id.dkim_tokens_size() == 0) {
      add_dkim_tokens(id);
      put_identity(d, id);
    }
    d.output = json::object{{"DkimTokens", to_array(id.dkim_tokens())}};
  }

  void list_identities(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string type = in.str_or("IdentityType", "");
    const Partition* p = part(ctx);
    d.output = page_of(
        in, 1000, "MaxItems", p ? &p->identities : nullptr, "Identities", [](auto& name, auto&) { return json::value(name); },
        [&](const ses::Identity& id) { return type.empty() || id.type() == type; });
  }

  void list_verified_email_addresses(const Input&, const CallContext& ctx, Decision& d) const {
    json::array out;
    if (const Partition* p = part(ctx))
      for (auto& [n, id] : p->identities)
        if (id.type() == "EmailAddress") out.emplace_back(n);
    d.output = json::object{{"VerifiedEmailAddresses", std::move(out)}};
  }

  // Identities the request names that exist: name -> identity, in request order.
  template <class F>
  json::object per_identity(const Input& in, const CallContext& ctx, F f) const {
    json::object out;
    for (auto& name : strings(in.array("Identities")))
      if (const ses::Identity* id = find_identity(ctx, name)) out[name] = f(*id);
    return out;
  }

  void get_verification_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"VerificationAttributes", per_identity(in, ctx, [](const ses::Identity& id) {
                               json::object o{{"VerificationStatus", "Success"}};
                               if (id.type() == "Domain") o["VerificationToken"] = id.verification_token();
                               return o;
                             })}};
  }

  void delete_identity(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.has("Identity") ? in.str("Identity") : in.str("EmailAddress"));
    const ses::Identity* id = find_identity(ctx, name);
    if (!id) return;  // AWS: deleting an unknown identity succeeds
    ses::Event ev;
    ev.mutable_identity_deleted()->set_name(id->name());
    emit(d, ev);
  }

  const ses::Identity& identity_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const {
    const ses::Identity* id = find_identity(ctx, name);
    if (!id) {
      if (err.v2) throw err.not_found("", "Email identity <" + std::string(name) + "> does not exist.");
      throw ApiError::bad_request("InvalidParameterValue",
                                  "Identity <" + std::string(name) + "> does not exist or is not verified.");
    }
    return *id;
  }

  void get_notification_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"NotificationAttributes", per_identity(in, ctx, [](const ses::Identity& id) {
                               json::object o;
                               if (!id.bounce_topic().empty()) o["BounceTopic"] = id.bounce_topic();
                               if (!id.complaint_topic().empty()) o["ComplaintTopic"] = id.complaint_topic();
                               if (!id.delivery_topic().empty()) o["DeliveryTopic"] = id.delivery_topic();
                               o["ForwardingEnabled"] = !id.forwarding_disabled();
                               o["HeadersInBounceNotificationsEnabled"] = id.headers_in_bounce();
                               o["HeadersInComplaintNotificationsEnabled"] = id.headers_in_complaint();
                               o["HeadersInDeliveryNotificationsEnabled"] = id.headers_in_delivery();
                               return o;
                             })}};
  }

  void set_notification_topic(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Identity id = identity_or_throw(ctx, in.str("Identity"), Errors{});
    std::string type(in.str("NotificationType")), topic = in.str_or("SnsTopic", "");
    if (!topic.empty() && arn_partition(topic).first.empty())
      throw ApiError::bad_request("InvalidParameterValue", "Invalid SNS topic ARN: " + topic);
    if (type == "Bounce") id.set_bounce_topic(topic);
    else if (type == "Complaint") id.set_complaint_topic(topic);
    else id.set_delivery_topic(topic);
    put_identity(d, id);
  }

  void set_headers_in_notifications(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Identity id = identity_or_throw(ctx, in.str("Identity"), Errors{});
    std::string type(in.str("NotificationType"));
    bool on = in.flag("Enabled");
    if (type == "Bounce") id.set_headers_in_bounce(on);
    else if (type == "Complaint") id.set_headers_in_complaint(on);
    else id.set_headers_in_delivery(on);
    put_identity(d, id);
  }

  void set_feedback_forwarding(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Identity id = identity_or_throw(ctx, in.str("Identity"), Errors{});
    bool on = in.flag("ForwardingEnabled");
    if (!on && (id.bounce_topic().empty() || id.complaint_topic().empty()))
      throw ApiError::bad_request("InvalidParameterValue",
                                  "Feedback notification topic not set on identity " + id.name() + " for notification types Bounce and Complaint");
    id.set_forwarding_disabled(!on);
    put_identity(d, id);
  }

  void get_dkim_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"DkimAttributes", per_identity(in, ctx, [](const ses::Identity& id) {
                               json::object o{{"DkimEnabled", id.dkim_enabled()},
                                              {"DkimVerificationStatus", id.dkim_tokens().empty() ? "NotStarted" : "Success"}};
                               if (!id.dkim_tokens().empty()) o["DkimTokens"] = to_array(id.dkim_tokens());
                               return o;
                             })}};
  }

  void set_dkim_enabled(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Identity id = identity_or_throw(ctx, in.str("Identity"), Errors{});
    id.set_dkim_enabled(in.flag("DkimEnabled"));
    put_identity(d, id);
  }

  void get_mail_from_attributes(const Input& in, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"MailFromDomainAttributes", per_identity(in, ctx, [](const ses::Identity& id) {
                               json::object o{{"MailFromDomain", id.mail_from_domain()},
                                              {"BehaviorOnMXFailure", id.mail_from_behavior().empty() ? "UseDefaultValue" : id.mail_from_behavior()}};
                               if (!id.mail_from_domain().empty()) o["MailFromDomainStatus"] = "Success";
                               return o;
                             })}};
  }

  void set_mail_from_domain(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Identity id = identity_or_throw(ctx, in.str("Identity"), Errors{});
    id.set_mail_from_domain(in.str_or("MailFromDomain", ""));
    id.set_mail_from_behavior(in.str_or("BehaviorOnMXFailure", "UseDefaultValue"));
    put_identity(d, id);
  }

  // ---- sending ----
  // Validates and records one mail: the Sent event, its relay (SMTP_HOST)
  // and its SNS events. Returns the message id.
  std::string send(const Outgoing& o, const CallContext& ctx, Decision& d, const Errors& err) const {
    const ses::ConfigurationSet* cs = nullptr;
    if (!o.configuration_set.empty() && !(cs = find_config_set(ctx, o.configuration_set)))
      throw err.config_set_missing(o.configuration_set);
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
    const ses::Identity* identity = sending_identity(ctx, from);
    if (!identity)
      throw ApiError::bad_request("MessageRejected", "Email address is not verified. The following identities failed the check in region " +
                                                         upper(ctx.region) + ": " + from);

    std::string id = new_message_id(ctx.now_ms);
    ses::SentMessage m;
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
      ses::MailContent c;
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
    ses::Headers headers = ses::parse_headers(body);
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
                      {"sourceArn", "arn:aws:ses:" + ctx.region + ":" + ctx.account + ":identity/" + identity->name()},
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
    for (auto& t : wants("SEND")) publish(d, t, ses::event_message("Send", mail, "send", json::object(), false));
    std::vector<ses::Notify> on_delivery;
    if (rendered.ok) {
      for (auto& t : wants("DELIVERY")) {
        ses::Notify n;
        n.set_topic_arn(t);
        on_delivery.push_back(n);
      }
      if (!identity->delivery_topic().empty()) {
        ses::Notify n;
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
        publish(d, t, ses::event_message("Rendering Failure", mail, "failure", failure, false));
    }

    ses::Event ev;
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
      d.effects = true;
    } else if (rendered.ok) {
      // No relay: delivered to podstack's mailbox (GET /_aws/ses) at once.
      json::object delivery{{"timestamp", iso_ms(ctx.now_ms)},
                            {"processingTimeMillis", 0},
                            {"recipients", to_array(recipients)},
                            {"smtpResponse", "250 2.6.0 Message received"},
                            {"reportingMTA", "podstack"}};
      for (auto& n : on_delivery)
        publish(d, n.topic_arn(), ses::event_message("Delivery", mail, "delivery", delivery, n.identity_notification()));
    }
    *sent->mutable_message() = std::move(m);
    emit(d, ev);
    return id;
  }

  static void read_destination(const json::object* dst, Outgoing& o) {
    if (!dst) return;
    Input in(*dst);
    o.has_destination = true;
    o.to = strings(in.array("ToAddresses"));
    o.cc = strings(in.array("CcAddresses"));
    o.bcc = strings(in.array("BccAddresses"));
  }

  static void read_tags(const json::array* a, std::vector<std::pair<std::string, std::string>>& out) {
    if (!a) return;
    for (auto& t : *a) {
      Input ti(t.as_object());
      out.emplace_back(ti.str_or("Name", ""), ti.str_or("Value", ""));
    }
  }

  const ses::Template& template_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const {
    const ses::Template* t = find_template(ctx, name);
    if (!t) throw err.template_missing(name);
    return *t;
  }

  static std::string template_name_of(const Input& in, std::string_view name_key, std::string_view arn_key) {
    std::string name = in.str_or(name_key, "");
    if (name.empty()) {  // arn:aws:ses:REGION:ACCOUNT:template/NAME
      std::string arn = in.str_or(arn_key, "");
      if (size_t p = arn.find(":template/"); p != std::string::npos) name = arn.substr(p + 10);
    }
    return name;
  }

  static void check_template_data(std::string_view data, const Errors& err) {
    bool ok = false;
    template_data(data, ok);
    if (!ok) throw err.invalid("Template data must be a JSON object.");
  }

  void send_email(const Input& in, const CallContext& ctx, Decision& d) const {
    Outgoing o;
    o.operation = "SendEmail";
    o.source = std::string(in.str("Source"));
    read_destination(in.object("Destination"), o);
    o.reply_to = strings(in.array("ReplyToAddresses"));
    o.configuration_set = in.str_or("ConfigurationSetName", "");
    read_tags(in.array("Tags"), o.tags);
    if (const json::object* msg = in.object("Message")) {
      Input m(*msg);
      if (auto* s = m.object("Subject")) o.subject = Input(*s).str_or("Data", "");
      if (auto* b = m.object("Body")) {
        Input body(*b);
        if (auto* t = body.object("Text")) o.text = Input(*t).str_or("Data", "");
        if (auto* h = body.object("Html")) o.html = Input(*h).str_or("Data", "");
      }
    }
    d.output = json::object{{"MessageId", send(o, ctx, d, Errors{})}};
  }

  // SendRawEmail's Source and recipients default to the message's own headers.
  static void read_raw(std::string raw, const std::string& source, const std::vector<std::string>& destinations, Outgoing& o,
                       const Errors& err) {
    ses::Headers h = ses::parse_headers(raw);
    o.kind = Outgoing::kRaw;
    o.source = !source.empty() ? source : ses::header_value(h, "From");
    if (o.source.empty()) throw err.invalid("Missing required header 'From'.");
    if (!destinations.empty()) {
      for (auto& a : destinations) o.raw_recipients.push_back(ses::addr_spec(a));
    } else {
      for (const char* name : {"To", "Cc", "Bcc"})
        for (auto& a : ses::address_list(ses::header_value(h, name))) o.raw_recipients.push_back(a);
    }
    o.raw = std::move(raw);
  }

  void send_raw_email(const Input& in, const CallContext& ctx, Decision& d) const {
    Outgoing o;
    o.operation = "SendRawEmail";
    std::string raw;
    if (auto* rm = in.object("RawMessage")) raw = Input(*rm).str_or("Data", "");
    read_raw(std::move(raw), in.str_or("Source", ""), strings(in.array("Destinations")), o, Errors{});
    o.configuration_set = in.str_or("ConfigurationSetName", "");
    read_tags(in.array("Tags"), o.tags);
    d.output = json::object{{"MessageId", send(o, ctx, d, Errors{})}};
  }

  void send_templated_email(const Input& in, const CallContext& ctx, Decision& d) const {
    Outgoing o;
    o.operation = "SendTemplatedEmail";
    o.kind = Outgoing::kTemplate;
    o.source = std::string(in.str("Source"));
    read_destination(in.object("Destination"), o);
    o.reply_to = strings(in.array("ReplyToAddresses"));
    o.configuration_set = in.str_or("ConfigurationSetName", "");
    read_tags(in.array("Tags"), o.tags);
    o.template_name = template_name_of(in, "Template", "TemplateArn");
    o.template_data = std::string(in.str("TemplateData"));
    check_template_data(o.template_data, Errors{});
    o.tmpl = &template_or_throw(ctx, o.template_name, Errors{});
    d.output = json::object{{"MessageId", send(o, ctx, d, Errors{})}};
  }

  void send_bulk_templated_email(const Input& in, const CallContext& ctx, Decision& d) const {
    Outgoing base;
    base.operation = "SendBulkTemplatedEmail";
    base.kind = Outgoing::kTemplate;
    base.source = std::string(in.str("Source"));
    base.reply_to = strings(in.array("ReplyToAddresses"));
    base.configuration_set = in.str_or("ConfigurationSetName", "");
    base.template_name = template_name_of(in, "Template", "TemplateArn");
    base.tmpl = &template_or_throw(ctx, base.template_name, Errors{});
    std::string defaults_raw = in.str_or("DefaultTemplateData", "{}");
    check_template_data(defaults_raw, Errors{});
    bool ok = false;
    json::object defaults = template_data(defaults_raw, ok);
    const json::array* dests = in.array("Destinations");
    if (!dests || dests->empty()) throw ApiError::bad_request("InvalidParameterValue", "Destinations must not be empty.");
    if (dests->size() > kMaxRecipients) throw ApiError::bad_request("InvalidParameterValue", "Too many destinations.");
    if (!sending_identity(ctx, ses::addr_spec(base.source)))  // the whole call fails, as in AWS
      throw ApiError::bad_request("MessageRejected", "Email address is not verified. The following identities failed the check in region " +
                                                         upper(ctx.region) + ": " + ses::addr_spec(base.source));
    json::array status;
    for (auto& dv : *dests) {
      Input di(dv.as_object());
      Outgoing o = base;
      read_destination(di.object("Destination"), o);
      read_tags(in.array("DefaultTags"), o.tags);
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
        std::string id = send(o, ctx, d, Errors{});
        status.push_back(json::object{{"Status", "Success"}, {"MessageId", id}});
      } catch (const ApiError& e) {
        status.push_back(json::object{{"Status", e.code == "MessageRejected" ? "MessageRejected" : "InvalidParameterValue"},
                                      {"Error", e.message}});
      }
    }
    d.output = json::object{{"Status", std::move(status)}};
  }

  // ---- templates ----
  static ses::Template read_template_v1(const Input& in) {
    const json::object* t = in.object("Template");
    if (!t) throw ApiError::bad_request("InvalidParameterValue", "Template is required.");
    Input ti(*t);
    ses::Template out;
    out.set_name(std::string(ti.str("TemplateName")));
    out.set_subject(ti.str_or("SubjectPart", ""));
    out.set_text(ti.str_or("TextPart", ""));
    out.set_html(ti.str_or("HtmlPart", ""));
    return out;
  }

  void create_template(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Template t = read_template_v1(in);
    if (find_template(ctx, t.name())) throw ApiError::bad_request("AlreadyExists", "Template " + t.name() + " already exists.");
    t.set_created_ms(ctx.now_ms);
    put_template(d, t);
  }

  void update_template(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Template t = read_template_v1(in);
    t.set_created_ms(template_or_throw(ctx, t.name(), Errors{}).created_ms());
    put_template(d, t);
  }

  void get_template(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Template& t = template_or_throw(ctx, in.str("TemplateName"), Errors{});
    json::object o{{"TemplateName", t.name()}};
    if (!t.subject().empty()) o["SubjectPart"] = t.subject();
    if (!t.text().empty()) o["TextPart"] = t.text();
    if (!t.html().empty()) o["HtmlPart"] = t.html();
    d.output = json::object{{"Template", std::move(o)}};
  }

  void delete_template(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("TemplateName"));
    if (!find_template(ctx, name)) return;  // AWS: succeeds
    ses::Event ev;
    ev.mutable_template_deleted()->set_name(name);
    emit(d, ev);
  }

  void list_templates_page(const Input& in, const CallContext& ctx, Decision& d, std::string_view max_key,
                           std::string_view name_key) const {
    const Partition* p = part(ctx);
    d.output = page_of(in, 10, max_key, p ? &p->templates : nullptr, "TemplatesMetadata", [&](auto& name, const ses::Template& t) {
      return json::value(json::object{{name_key, name}, {"CreatedTimestamp", static_cast<double>(t.created_ms()) / 1000}});
    });
  }

  void list_templates(const Input& in, const CallContext& ctx, Decision& d) const {
    list_templates_page(in, ctx, d, "MaxItems", "Name");
  }

  // The message TestRenderTemplate shows: headers and the MIME body.
  static std::string test_render(const ses::Template& t, std::string_view data_raw, const Errors& err) {
    bool ok = false;
    json::object data = template_data(data_raw, ok);
    if (!ok) {
      if (err.v2) throw err.invalid("Template data must be a JSON object.");
      throw ApiError::bad_request("InvalidRenderingParameter", "Template data must be a JSON object.");
    }
    Rendered r = render_template(t, data);
    if (!r.ok) {
      std::string msg = "Attribute '" + r.missing + "' is not present in the rendering data.";
      if (err.v2) throw err.invalid(msg);
      throw ApiError::bad_request("MissingRenderingAttribute", msg);
    }
    ses::MailContent c;
    c.subject = r.subject;
    c.text = r.text;
    c.html = r.html;
    return ses::build_message(c);
  }

  void test_render_template(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Template& t = template_or_throw(ctx, in.str("TemplateName"), Errors{});
    d.output = json::object{{"RenderedTemplate", test_render(t, in.str("TemplateData"), Errors{})}};
  }

  // ---- configuration sets ----
  // An event destination in v2's shape, from either API's input.
  static ses::EventDestination read_destination_def(const json::object& o, std::string name, const Errors& err) {
    Input in(o);
    ses::EventDestination dst;
    dst.set_name(std::move(name));
    dst.set_enabled(in.flag("Enabled"));
    for (auto& t : strings(in.array("MatchingEventTypes"))) dst.add_event_types(err.v2 ? t : v2_event_type(t));
    const json::object* sns = in.object(err.v2 ? "SnsDestination" : "SNSDestination");
    if (sns) {
      std::string arn = Input(*sns).str_or(err.v2 ? "TopicArn" : "TopicARN", "");
      if (arn_partition(arn).first.empty()) {
        if (err.v2) throw err.invalid("Invalid SNS topic ARN: " + arn);
        throw ApiError::bad_request("InvalidSNSDestination", "SNS topic <" + arn + "> is invalid.");
      }
      dst.set_sns_topic_arn(arn);
    }
    json::object other;
    if (auto* cw = in.object("CloudWatchDestination")) other["CloudWatchDestination"] = *cw;
    if (auto* fh = in.object("KinesisFirehoseDestination")) {
      Input f(*fh);
      other["KinesisFirehoseDestination"] = json::object{
          {"DeliveryStreamArn", f.str_or(err.v2 ? "DeliveryStreamArn" : "DeliveryStreamARN", "")},
          {"IamRoleArn", f.str_or(err.v2 ? "IamRoleArn" : "IAMRoleARN", "")}};
    }
    if (auto* pp = in.object("PinpointDestination")) other["PinpointDestination"] = *pp;
    if (!other.empty()) dst.set_other_json(json::serialize(other));
    return dst;
  }

  static json::object destination_json(const ses::EventDestination& dst, bool v2) {
    json::object o{{"Name", dst.name()}, {"Enabled", dst.enabled()}};
    json::array types;
    for (auto& t : dst.event_types()) types.emplace_back(v2 ? t : v1_event_type(t));
    o["MatchingEventTypes"] = std::move(types);
    if (!dst.sns_topic_arn().empty())
      o[v2 ? "SnsDestination" : "SNSDestination"] = json::object{{v2 ? "TopicArn" : "TopicARN", dst.sns_topic_arn()}};
    if (!dst.other_json().empty()) {
      json::object other = json::parse(dst.other_json()).as_object();
      if (auto* cw = other.if_contains("CloudWatchDestination")) o["CloudWatchDestination"] = *cw;
      if (auto* fh = other.if_contains("KinesisFirehoseDestination")) {
        auto& f = fh->as_object();
        o["KinesisFirehoseDestination"] =
            v2 ? json::value(f) : json::value(json::object{{"DeliveryStreamARN", f.at("DeliveryStreamArn")}, {"IAMRoleARN", f.at("IamRoleArn")}});
      }
      if (auto* pp = other.if_contains("PinpointDestination"); pp && v2) o["PinpointDestination"] = *pp;
    }
    return o;
  }

  const ses::ConfigurationSet& config_set_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const {
    const ses::ConfigurationSet* cs = find_config_set(ctx, name);
    if (!cs) throw err.config_set_missing(name);
    return *cs;
  }

  void new_config_set(const CallContext& ctx, Decision& d, const std::string& name, const Errors& err, std::string options_json,
                      const json::array* tags) const {
    if (name.empty() || name.size() > 64 ||
        !std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; })) {
      if (err.v2) throw err.invalid("Invalid configuration set name <" + name + ">.");
      throw ApiError::bad_request("InvalidConfigurationSet", "Configuration set name <" + name +
                                                                 "> is invalid: it must contain only letters, numbers, underscores and dashes, at most 64.");
    }
    if (find_config_set(ctx, name))
      throw err.exists("ConfigurationSetAlreadyExists", "Configuration set <" + name + "> already exists.");
    ses::ConfigurationSet cs;
    cs.set_name(name);
    cs.set_options_json(std::move(options_json));
    cs.set_created_ms(ctx.now_ms);
    if (tags)
      for (auto& t : *tags) (*cs.mutable_tags())[std::string(t.as_object().at("Key").as_string())] = std::string(t.as_object().at("Value").as_string());
    put_config_set(d, cs);
  }

  void create_configuration_set(const Input& in, const CallContext& ctx, Decision& d) const {
    const json::object* cs = in.object("ConfigurationSet");
    new_config_set(ctx, d, cs ? Input(*cs).str_or("Name", "") : "", Errors{}, "", nullptr);
  }

  void delete_config_set(const Input& in, const CallContext& ctx, Decision& d, const Errors& err) const {
    const ses::ConfigurationSet& cs = config_set_or_throw(ctx, in.str("ConfigurationSetName"), err);
    ses::Event ev;
    ev.mutable_configuration_set_deleted()->set_name(cs.name());
    emit(d, ev);
  }
  void delete_configuration_set(const Input& in, const CallContext& ctx, Decision& d) const {
    delete_config_set(in, ctx, d, Errors{});
  }

  void describe_configuration_set(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::ConfigurationSet& cs = config_set_or_throw(ctx, in.str("ConfigurationSetName"), Errors{});
    json::object o{{"ConfigurationSet", json::object{{"Name", cs.name()}}}};
    json::object options = cs.options_json().empty() ? json::object() : json::parse(cs.options_json()).as_object();
    for (auto& attr : strings(in.array("ConfigurationSetAttributeNames"))) {
      if (attr == "eventDestinations") {
        json::array dests;
        for (auto& dst : cs.destinations()) dests.push_back(destination_json(dst, false));
        o["EventDestinations"] = std::move(dests);
      } else if (attr == "trackingOptions" && options.contains("TrackingOptions")) {
        o["TrackingOptions"] = options["TrackingOptions"];
      } else if (attr == "deliveryOptions") {
        json::object del{{"TlsPolicy", "Optional"}};
        if (auto* dv = options.if_contains("DeliveryOptions"); dv && dv->as_object().contains("TlsPolicy"))
          del["TlsPolicy"] = dv->as_object().at("TlsPolicy").as_string() == "REQUIRE" ? "Require" : "Optional";
        o["DeliveryOptions"] = std::move(del);
      } else if (attr == "reputationOptions") {
        json::object rep{{"SendingEnabled", true}, {"ReputationMetricsEnabled", false}};
        if (auto* s = options.if_contains("SendingOptions"); s && s->as_object().contains("SendingEnabled"))
          rep["SendingEnabled"] = s->as_object().at("SendingEnabled");
        if (auto* r = options.if_contains("ReputationOptions"); r && r->as_object().contains("ReputationMetricsEnabled"))
          rep["ReputationMetricsEnabled"] = r->as_object().at("ReputationMetricsEnabled");
        o["ReputationOptions"] = std::move(rep);
      }
    }
    d.output = std::move(o);
  }

  void list_configuration_sets(const Input& in, const CallContext& ctx, Decision& d) const {
    const Partition* p = part(ctx);
    d.output = page_of(in, 1000, "MaxItems", p ? &p->config_sets : nullptr, "ConfigurationSets",
                       [](auto& name, auto&) { return json::value(json::object{{"Name", name}}); });
  }

  // Adds, replaces or removes one event destination.
  enum class DestChange { kCreate, kUpdate, kDelete };
  void change_destination(const CallContext& ctx, Decision& d, std::string_view set_name, const std::string& dest_name,
                          const json::object* def, DestChange change, const Errors& err) const {
    ses::ConfigurationSet cs = config_set_or_throw(ctx, set_name, err);
    auto* dests = cs.mutable_destinations();
    auto it = std::find_if(dests->begin(), dests->end(), [&](auto& x) { return x.name() == dest_name; });
    if (change == DestChange::kCreate && it != dests->end())
      throw err.exists("EventDestinationAlreadyExists", "Event destination " + dest_name + " already exists.");
    if (change != DestChange::kCreate && it == dests->end())
      throw err.not_found("EventDestinationDoesNotExist", "Event destination " + dest_name + " does not exist.");
    if (change == DestChange::kDelete) {
      dests->erase(it);
    } else {
      ses::EventDestination dst = read_destination_def(*def, dest_name, err);
      if (it != dests->end()) *it = std::move(dst);
      else *cs.add_destinations() = std::move(dst);
      std::sort(dests->begin(), dests->end(), [](auto& a, auto& b) { return a.name() < b.name(); });
    }
    put_config_set(d, cs);
  }

  void create_event_destination(const Input& in, const CallContext& ctx, Decision& d) const {
    const json::object& def = *in.object("EventDestination");
    change_destination(ctx, d, in.str("ConfigurationSetName"), std::string(Input(def).str("Name")), &def, DestChange::kCreate, Errors{});
  }
  void update_event_destination(const Input& in, const CallContext& ctx, Decision& d) const {
    const json::object& def = *in.object("EventDestination");
    change_destination(ctx, d, in.str("ConfigurationSetName"), std::string(Input(def).str("Name")), &def, DestChange::kUpdate, Errors{});
  }
  void delete_event_destination(const Input& in, const CallContext& ctx, Decision& d) const {
    change_destination(ctx, d, in.str("ConfigurationSetName"), std::string(in.str("EventDestinationName")), nullptr,
                       DestChange::kDelete, Errors{});
  }

  // ---- quotas and statistics ----
  int64_t sent_last_24h(const CallContext& ctx) const {
    int64_t n = 0;
    if (const Partition* p = part(ctx))
      for (auto& [start, count] : p->buckets)
        if (start + kBucketMs > ctx.now_ms - kDayMs) n += count;
    return n;
  }

  void get_send_quota(const Input&, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"Max24HourSend", kMax24HourSend},
                            {"MaxSendRate", kMaxSendRate},
                            {"SentLast24Hours", static_cast<double>(sent_last_24h(ctx))}};
  }

  void get_send_statistics(const Input&, const CallContext& ctx, Decision& d) const {
    json::array points;
    if (const Partition* p = part(ctx))
      for (auto& [start, count] : p->buckets)
        if (start + kStatisticsKeptMs >= ctx.now_ms)
          points.push_back(json::object{{"Timestamp", static_cast<double>(start) / 1000},
                                        {"DeliveryAttempts", count},
                                        {"Bounces", 0},
                                        {"Complaints", 0},
                                        {"Rejects", 0}});
    d.output = json::object{{"SendDataPoints", std::move(points)}};
  }

  // ---- v2 ----
  static constexpr Errors kV2{true};

  static json::object dkim_json(const ses::Identity& id) {
    bool domain = id.type() == "Domain";
    json::object o{{"SigningEnabled", domain && id.dkim_enabled()},
                   {"Status", domain && id.dkim_tokens_size() > 0 ? "SUCCESS" : "NOT_STARTED"},
                   {"SigningAttributesOrigin", "AWS_SES"}};
    if (domain) o["Tokens"] = to_array(id.dkim_tokens());
    return o;
  }

  void v2_create_email_identity(const Input& in, const CallContext& ctx, Decision& d) const {
    std::string name(in.str("EmailIdentity"));
    bool domain = name.find('@') == std::string::npos;
    if (!domain && !ses::valid_address(name)) throw kV2.invalid("Invalid email address " + name + ".");
    if (find_identity(ctx, name)) throw kV2.exists("", "Email identity " + name + " already exist.");
    ses::Identity id = new_identity(ctx, name, domain);
    if (domain) add_dkim_tokens(id);
    if (auto cs = in.opt_str("ConfigurationSetName")) {
      config_set_or_throw(ctx, *cs, kV2);
      id.set_configuration_set(std::string(*cs));
    }
    if (auto* tags = in.array("Tags"))
      for (auto& t : *tags) (*id.mutable_tags())[std::string(t.as_object().at("Key").as_string())] = std::string(t.as_object().at("Value").as_string());
    put_identity(d, id);
    d.output = json::object{{"IdentityType", domain ? "DOMAIN" : "EMAIL_ADDRESS"},
                            {"VerifiedForSendingStatus", true},
                            {"DkimAttributes", dkim_json(id)}};
  }

  void v2_get_email_identity(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Identity& id = identity_or_throw(ctx, in.str("EmailIdentity"), kV2);
    json::object o{{"IdentityType", id.type() == "Domain" ? "DOMAIN" : "EMAIL_ADDRESS"},
                   {"FeedbackForwardingStatus", !id.forwarding_disabled()},
                   {"VerifiedForSendingStatus", true},
                   {"VerificationStatus", "SUCCESS"},
                   {"DkimAttributes", dkim_json(id)},
                   {"Policies", json::object()},
                   {"Tags", tags_json(id.tags())}};
    if (!id.mail_from_domain().empty())
      o["MailFromAttributes"] = json::object{{"MailFromDomain", id.mail_from_domain()},
                                             {"MailFromDomainStatus", "SUCCESS"},
                                             {"BehaviorOnMxFailure", id.mail_from_behavior() == "RejectMessage" ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE"}};
    if (!id.configuration_set().empty()) o["ConfigurationSetName"] = id.configuration_set();
    d.output = std::move(o);
  }

  void v2_list_email_identities(const Input& in, const CallContext& ctx, Decision& d) const {
    const Partition* p = part(ctx);
    d.output = page_of(in, 1000, "PageSize", p ? &p->identities : nullptr, "EmailIdentities", [](auto& name, const ses::Identity& id) {
      return json::value(json::object{{"IdentityType", id.type() == "Domain" ? "DOMAIN" : "EMAIL_ADDRESS"},
                                      {"IdentityName", name},
                                      {"SendingEnabled", true},
                                      {"VerificationStatus", "SUCCESS"}});
    });
  }

  void v2_delete_email_identity(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Identity& id = identity_or_throw(ctx, in.str("EmailIdentity"), kV2);
    ses::Event ev;
    ev.mutable_identity_deleted()->set_name(id.name());
    emit(d, ev);
  }

  void v2_send_email(const Input& in, const CallContext& ctx, Decision& d) const {
    Outgoing o;
    o.operation = "SendEmail";
    o.source = in.str_or("FromEmailAddress", "");
    read_destination(in.object("Destination"), o);
    o.reply_to = strings(in.array("ReplyToAddresses"));
    o.configuration_set = in.str_or("ConfigurationSetName", "");
    read_tags(in.array("EmailTags"), o.tags);
    static const json::object kNone;
    const json::object* content = in.object("Content");
    Input c(content ? *content : kNone);
    if (auto* simple = c.object("Simple")) {
      Input s(*simple);
      if (auto* subj = s.object("Subject")) o.subject = Input(*subj).str_or("Data", "");
      if (auto* b = s.object("Body")) {
        Input body(*b);
        if (auto* t = body.object("Text")) o.text = Input(*t).str_or("Data", "");
        if (auto* h = body.object("Html")) o.html = Input(*h).str_or("Data", "");
      }
    } else if (auto* raw = c.object("Raw")) {
      std::vector<std::string> dests;
      for (auto* l : {&o.to, &o.cc, &o.bcc}) dests.insert(dests.end(), l->begin(), l->end());
      read_raw(Input(*raw).str_or("Data", ""), o.source, dests, o, kV2);
    } else if (auto* tmpl = c.object("Template")) {
      Input t(*tmpl);
      o.kind = Outgoing::kTemplate;
      o.template_name = template_name_of(t, "TemplateName", "TemplateArn");
      if (o.template_name.empty()) throw kV2.invalid("Template name or ARN is required.");
      o.template_data = t.str_or("TemplateData", "{}");
      check_template_data(o.template_data, kV2);
      o.tmpl = &template_or_throw(ctx, o.template_name, kV2);
    } else {
      throw kV2.invalid("Content must contain one of Simple, Raw or Template.");
    }
    if (o.source.empty()) throw kV2.invalid("Missing required parameter FromEmailAddress.");
    d.output = json::object{{"MessageId", send(o, ctx, d, kV2)}};
  }

  static ses::Template read_template_v2(const Input& in) {
    ses::Template t;
    t.set_name(std::string(in.str("TemplateName")));
    if (const json::object* c = in.object("TemplateContent")) {
      Input ci(*c);
      t.set_subject(ci.str_or("Subject", ""));
      t.set_text(ci.str_or("Text", ""));
      t.set_html(ci.str_or("Html", ""));
    }
    return t;
  }

  void v2_create_email_template(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Template t = read_template_v2(in);
    if (find_template(ctx, t.name())) throw kV2.exists("", "Template " + t.name() + " already exists.");
    t.set_created_ms(ctx.now_ms);
    put_template(d, t);
  }

  void v2_update_email_template(const Input& in, const CallContext& ctx, Decision& d) const {
    ses::Template t = read_template_v2(in);
    t.set_created_ms(template_or_throw(ctx, t.name(), kV2).created_ms());
    put_template(d, t);
  }

  void v2_get_email_template(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Template& t = template_or_throw(ctx, in.str("TemplateName"), kV2);
    json::object c;
    if (!t.subject().empty()) c["Subject"] = t.subject();
    if (!t.text().empty()) c["Text"] = t.text();
    if (!t.html().empty()) c["Html"] = t.html();
    d.output = json::object{{"TemplateName", t.name()}, {"TemplateContent", std::move(c)}};
  }

  void v2_delete_email_template(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Template& t = template_or_throw(ctx, in.str("TemplateName"), kV2);
    ses::Event ev;
    ev.mutable_template_deleted()->set_name(t.name());
    emit(d, ev);
  }

  void v2_list_email_templates(const Input& in, const CallContext& ctx, Decision& d) const {
    list_templates_page(in, ctx, d, "PageSize", "TemplateName");
  }

  void v2_test_render_email_template(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::Template& t = template_or_throw(ctx, in.str("TemplateName"), kV2);
    d.output = json::object{{"RenderedTemplate", test_render(t, in.str("TemplateData"), kV2)}};
  }

  void v2_create_configuration_set(const Input& in, const CallContext& ctx, Decision& d) const {
    json::object options;
    for (const char* k : {"DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions", "TrackingOptions", "VdmOptions"})
      if (auto* v = in.object(k)) options[k] = *v;
    new_config_set(ctx, d, std::string(in.str("ConfigurationSetName")), kV2, options.empty() ? "" : json::serialize(options),
                   in.array("Tags"));
  }

  void v2_get_configuration_set(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::ConfigurationSet& cs = config_set_or_throw(ctx, in.str("ConfigurationSetName"), kV2);
    json::object o = cs.options_json().empty() ? json::object() : json::parse(cs.options_json()).as_object();
    o["ConfigurationSetName"] = cs.name();
    if (!o.contains("DeliveryOptions")) o["DeliveryOptions"] = json::object{{"TlsPolicy", "OPTIONAL"}};
    if (!o.contains("ReputationOptions")) o["ReputationOptions"] = json::object{{"ReputationMetricsEnabled", false}};
    if (!o.contains("SendingOptions")) o["SendingOptions"] = json::object{{"SendingEnabled", true}};
    o["Tags"] = tags_json(cs.tags());
    d.output = std::move(o);
  }

  void v2_list_configuration_sets(const Input& in, const CallContext& ctx, Decision& d) const {
    const Partition* p = part(ctx);
    d.output = page_of(in, 1000, "PageSize", p ? &p->config_sets : nullptr, "ConfigurationSets",
                       [](auto& name, auto&) { return json::value(name); });
  }

  void v2_delete_configuration_set(const Input& in, const CallContext& ctx, Decision& d) const {
    delete_config_set(in, ctx, d, kV2);
  }

  void v2_create_event_destination(const Input& in, const CallContext& ctx, Decision& d) const {
    change_destination(ctx, d, in.str("ConfigurationSetName"), std::string(in.str("EventDestinationName")),
                       in.object("EventDestination"), DestChange::kCreate, kV2);
  }
  void v2_update_event_destination(const Input& in, const CallContext& ctx, Decision& d) const {
    change_destination(ctx, d, in.str("ConfigurationSetName"), std::string(in.str("EventDestinationName")),
                       in.object("EventDestination"), DestChange::kUpdate, kV2);
  }
  void v2_delete_event_destination(const Input& in, const CallContext& ctx, Decision& d) const {
    change_destination(ctx, d, in.str("ConfigurationSetName"), std::string(in.str("EventDestinationName")), nullptr,
                       DestChange::kDelete, kV2);
  }
  void v2_get_event_destinations(const Input& in, const CallContext& ctx, Decision& d) const {
    const ses::ConfigurationSet& cs = config_set_or_throw(ctx, in.str("ConfigurationSetName"), kV2);
    json::array dests;
    for (auto& dst : cs.destinations()) dests.push_back(destination_json(dst, true));
    d.output = json::object{{"EventDestinations", std::move(dests)}};
  }

  void v2_get_account(const Input&, const CallContext& ctx, Decision& d) const {
    d.output = json::object{{"DedicatedIpAutoWarmupEnabled", false},
                            {"EnforcementStatus", "HEALTHY"},
                            {"ProductionAccessEnabled", false},
                            {"SendingEnabled", true},
                            {"SendQuota", json::object{{"Max24HourSend", kMax24HourSend},
                                                       {"MaxSendRate", kMaxSendRate},
                                                       {"SentLast24Hours", static_cast<double>(sent_last_24h(ctx))}}}};
  }

  // ---- /_aws/ses ----
  static json::object message_json(const ses::SentMessage& m) {
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

  // Every partition's mail matching ?id= and ?email= (the Source), oldest first.
  template <class F>
  void each_message(const Input& in, F f) const {
    std::string id = in.str_or("id", ""), email = in.str_or("email", "");
    for (auto& [key, p] : parts_)
      for (auto& [mid, m] : p.messages) {
        if (!id.empty() && mid != id) continue;
        if (!email.empty() && m.source() != email) continue;
        f(key, m);
      }
  }

  void list_messages(const Input& in, const CallContext&, Decision& d) const {
    std::vector<const ses::SentMessage*> found;
    each_message(in, [&](auto&, const ses::SentMessage& m) { found.push_back(&m); });
    std::stable_sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->timestamp_ms() < b->timestamp_ms(); });
    json::array out;
    for (auto* m : found) out.push_back(message_json(*m));
    d.output = json::object{{"messages", std::move(out)}};
  }

  void delete_messages(const Input& in, const CallContext&, Decision& d) const {
    ses::Event ev;
    each_message(in, [&](const Partitions<Partition>::Key& key, const ses::SentMessage& m) {
      auto* one = ev.mutable_messages_deleted()->add_messages();
      one->set_account(key.first);
      one->set_region(key.second);
      one->set_id(m.id());
    });
    if (ev.messages_deleted().messages_size() > 0) emit(d, ev);
  }

  std::string smtp_host_;  // SMTP_HOST, read once at construction; decide() records it in events
  Partitions<Partition> parts_;
};

}  // namespace

std::unique_ptr<Service> make_ses_service(std::string smtp_host) { return std::make_unique<SesService>(std::move(smtp_host)); }

std::unique_ptr<Service> make_ses_service(const ServiceSettings& settings) { return make_ses_service(settings.smtp_host); }

}  // namespace podstack
