// SES v2 (rest-json under /v2/email; operations arrive as "v2:<Name>"):
// Create/Get/List/DeleteEmailIdentity, SendEmail,
// Create/Get/Update/Delete/ListEmailTemplate(s), TestRenderEmailTemplate,
// Create/Get/List/DeleteConfigurationSet,
// Create/Get/Update/DeleteConfigurationSetEventDestination(s) (GetAccount:
// sesv2_account.cpp).
// Each shares its core with v1's (ses_identities.cpp, ses_templates.cpp,
// ses_configuration_sets.cpp, ses_sending.cpp) and answers v2's errors
// (kV2, ses_errors.h).
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/
#include <map>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_mail.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

json::object dkim_json(const Identity& id) {
  bool domain = id.type() == "Domain";
  bool external = id.dkim_origin() == "EXTERNAL";  // issue 18: PutEmailIdentityDkimSigningAttributes
  json::object o{{"SigningEnabled", domain && id.dkim_enabled()},
                 {"Status", domain && id.dkim_tokens_size() > 0 ? "SUCCESS" : "NOT_STARTED"},
                 {"SigningAttributesOrigin", external ? "EXTERNAL" : "AWS_SES"}};
  if (domain) o["Tokens"] = to_array(id.dkim_tokens());
  if (domain && !external && id.dkim_tokens_size() > 0) {
    std::string len = id.dkim_key_length().empty() ? "RSA_2048_BIT" : id.dkim_key_length();
    o["CurrentSigningKeyLength"] = len;
    o["NextSigningKeyLength"] = len;
    int64_t at = id.dkim_key_generated_ms() ? id.dkim_key_generated_ms() : id.created_ms();
    o["LastKeyGenerationTimestamp"] = static_cast<double>(at) / 1000;
  }
  return o;
}

json::object policies_json(const Identity& id) {
  json::object o;
  for (auto& [k, v] : std::map<std::string, std::string>(id.policies().begin(), id.policies().end())) o[k] = v;
  return o;
}

Template read_template_v2(const Input& in) {
  Template t;
  t.set_name(std::string(in.str("TemplateName")));
  if (const json::object* c = in.object("TemplateContent")) {
    Input ci(*c);
    t.set_subject(ci.str_or("Subject", ""));
    t.set_text(ci.str_or("Text", ""));
    t.set_html(ci.str_or("Html", ""));
  }
  return t;
}

}  // namespace

void SesService::v2_create_email_identity(const Request& req, Decision& out) const {
  std::string name(req.in.str("EmailIdentity"));
  bool domain = name.find('@') == std::string::npos;
  if (!domain && !ses::valid_address(name)) throw bad_request_exception("Invalid email address " + name + ".");
  if (find_identity(req.ctx, name)) throw already_exists_exception("Email identity " + name + " already exist.");
  Identity id = new_identity(req.ctx, name, domain);
  if (domain) add_dkim_tokens(id);
  if (auto cs = req.in.opt_str("ConfigurationSetName")) {
    config_set_or_throw(req.ctx, *cs, kV2);
    id.set_configuration_set(std::string(*cs));
  }
  if (auto* tags = req.in.array("Tags"))
    for (auto& t : *tags) (*id.mutable_tags())[std::string(t.as_object().at("Key").as_string())] = std::string(t.as_object().at("Value").as_string());
  put_identity(out, id);
  out.output = json::object{{"IdentityType", domain ? "DOMAIN" : "EMAIL_ADDRESS"},
                          {"VerifiedForSendingStatus", true},
                          {"DkimAttributes", dkim_json(id)}};
}

