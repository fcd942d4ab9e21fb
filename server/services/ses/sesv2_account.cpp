// SES account settings, per account and region, both APIs: v2 GetAccount,
// PutAccountVdmAttributes, PutAccountSuppressionAttributes,
// PutAccountSendingAttributes, PutAccountDetails; v1 GetAccountSendingEnabled,
// UpdateAccountSendingEnabled; and the paused-sending check every send makes
// (the account's, then the configuration set's SendingEnabled).
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAccount.html
// https://docs.aws.amazon.com/ses/latest/APIReference/API_UpdateAccountSendingEnabled.html
//
// Defaults, as a new AWS account: sending enabled; the account-level
// suppression list on for BOUNCE and COMPLAINT (the SES developer guide:
// accounts created after November 2019 use it by default); VDM disabled; no
// details. Production access is never granted (the sandbox), so
// PutAccountDetails records the request and GetAccount shows it.
#include <algorithm>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

void put_account(Decision& out, AccountSettings a) {
  Event ev;
  *ev.mutable_account_settings_put()->mutable_settings() = std::move(a);
  out.add(std::move(ev));
}

}  // namespace

AccountSettings SesService::account_settings(const CallContext& ctx) const {
  const SesPartition* p = part(ctx);
  return p && p->account ? *p->account : AccountSettings();
}

void SesService::check_sending_enabled(const CallContext& ctx, const ConfigurationSet* cs, const Errors& err) const {
  const SesPartition* p = part(ctx);
  if (p && p->account && p->account->sending_disabled())
    throw err.v2 ? sending_paused_exception("Email sending is disabled for this account.") : account_sending_paused();
  if (!cs || cs->options_json().find("SendingOptions") == std::string::npos) return;
  json::value o = json::parse(cs->options_json());
  auto* s = o.as_object().if_contains("SendingOptions");
  auto* on = s && s->is_object() ? s->as_object().if_contains("SendingEnabled") : nullptr;
  if (on && on->is_bool() && !on->as_bool())
    throw err.v2 ? sending_paused_exception("Email sending is disabled for configuration set <" + cs->name() + ">.")
                 : configuration_set_sending_paused(cs->name());
}

void SesService::v2_get_account(const Request& req, Decision& out) const {
  AccountSettings a = account_settings(req.ctx);
  json::array reasons;
  if (a.suppression_set()) reasons = to_array(a.suppressed_reasons());
  else reasons = json::array{"BOUNCE", "COMPLAINT"};
  json::object o{{"DedicatedIpAutoWarmupEnabled", false},
                 {"EnforcementStatus", "HEALTHY"},
                 {"ProductionAccessEnabled", false},
                 {"SendingEnabled", !a.sending_disabled()},
                 {"SendQuota", json::object{{"Max24HourSend", kMax24HourSend},
                                            {"MaxSendRate", kMaxSendRate},
                                            {"SentLast24Hours", static_cast<double>(sent_last_24h(req.ctx))}}},
                 {"SuppressionAttributes", json::object{{"SuppressedReasons", std::move(reasons)}}},
                 {"VdmAttributes", a.vdm_json().empty() ? json::value(json::object{{"VdmEnabled", "DISABLED"}})
                                                        : json::parse(a.vdm_json())}};
  if (!a.details_json().empty()) o["Details"] = json::parse(a.details_json());
  out.output = std::move(o);
}

void SesService::v2_put_account_vdm(const Request& req, Decision& out) const {
  AccountSettings a = account_settings(req.ctx);
  a.set_vdm_json(json::serialize(*req.in.object("VdmAttributes")));  // required by the model
  put_account(out, std::move(a));
}

void SesService::v2_put_account_suppression(const Request& req, Decision& out) const {
  AccountSettings a = account_settings(req.ctx);
  a.set_suppression_set(true);
  a.clear_suppressed_reasons();
  for (auto& r : strings(req.in.array("SuppressedReasons")))  // absent or []: none
    if (std::find(a.suppressed_reasons().begin(), a.suppressed_reasons().end(), r) == a.suppressed_reasons().end())
      a.add_suppressed_reasons(r);
  put_account(out, std::move(a));
}

void SesService::v2_put_account_sending(const Request& req, Decision& out) const {
  AccountSettings a = account_settings(req.ctx);
  a.set_sending_disabled(!req.in.flag("SendingEnabled"));
  put_account(out, std::move(a));
}

void SesService::v2_put_account_details(const Request& req, Decision& out) const {
  AccountSettings a = account_settings(req.ctx);
  json::object d;
  for (const char* k : {"MailType", "WebsiteURL", "ContactLanguage", "UseCaseDescription"})
    if (auto v = req.in.opt_str(k)) d[k] = *v;
  if (auto* extra = req.in.array("AdditionalContactEmailAddresses")) d["AdditionalContactEmailAddresses"] = *extra;
  if (req.in.flag("ProductionAccessEnabled"))
    d["ReviewDetails"] = json::object{{"Status", "PENDING"}, {"CaseId", "podstack-" + req.ctx.request_id}};
  a.set_details_json(json::serialize(d));
  put_account(out, std::move(a));
}

void SesService::get_account_sending_enabled(const Request& req, Decision& out) const {
  out.output = json::object{{"Enabled", !account_settings(req.ctx).sending_disabled()}};
}

void SesService::update_account_sending_enabled(const Request& req, Decision& out) const {
  AccountSettings a = account_settings(req.ctx);
  a.set_sending_disabled(!req.in.flag("Enabled"));
  put_account(out, std::move(a));
}

}  // namespace podstack::ses
