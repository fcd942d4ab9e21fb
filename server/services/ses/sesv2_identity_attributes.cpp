// SES v2 email-identity attributes: PutEmailIdentityConfigurationSetAttributes,
// PutEmailIdentityDkimAttributes, PutEmailIdentityDkimSigningAttributes,
// PutEmailIdentityFeedbackAttributes. GetEmailIdentity shows them
// (ses_v2.cpp), and v1's GetIdentityDkimAttributes and
// GetIdentityNotificationAttributes too: one identity behind both APIs.
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutEmailIdentityDkimSigningAttributes.html
//
// DKIM as emulated: Easy DKIM (AWS_SES) has three tokens and a key length
// (NextSigningKeyLength, "RSA_2048_BIT" unless given; the key is "rotated" at
// once, so Current equals Next); BYODKIM (EXTERNAL) needs a selector and a
// private key, and its token is the selector. Verification succeeds at once,
// as for every identity here.
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {

void SesService::v2_put_identity_configuration_set(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  std::string cs = req.in.str_or("ConfigurationSetName", "");
  if (!cs.empty()) config_set_or_throw(req.ctx, cs, kV2);
  id.set_configuration_set(cs);  // none: the identity has no default configuration set
  put_identity(out, std::move(id));
}

void SesService::v2_put_identity_dkim(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  id.set_dkim_enabled(req.in.flag("SigningEnabled"));
  put_identity(out, std::move(id));
}

void SesService::v2_put_identity_dkim_signing(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  std::string origin(req.in.str("SigningAttributesOrigin"));
  static const json::object kNone;
  const json::object* attrs = req.in.object("SigningAttributes");
  Input a(attrs ? *attrs : kNone);
  if (origin == "EXTERNAL") {
    std::string selector = a.str_or("DomainSigningSelector", "");
    if (selector.empty() || a.str_or("DomainSigningPrivateKey", "").empty())
      throw bad_request_exception("DomainSigningSelector and DomainSigningPrivateKey are required when SigningAttributesOrigin is EXTERNAL.");
    id.set_dkim_origin("EXTERNAL");
    id.set_dkim_selector(selector);
    id.clear_dkim_key_length();
    id.clear_dkim_tokens();
    id.add_dkim_tokens(selector);
  } else {  // AWS_SES: Easy DKIM, new tokens when coming from BYODKIM or none
    if (id.dkim_origin() == "EXTERNAL") id.clear_dkim_tokens();
    id.clear_dkim_origin();
    id.clear_dkim_selector();
    if (auto len = a.opt_str("NextSigningKeyLength")) id.set_dkim_key_length(std::string(*len));
    add_dkim_tokens(id);
  }
  id.set_dkim_enabled(true);
  id.set_dkim_key_generated_ms(req.ctx.now_ms);
  json::object o{{"DkimStatus", "SUCCESS"}, {"DkimTokens", to_array(id.dkim_tokens())}};
  put_identity(out, std::move(id));
  out.output = std::move(o);
}

void SesService::v2_put_identity_feedback(const Request& req, Decision& out) const {
  Identity id = identity_or_throw(req.ctx, req.in.str("EmailIdentity"), kV2);
  id.set_forwarding_disabled(!req.in.flag("EmailForwardingEnabled"));
  put_identity(out, std::move(id));
}

}  // namespace podstack::ses
