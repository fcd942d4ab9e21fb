// SES identities, v1: VerifyEmailIdentity, VerifyEmailAddress,
// VerifyDomainIdentity, VerifyDomainDkim, ListIdentities,
// ListVerifiedEmailAddresses, GetIdentityVerificationAttributes,
// DeleteIdentity, DeleteVerifiedEmailAddress, Get/SetIdentityNotification...,
// SetIdentityHeadersInNotificationsEnabled,
// SetIdentityFeedbackForwardingEnabled, GetIdentityDkimAttributes,
// SetIdentityDkimEnabled, GetIdentityMailFromDomainAttributes,
// SetIdentityMailFromDomain; and the identity lookups v2 and sending share.
// https://docs.aws.amazon.com/ses/latest/APIReference/API_VerifyEmailIdentity.html
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_mail.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {

const Identity* SesService::find_identity(const CallContext& ctx, std::string_view name) const {
  const SesPartition* p = part(ctx);
  if (!p) return nullptr;
  auto it = p->identities.find(name);
  if (it == p->identities.end()) it = p->identities.find(lower(name));  // domains are kept lower case
  return it == p->identities.end() ? nullptr : &it->second;
}

// The identity that lets `addr` send: the address itself, else its domain
// or a parent domain (AWS: subdomains of a verified domain may send).
const Identity* SesService::sending_identity(const CallContext& ctx, std::string_view addr) const {
  if (auto* id = find_identity(ctx, addr)) return id;
  std::string d = ses::domain_of(addr);
  while (!d.empty()) {
    if (auto* id = find_identity(ctx, d); id && id->type() == "Domain") return id;
    size_t dot = d.find('.');
    d = dot == std::string::npos ? std::string() : d.substr(dot + 1);
  }
  return nullptr;
}

const Identity& SesService::identity_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const {
  const Identity* id = find_identity(ctx, name);
  if (!id) {
    if (err.v2) throw not_found_exception("Email identity <" + std::string(name) + "> does not exist.");
    throw invalid_parameter_value("Identity <" + std::string(name) + "> does not exist or is not verified.");
  }
  return *id;
}

// Identities the request names that exist: name -> identity, in request order.
template <class F>
json::object SesService::per_identity(const Input& in, const CallContext& ctx, F f) const {
  json::object out;
  for (auto& name : strings(in.array("Identities")))
    if (const Identity* id = find_identity(ctx, name)) out[name] = f(*id);
  return out;
}

void SesService::verify_email(const Request& req, Decision& out) const {
  std::string addr(req.in.str("EmailAddress"));
  if (!ses::valid_address(addr)) throw invalid_parameter_value("Invalid email address<" + addr + ">.");
  if (!find_identity(req.ctx, addr)) put_identity(out, new_identity(req.ctx, addr, false));
}

void SesService::verify_domain(const Request& req, Decision& out) const {
  std::string domain(req.in.str("Domain"));
  if (domain.empty() || domain.find('@') != std::string::npos)
    throw invalid_parameter_value("Invalid domain name " + domain + ".");
  const Identity* id = find_identity(req.ctx, domain);
  if (!id) {
    Identity fresh = new_identity(req.ctx, domain, true);
    put_identity(out, fresh);
    out.output = json::object{{"VerificationToken", fresh.verification_token()}};
    return;
  }
  out.output = json::object{{"VerificationToken", id->verification_token()}};
}

void SesService::verify_domain_dkim(const Request& req, Decision& out) const {
  std::string domain(req.in.str("Domain"));
  const Identity* found = find_identity(req.ctx, domain);
  Identity id = found ? *found : new_identity(req.ctx, domain, true);
  if (id.dkim_tokens_size() == 0) {
    add_dkim_tokens(id);
    put_identity(out, id);
  }
  out.output = json::object{{"DkimTokens", to_array(id.dkim_tokens())}};
}

void SesService::list_identities(const Request& req, Decision& out) const {
  std::string type = req.in.str_or("IdentityType", "");
  const SesPartition* p = part(req.ctx);
  out.output = page_of(
      req.in, 1000, "MaxItems", p ? &p->identities : nullptr, "Identities", [](auto& name, auto&) { return json::value(name); },
      [&](const Identity& id) { return type.empty() || id.type() == type; });
}

void SesService::list_verified_email_addresses(const Request& req, Decision& out) const {
  json::array result;
  if (const SesPartition* p = part(req.ctx))
    for (auto& [n, id] : p->identities)
      if (id.type() == "EmailAddress") result.emplace_back(n);
  out.output = json::object{{"VerifiedEmailAddresses", std::move(result)}};
}

void SesService::get_verification_attributes(const Request& req, Decision& out) const {
  out.output = json::object{{"VerificationAttributes", per_identity(req.in, req.ctx, [](const Identity& id) {
                             json::object o{{"VerificationStatus", "Success"}};
                             if (id.type() == "Domain") o["VerificationToken"] = id.verification_token();
                             return o;
                           })}};
}

void SesService::delete_identity(const Request& req, Decision& out) const {
  std::string name(req.in.has("Identity") ? req.in.str("Identity") : req.in.str("EmailAddress"));
  const Identity* id = find_identity(req.ctx, name);
  if (!id) return;  // AWS: deleting an unknown identity succeeds
  Event ev;
  ev.mutable_identity_deleted()->set_name(id->name());
  out.add(std::move(ev));
}

void SesService::get_notification_attributes(const Request& req, Decision& out) const {
  out.output = json::object{{"NotificationAttributes", per_identity(req.in, req.ctx, [](const Identity& id) {
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

void SesService::set_notification_topic(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("Identity"), kV1);
  std::string type(req.in.str("NotificationType")), topic = req.in.str_or("SnsTopic", "");
  if (!topic.empty() && arn_partition(topic).first.empty())
    throw invalid_parameter_value("Invalid SNS topic ARN: " + topic);
  if (type == "Bounce") id.set_bounce_topic(topic);
  else if (type == "Complaint") id.set_complaint_topic(topic);
  else id.set_delivery_topic(topic);
  put_identity(out, std::move(id));
}

void SesService::set_headers_in_notifications(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("Identity"), kV1);
  std::string type(req.in.str("NotificationType"));
  bool on = req.in.flag("Enabled");
  if (type == "Bounce") id.set_headers_in_bounce(on);
  else if (type == "Complaint") id.set_headers_in_complaint(on);
  else id.set_headers_in_delivery(on);
  put_identity(out, std::move(id));
}

void SesService::set_feedback_forwarding(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("Identity"), kV1);
  bool on = req.in.flag("ForwardingEnabled");
  if (!on && (id.bounce_topic().empty() || id.complaint_topic().empty()))
    throw invalid_parameter_value("Feedback notification topic not set on identity " + id.name() + " for notification types Bounce and Complaint");
  id.set_forwarding_disabled(!on);
  put_identity(out, std::move(id));
}

void SesService::get_dkim_attributes(const Request& req, Decision& out) const {
  out.output = json::object{{"DkimAttributes", per_identity(req.in, req.ctx, [](const Identity& id) {
                             json::object o{{"DkimEnabled", id.dkim_enabled()},
                                            {"DkimVerificationStatus", id.dkim_tokens().empty() ? "NotStarted" : "Success"}};
                             if (!id.dkim_tokens().empty()) o["DkimTokens"] = to_array(id.dkim_tokens());
                             return o;
                           })}};
}

void SesService::set_dkim_enabled(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("Identity"), kV1);
  id.set_dkim_enabled(req.in.flag("DkimEnabled"));
  put_identity(out, std::move(id));
}

void SesService::get_mail_from_attributes(const Request& req, Decision& out) const {
  out.output = json::object{{"MailFromDomainAttributes", per_identity(req.in, req.ctx, [](const Identity& id) {
                             json::object o{{"MailFromDomain", id.mail_from_domain()},
                                            {"BehaviorOnMXFailure", id.mail_from_behavior().empty() ? "UseDefaultValue" : id.mail_from_behavior()}};
                             if (!id.mail_from_domain().empty()) o["MailFromDomainStatus"] = "Success";
                             return o;
                           })}};
}

}  // namespace podstack::ses
