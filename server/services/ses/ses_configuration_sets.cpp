// SES configuration sets, v1: CreateConfigurationSet,
// DeleteConfigurationSet, DescribeConfigurationSet, ListConfigurationSets,
// Create/Update/DeleteConfigurationSetEventDestination; and the cores v2
// shares (lookups, creation, deletion, event destination changes).
// https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateConfigurationSet.html
#include <algorithm>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {

const ConfigurationSet* SesService::find_config_set(const CallContext& ctx, std::string_view name) const {
  const SesPartition* p = part(ctx);
  if (!p) return nullptr;
  auto it = p->config_sets.find(name);
  return it == p->config_sets.end() ? nullptr : &it->second;
}

const ConfigurationSet& SesService::config_set_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const {
  const ConfigurationSet* cs = find_config_set(ctx, name);
  if (!cs) throw err.config_set_missing(name);
  return *cs;
}

void SesService::new_config_set(const CallContext& ctx, Decision& out, const std::string& name, const Errors& err,
                                std::string options_json, const json::array* tags) const {
  if (name.empty() || name.size() > 64 ||
      !std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; })) {
    if (err.v2) throw err.invalid("Invalid configuration set name <" + name + ">.");
    throw invalid_configuration_set(name);
  }
  if (find_config_set(ctx, name))
    throw err.exists(configuration_set_already_exists(name));
  ConfigurationSet cs;
  cs.set_name(name);
  cs.set_options_json(std::move(options_json));
  cs.set_created_ms(ctx.now_ms);
  if (tags)
    for (auto& t : *tags) (*cs.mutable_tags())[std::string(t.as_object().at("Key").as_string())] = std::string(t.as_object().at("Value").as_string());
  put_config_set(out, std::move(cs));
}

void SesService::delete_config_set(const Input& in, const CallContext& ctx, Decision& out, const Errors& err) const {
  const ConfigurationSet& cs = config_set_or_throw(ctx, in.str("ConfigurationSetName"), err);
  Event ev;
  ev.mutable_configuration_set_deleted()->set_name(cs.name());
  out.add(std::move(ev));
}
void SesService::change_destination(const CallContext& ctx, Decision& out, std::string_view set_name, const std::string& dest_name,
                                    const json::object* def, DestChange change, const Errors& err) const {
  ConfigurationSet cs = config_set_or_throw(ctx, set_name, err);
  auto* dests = cs.mutable_destinations();
  auto it = std::find_if(dests->begin(), dests->end(), [&](auto& x) { return x.name() == dest_name; });
  if (change == DestChange::kCreate && it != dests->end())
    throw err.exists(event_destination_already_exists(dest_name));
  if (change != DestChange::kCreate && it == dests->end())
    throw err.not_found(event_destination_does_not_exist(dest_name));
  if (change == DestChange::kDelete) {
    dests->erase(it);
  } else {
    EventDestination dst = read_destination_def(*def, dest_name, err);
    if (it != dests->end()) *it = std::move(dst);
    else *cs.add_destinations() = std::move(dst);
    std::sort(dests->begin(), dests->end(), [](auto& a, auto& b) { return a.name() < b.name(); });
  }
  put_config_set(out, std::move(cs));
}

void SesService::create_configuration_set(const Request& req, Decision& out) const {
  const json::object* cs = req.in.object("ConfigurationSet");
  new_config_set(req.ctx, out, cs ? Input(*cs).str_or("Name", "") : "", kV1, "", nullptr);
}

void SesService::delete_configuration_set(const Request& req, Decision& out) const {
  delete_config_set(req.in, req.ctx, out, kV1);
}

void SesService::describe_configuration_set(const Request& req, Decision& out) const {
  const ConfigurationSet& cs = config_set_or_throw(req.ctx, req.in.str("ConfigurationSetName"), kV1);
  json::object o{{"ConfigurationSet", json::object{{"Name", cs.name()}}}};
  json::object options = cs.options_json().empty() ? json::object() : json::parse(cs.options_json()).as_object();
  for (auto& attr : strings(req.in.array("ConfigurationSetAttributeNames"))) {
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
  out.output = std::move(o);
}

void SesService::list_configuration_sets(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  out.output = page_of(req.in, 1000, "MaxItems", p ? &p->config_sets : nullptr, "ConfigurationSets",
                     [](auto& name, auto&) { return json::value(json::object{{"Name", name}}); });
}

void SesService::create_event_destination(const Request& req, Decision& out) const {
  const json::object& def = *req.in.object("EventDestination");
  change_destination(req.ctx, out, req.in.str("ConfigurationSetName"), std::string(Input(def).str("Name")), &def, DestChange::kCreate, kV1);
}
void SesService::update_event_destination(const Request& req, Decision& out) const {
  const json::object& def = *req.in.object("EventDestination");
  change_destination(req.ctx, out, req.in.str("ConfigurationSetName"), std::string(Input(def).str("Name")), &def, DestChange::kUpdate, kV1);
}
void SesService::delete_event_destination(const Request& req, Decision& out) const {
  change_destination(req.ctx, out, req.in.str("ConfigurationSetName"), std::string(req.in.str("EventDestinationName")), nullptr,
                     DestChange::kDelete, kV1);
}

}  // namespace podstack::ses