void SesService::v2_get_email_identity(const Request& req, Decision& out) const {
  const Identity& id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  json::object o{{"IdentityType", id.type() == "Domain" ? "DOMAIN" : "EMAIL_ADDRESS"},
                 {"FeedbackForwardingStatus", !id.forwarding_disabled()},
                 {"VerifiedForSendingStatus", true},
                 {"VerificationStatus", "SUCCESS"},
                 {"DkimAttributes", dkim_json(id)},
                 {"Policies", policies_json(id)},
                 {"Tags", tags_json(id.tags())}};
  if (!id.mail_from_domain().empty())
    o["MailFromAttributes"] = json::object{{"MailFromDomain", id.mail_from_domain()},
                                           {"MailFromDomainStatus", "SUCCESS"},
                                           {"BehaviorOnMxFailure", id.mail_from_behavior() == "RejectMessage" ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE"}};
  if (!id.configuration_set().empty()) o["ConfigurationSetName"] = id.configuration_set();
  out.output = std::move(o);
}

void SesService::v2_list_email_identities(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  out.output = page_of(req.in, 1000, "PageSize", p ? &p->identities : nullptr, "EmailIdentities", [](auto& name, const Identity& id) {
    return json::value(json::object{{"IdentityType", id.type() == "Domain" ? "DOMAIN" : "EMAIL_ADDRESS"},
                                    {"IdentityName", name},
                                    {"SendingEnabled", true},
                                    {"VerificationStatus", "SUCCESS"}});
  });
}

void SesService::v2_delete_email_identity(const Request& req, Decision& out) const {
  const Identity& id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  Event ev;
  ev.mutable_identity_deleted()->set_name(id.name());
  out.add(std::move(ev));
}

void SesService::v2_send_email(const Request& req, Decision& out) const {
  Outgoing o;
  o.operation = "SendEmail";
  o.source = req.in.str_or("FromEmailAddress", "");
  read_destination(req.in.object("Destination"), o);
  o.reply_to = strings(req.in.array("ReplyToAddresses"));
  o.configuration_set = req.in.str_or("ConfigurationSetName", "");
  read_tags(req.in.array("EmailTags"), o.tags);
  static const json::object kNone;
  const json::object* content = req.in.object("Content");
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
    if (o.template_name.empty()) throw bad_request_exception("Template name or ARN is required.");
    o.template_data = t.str_or("TemplateData", "{}");
    check_template_data(o.template_data, kV2);
    o.tmpl = &template_or_throw(req.ctx, o.template_name, kV2);
  } else {
    throw bad_request_exception("Content must contain one of Simple, Raw or Template.");
  }
  if (o.source.empty()) throw bad_request_exception("Missing required parameter FromEmailAddress.");
  out.output = json::object{{"MessageId", send(o, req.ctx, out, kV2)}};
}

void SesService::v2_create_email_template(const Request& req, Decision& out) const {
  Template t = read_template_v2(req.in);
  if (find_template(req.ctx, t.name())) throw already_exists_exception("Template " + t.name() + " already exists.");
  t.set_created_ms(req.ctx.now_ms);
  put_template(out, std::move(t));
}

void SesService::v2_update_email_template(const Request& req, Decision& out) const {
  Template t = read_template_v2(req.in);
  t.set_created_ms(template_or_throw(req.ctx, t.name(), kV2).created_ms());
  put_template(out, std::move(t));
}

void SesService::v2_get_email_template(const Request& req, Decision& out) const {
  const Template& t = template_or_throw(req.ctx, req.in.str("TemplateName"), kV2);
  json::object c;
  if (!t.subject().empty()) c["Subject"] = t.subject();
  if (!t.text().empty()) c["Text"] = t.text();
  if (!t.html().empty()) c["Html"] = t.html();
  out.output = json::object{{"TemplateName", t.name()}, {"TemplateContent", std::move(c)}};
}

void SesService::v2_delete_email_template(const Request& req, Decision& out) const {
  const Template& t = template_or_throw(req.ctx, req.in.str("TemplateName"), kV2);
  Event ev;
  ev.mutable_template_deleted()->set_name(t.name());
  out.add(std::move(ev));
}

void SesService::v2_list_email_templates(const Request& req, Decision& out) const {
  list_templates_page(req.in, req.ctx, out, "PageSize", "TemplateName");
}

void SesService::v2_test_render_email_template(const Request& req, Decision& out) const {
  const Template& t = template_or_throw(req.ctx, req.in.str("TemplateName"), kV2);
  out.output = json::object{{"RenderedTemplate", test_render(t, req.in.str("TemplateData"), kV2)}};
}

void SesService::v2_create_configuration_set(const Request& req, Decision& out) const {
  json::object options;
  for (const char* k : {"DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions", "TrackingOptions", "VdmOptions"})
    if (auto* v = req.in.object(k)) options[k] = *v;
  new_config_set(req.ctx, out, std::string(req.in.str("ConfigurationSetName")), kV2, options.empty() ? "" : json::serialize(options),
                 req.in.array("Tags"));
}

void SesService::v2_get_configuration_set(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  json::object o = cs.options_json().empty() ? json::object() : json::parse(cs.options_json()).as_object();
  o["ConfigurationSetName"] = cs.name();
  if (!o.contains("DeliveryOptions")) o["DeliveryOptions"] = json::object{{"TlsPolicy", "OPTIONAL"}};
  if (!o.contains("ReputationOptions")) o["ReputationOptions"] = json::object{{"ReputationMetricsEnabled", false}};
  if (!o.contains("SendingOptions")) o["SendingOptions"] = json::object{{"SendingEnabled", true}};
  o["Tags"] = tags_json(cs.tags());
  out.output = std::move(o);
}

void SesService::v2_list_configuration_sets(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  out.output = page_of(req.in, 1000, "PageSize", p ? &p->config_sets : nullptr, "ConfigurationSets",
                     [](auto& name, auto&) { return json::value(name); });
}

void SesService::v2_delete_configuration_set(const Request& req, Decision& out) const {
  delete_config_set(req.in, req.ctx, out, kV2);
}

void SesService::v2_create_event_destination(const Request& req, Decision& out) const {
  change_destination(req.ctx, out, req.in.str("ConfigurationSetName"), std::string(req.in.str("EventDestinationName")),
                     req.in.object("EventDestination"), DestChange::kCreate, kV2);
}

void SesService::v2_update_event_destination(const Request& req, Decision& out) const {
  change_destination(req.ctx, out, req.in.str("ConfigurationSetName"), std::string(req.in.str("EventDestinationName")),
                     req.in.object("EventDestination"), DestChange::kUpdate, kV2);
}

void SesService::v2_delete_event_destination(const Request& req, Decision& out) const {
  change_destination(req.ctx, out, req.in.str("ConfigurationSetName"), std::string(req.in.str("EventDestinationName")), nullptr,
                     DestChange::kDelete, kV2);
}

void SesService::v2_get_event_destinations(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  json::array dests;
  for (auto& dst : cs.destinations()) dests.push_back(destination_json(dst, true));
  out.output = json::object{{"EventDestinations", std::move(dests)}};
}

}  // namespace podstack::ses
