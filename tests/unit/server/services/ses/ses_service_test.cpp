// SES decisions checked without SNS or a network: the SNS event JSON a
// configuration-set destination gets (AWS's event-publishing shape), and the
// SMTP relay a send leaves pending with SMTP_HOST, with its retry schedule.
#include "server/services/ses/ses_service.h"

#include <doctest/doctest.h>

using namespace podstack;

namespace {
constexpr int64_t t0 = 1800000000000;

struct Ses {
  std::unique_ptr<Service> svc;
  explicit Ses(std::string smtp = "") : svc(make_ses_service(std::move(smtp))) {}
  Decision call(const char* op, json::object in, int64_t now = t0) {
    CallContext ctx;
    ctx.now_ms = now;
    Decision d;
    auto err = svc->decide(op, in, ctx, d);
    REQUIRE_FALSE(err);
    for (auto& payload : d.events()) {
      proto::Event e;
      e.set_account(ctx.account);
      e.set_region(ctx.region);
      e.set_service("ses");
      e.set_payload(payload);
      svc->apply(e);
    }
    return d;
  }
};

json::object simple_send(const char* cs = nullptr) {
  json::object in{{"Source", "a@example.com"},
                  {"Destination", json::object{{"ToAddresses", json::array{"t@x.com"}}, {"BccAddresses", json::array{"b@x.com"}}}},
                  {"Message", json::object{{"Subject", json::object{{"Data", "Subj"}}},
                                           {"Body", json::object{{"Text", json::object{{"Data", "body"}}}}}}}};
  if (cs) in["ConfigurationSetName"] = cs;
  return in;
}
}  // namespace

TEST_CASE("a send through a configuration set publishes AWS's Send and Delivery events to its SNS topic") {
  Ses s;
  s.call("VerifyEmailIdentity", {{"EmailAddress", "a@example.com"}});
  s.call("CreateConfigurationSet", {{"ConfigurationSet", json::object{{"Name", "cs"}}}});
  s.call("CreateConfigurationSetEventDestination",
         {{"ConfigurationSetName", "cs"},
          {"EventDestination", json::object{{"Name", "d"}, {"Enabled", true}, {"MatchingEventTypes", json::array{"send", "delivery"}},
                                            {"SNSDestination", json::object{{"TopicARN", "arn:aws:sns:eu-west-1:111122223333:events"}}}}}});
  Decision d = s.call("SendEmail", simple_send("cs"));
  REQUIRE(d.deliveries.size() == 2);
  std::string id(d.output.at("MessageId").as_string());
  for (auto& dl : d.deliveries) {
    CHECK(dl.service == "sns");
    CHECK(dl.kind == "publish");
    CHECK(dl.account == "111122223333");  // the topic's partition, from its ARN
    CHECK(dl.region == "eu-west-1");
    CHECK(dl.input.at("TopicArn").as_string() == "arn:aws:sns:eu-west-1:111122223333:events");
  }
  json::object send = json::parse(d.deliveries[0].input.at("Message").as_string()).as_object();
  CHECK(send.at("eventType").as_string() == "Send");
  CHECK(send.at("send").as_object().empty());
  const json::object& mail = send.at("mail").as_object();
  CHECK(mail.at("messageId").as_string() == id);
  CHECK(mail.at("source").as_string() == "a@example.com");
  CHECK(mail.at("sourceArn").as_string() == "arn:aws:ses:us-east-1:000000000000:identity/a@example.com");
  CHECK(mail.at("sendingAccountId").as_string() == "000000000000");
  CHECK(mail.at("destination").as_array() == json::array{"t@x.com", "b@x.com"});
  CHECK(mail.at("headersTruncated").as_bool() == false);
  CHECK(mail.at("commonHeaders").at("subject").as_string() == "Subj");
  CHECK(mail.at("commonHeaders").at("to").as_array() == json::array{"t@x.com"});
  CHECK(mail.at("tags").at("ses:configuration-set").as_array() == json::array{"cs"});
  CHECK(mail.at("timestamp").as_string() == "2027-01-15T08:00:00.000Z");
  bool has_subject_header = false;
  for (auto& h : mail.at("headers").as_array()) has_subject_header |= h.at("name").as_string() == "Subject";
  CHECK(has_subject_header);

  json::object delivery = json::parse(d.deliveries[1].input.at("Message").as_string()).as_object();
  CHECK(delivery.at("eventType").as_string() == "Delivery");
  CHECK(delivery.at("delivery").at("recipients").as_array() == json::array{"t@x.com", "b@x.com"});
  CHECK(delivery.at("delivery").as_object().contains("smtpResponse"));
  CHECK(delivery.at("delivery").as_object().contains("processingTimeMillis"));
  CHECK(delivery.at("delivery").as_object().contains("reportingMTA"));

  // A send without the configuration set publishes nothing.
  CHECK(s.call("SendEmail", simple_send()).deliveries.empty());
}

