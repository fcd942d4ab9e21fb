// SES configuration-set options, both APIs over one store (the set's
// options_json, kept in v2's shape): v1 PutConfigurationSetDeliveryOptions,
// UpdateConfigurationSetSendingEnabled, Create/Update/Delete-
// ConfigurationSetTrackingOptions (DescribeConfigurationSet shows them,
// ses_configuration_sets.cpp); v2 PutConfigurationSet{Delivery,Reputation,
// Sending,Suppression,Tracking,Vdm}Options (GetConfigurationSet, ses_v2.cpp).
// Each change is the whole set again (ConfigurationSetPut).
// https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateConfigurationSetTrackingOptions.html
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutConfigurationSetDeliveryOptions.html
//
// Not checked: that a CustomRedirectDomain is a verified identity (AWS
// answers InvalidTrackingOptions for an unverified one; Terraform's tests and
// LocalStack users set one without verifying it), and that a SendingPoolName
// names a dedicated IP pool.
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

// Changes the set's options with f(options) and records the whole set.
template <class F>
void edit_options(ConfigurationSet cs, Decision& out, F f) {
  json::object o = cs.options_json().empty() ? json::object() : json::parse(cs.options_json()).as_object();
  f(o);
  cs.set_options_json(o.empty() ? std::string() : json::serialize(o));
  put_config_set(out, std::move(cs));
}

std::string v1_tracking_domain(const Input& in) {
  const json::object* t = in.object("TrackingOptions");
  return t ? Input(*t).str_or("CustomRedirectDomain", "") : std::string();
}

json::object tracking(const std::string& domain) {
  json::object t;
  if (!domain.empty()) t["CustomRedirectDomain"] = domain;
  return t;
}

}  // namespace

// ---- v1 ----

void SesService::put_cs_delivery_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  std::string tls = "OPTIONAL";
  if (const json::object* d = req.in.object("DeliveryOptions"))
    if (Input(*d).str_or("TlsPolicy", "Optional") == "Require") tls = "REQUIRE";
  edit_options(cs, out, [&](json::object& o) {
    json::object del;
    if (auto* old = o.if_contains("DeliveryOptions"); old && old->is_object())
      if (auto* pool = old->as_object().if_contains("SendingPoolName")) del["SendingPoolName"] = *pool;  // v2's, kept
    del["TlsPolicy"] = tls;
    o["DeliveryOptions"] = std::move(del);
  });
}

void SesService::update_cs_sending_enabled(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  bool on = req.in.flag("Enabled");
  edit_options(cs, out, [&](json::object& o) { o["SendingOptions"] = json::object{{"SendingEnabled", on}}; });
}

void SesService::create_cs_tracking_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  edit_options(cs, out, [&](json::object& o) {
    if (o.contains("TrackingOptions")) throw tracking_options_already_exists(cs.name());
    o["TrackingOptions"] = tracking(v1_tracking_domain(req.in));
  });
}

void SesService::update_cs_tracking_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  edit_options(cs, out, [&](json::object& o) {
    if (!o.contains("TrackingOptions")) throw tracking_options_does_not_exist(cs.name());
    o["TrackingOptions"] = tracking(v1_tracking_domain(req.in));
  });
}

void SesService::delete_cs_tracking_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  edit_options(cs, out, [&](json::object& o) {
    if (!o.erase("TrackingOptions")) throw tracking_options_does_not_exist(cs.name());
  });
}

// ---- v2: each replaces its options object; the optional ones go when their members are left out ----

void SesService::v2_put_cs_delivery_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  json::object del{{"TlsPolicy", req.in.str_or("TlsPolicy", "OPTIONAL")}};
  if (auto pool = req.in.opt_str("SendingPoolName")) del["SendingPoolName"] = *pool;
  edit_options(cs, out, [&](json::object& o) { o["DeliveryOptions"] = std::move(del); });
}

void SesService::v2_put_cs_reputation_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  bool on = req.in.flag("ReputationMetricsEnabled");
  edit_options(cs, out, [&](json::object& o) {
    json::object rep;
    if (auto* old = o.if_contains("ReputationOptions"); old && old->is_object())
      if (auto* fresh = old->as_object().if_contains("LastFreshStart")) rep["LastFreshStart"] = *fresh;
    rep["ReputationMetricsEnabled"] = on;
    o["ReputationOptions"] = std::move(rep);
  });
}

void SesService::v2_put_cs_sending_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  bool on = req.in.flag("SendingEnabled");
  edit_options(cs, out, [&](json::object& o) { o["SendingOptions"] = json::object{{"SendingEnabled", on}}; });
}

void SesService::v2_put_cs_suppression_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  const json::array* reasons = req.in.array("SuppressedReasons");
  edit_options(cs, out, [&](json::object& o) {
    if (reasons) o["SuppressionOptions"] = json::object{{"SuppressedReasons", *reasons}};
    else o.erase("SuppressionOptions");  // the account's suppression list settings apply
  });
}

void SesService::v2_put_cs_tracking_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  std::string domain = req.in.str_or("CustomRedirectDomain", "");
  edit_options(cs, out, [&](json::object& o) {
    if (domain.empty()) o.erase("TrackingOptions");
    else o["TrackingOptions"] = tracking(domain);
  });
}

void SesService::v2_put_cs_vdm_options(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV2);
  const json::object* vdm = req.in.object("VdmOptions");
  edit_options(cs, out, [&](json::object& o) {
    if (vdm) o["VdmOptions"] = *vdm;
    else o.erase("VdmOptions");
  });
}

}  // namespace podstack::ses