TEST_CASE("with SMTP_HOST a send leaves a relay pending; failures back off, then give up") {
  Ses s("127.0.0.1:2525");
  s.call("VerifyEmailIdentity", {{"EmailAddress", "a@example.com"}});
  Decision d = s.call("SendEmail", simple_send());
  CHECK(d.effects);
  std::vector<Effect> pending;
  s.svc->pending_effects(pending);
  REQUIRE(pending.size() == 1);
  const Effect& e = pending[0];
  CHECK(e.kind == "smtp");
  CHECK(e.target == "127.0.0.1:2525");
  CHECK(e.mail_from == "a@example.com");
  CHECK(e.rcpt_to == std::vector<std::string>{"t@x.com", "b@x.com"});
  CHECK(e.body.find("Subject: Subj\r\n") != std::string::npos);
  CHECK(e.body.find("Bcc") == std::string::npos);

  CallContext ctx;
  int64_t now = t0;
  for (int i = 0; i < 4; ++i) {
    EffectAttempt a;
    a.id = e.id;
    a.started_ms = a.finished_ms = now;
    a.detail = "connection refused";
    Decision r;
    ctx.now_ms = now;
    s.svc->effect_attempted(a, ctx, r);
    REQUIRE(r.events().size() == 1);
    proto::Event ev;
    ev.set_account(ctx.account);
    ev.set_region(ctx.region);
    ev.set_payload(r.events()[0]);
    std::string summary = s.svc->summarize(ev);
    s.svc->apply(ev);
    pending.clear();
    s.svc->pending_effects(pending);
    if (i < 3) {
      CHECK(summary.find("failed, retry at") != std::string::npos);
      REQUIRE(pending.size() == 1);
      CHECK(pending[0].attempts == static_cast<uint32_t>(i + 1));
      CHECK(pending[0].not_before_ms == now + (500 << i));  // 0.5 s, 1 s, 2 s
      now = pending[0].not_before_ms;
    } else {
      CHECK(summary.find("given up") != std::string::npos);
      CHECK(pending.empty());
    }
  }
}

TEST_CASE("an identity's delivery topic gets a notification; a template that fails to render is recorded, not relayed") {
  Ses s("127.0.0.1:2525");
  s.call("VerifyDomainIdentity", {{"Domain", "example.com"}});
  s.call("SetIdentityNotificationTopic",
         {{"Identity", "example.com"}, {"NotificationType", "Delivery"}, {"SnsTopic", "arn:aws:sns:us-east-1:000000000000:notes"}});
  s.call("CreateConfigurationSet", {{"ConfigurationSet", json::object{{"Name", "cs"}}}});
  s.call("CreateConfigurationSetEventDestination",
         {{"ConfigurationSetName", "cs"},
          {"EventDestination", json::object{{"Name", "d"}, {"Enabled", true}, {"MatchingEventTypes", json::array{"renderingFailure"}},
                                            {"SNSDestination", json::object{{"TopicARN", "arn:aws:sns:us-east-1:000000000000:fails"}}}}}});

  // Relayed: the delivery notification waits for the relay's success.
  Decision d = s.call("SendEmail", simple_send());
  CHECK(d.deliveries.empty());
  std::vector<Effect> pending;
  s.svc->pending_effects(pending);
  REQUIRE(pending.size() == 1);
  EffectAttempt ok;
  ok.id = pending[0].id;
  ok.ok = true;
  ok.status = 250;
  ok.started_ms = ok.finished_ms = t0 + 40;
  CallContext ctx;
  Decision r;
  s.svc->effect_attempted(ok, ctx, r);
  REQUIRE(r.deliveries.size() == 1);
  json::object note = json::parse(r.deliveries[0].input.at("Message").as_string()).as_object();
  CHECK(note.at("notificationType").as_string() == "Delivery");
  CHECK_FALSE(note.contains("eventType"));
  CHECK(note.at("mail").at("sourceArn").as_string() == "arn:aws:ses:us-east-1:000000000000:identity/example.com");
  CHECK(note.at("delivery").at("processingTimeMillis").as_int64() == 40);
  CHECK(note.at("delivery").at("recipients").as_array() == json::array{"t@x.com", "b@x.com"});

  s.call("CreateTemplate", {{"Template", json::object{{"TemplateName", "t"}, {"SubjectPart", "Hi {{name}}"}}}});
  Decision f = s.call("SendTemplatedEmail", {{"Source", "a@example.com"},
                                             {"Destination", json::object{{"ToAddresses", json::array{"t@x.com"}}}},
                                             {"Template", "t"},
                                             {"TemplateData", "{}"},
                                             {"ConfigurationSetName", "cs"}});
  CHECK_FALSE(f.effects);  // nothing to relay
  REQUIRE(f.deliveries.size() == 1);
  json::object failure = json::parse(f.deliveries[0].input.at("Message").as_string()).as_object();
  CHECK(failure.at("eventType").as_string() == "Rendering Failure");
  CHECK(failure.at("failure").at("templateName").as_string() == "t");
  CHECK(failure.at("failure").at("errorMessage").as_string() == "Attribute 'name' is not present in the rendering data.");
}

TEST_CASE("pod diff sees each identity, template, configuration set and sent mail as a resource") {
  Ses s;
  s.call("VerifyEmailIdentity", {{"EmailAddress", "a@example.com"}});
  s.call("CreateTemplate", {{"Template", json::object{{"TemplateName", "t"}}}});
  s.call("CreateConfigurationSet", {{"ConfigurationSet", json::object{{"Name", "cs"}}}});
  std::string id(s.call("SendEmail", simple_send()).output.at("MessageId").as_string());
  std::vector<Resource> rs;
  REQUIRE(s.svc->list_resources(s.svc->snapshot(), rs).is_ok());
  std::vector<std::string> ids;
  for (auto& r : rs) ids.push_back(r.id);
  const std::string p = "000000000000/us-east-1/";
  CHECK(ids == std::vector<std::string>{p + "configuration-set/cs", p + "identity/a@example.com", p + "message/" + id,
                                        p + "statistics", p + "template/t"});
  CHECK(s.svc->resource_count() == 4);
  // The snapshot restores to the same bytes.
  auto copy = make_ses_service("");
  REQUIRE(copy->restore(s.svc->snapshot()).is_ok());
  CHECK(copy->snapshot() == s.svc->snapshot());
}
