// SNS mobile: SMS settings and opt-outs (CheckIfPhoneNumberIsOptedOut,
// ListPhoneNumbersOptedOut, OptInPhoneNumber, Get/SetSMSAttributes) and
// platform applications and endpoints (Create/Delete/List/Get/Set
// PlatformApplication..., CreatePlatformEndpoint, DeleteEndpoint,
// ListEndpointsByPlatformApplication, Get/SetEndpointAttributes). Nothing is
// sent to a carrier or a push service: publishes to them are recorded
// (see sns_internal.cpp).
// https://docs.aws.amazon.com/sns/latest/api/API_CreatePlatformApplication.html
#include <algorithm>
#include <map>
#include <set>

#include "server/services/arn.h"
#include "server/services/sns/sns_errors.h"
#include "server/services/sns/sns_service.h"
#include "server/services/sns/sns_util.h"

namespace podstack::sns {
namespace {

constexpr std::string_view kSmsAttrs[] = {"DefaultSenderID", "MonthlySpendLimit", "DeliveryStatusIAMRole",
                                          "DeliveryStatusSuccessSamplingRate", "DefaultSMSType", "UsageReportS3Bucket"};
constexpr std::string_view kPlatforms[] = {"ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS"};

json::object visible_app_attributes(const PlatformApplication& a) {
  json::object o;
  std::map<std::string, std::string> sorted(a.attributes().begin(), a.attributes().end());
  for (auto& [k, v] : sorted)
    if (k != "PlatformCredential" && k != "PlatformPrincipal") o[k] = v;  // secrets are not returned
  return o;
}

}  // namespace

// ---- SMS settings ----
void SnsService::check_opted_out(const Request& req, Decision& out) const {
  std::string phone(req.in.str("phoneNumber"));
  if (!valid_phone(phone)) throw invalid_parameter("PhoneNumber Reason: input incorrectly formatted");
  bool result = false;
  if (const SnsPartition* p = part(req.ctx))
    result = std::find(p->settings.opted_out().begin(), p->settings.opted_out().end(), phone) != p->settings.opted_out().end();
  out.output = json::object{{"isOptedOut", result}};
}

void SnsService::list_opted_out(const Request& req, Decision& out) const {
  Page page = page_of(req.in, "nextToken");
  json::array numbers;
  if (const SnsPartition* p = part(req.ctx))
    for (auto& n : p->settings.opted_out()) {
      if (n <= page.after()) continue;
      if (page.full(numbers.size(), n)) break;
      numbers.push_back(json::string(n));
    }
  json::object result{{"phoneNumbers", std::move(numbers)}};
  page.emit(result, "nextToken");
  out.output = std::move(result);
}

// Numbers are never opted out in podstack (no carrier replies STOP), so
// opting in changes nothing but is accepted.
void SnsService::opt_in(const Request& req, Decision& out) const {
  std::string phone(req.in.str("phoneNumber"));
  if (!valid_phone(phone)) throw invalid_parameter("PhoneNumber Reason: input incorrectly formatted");
  if (const SnsPartition* p = part(req.ctx))
    if (std::find(p->settings.opted_out().begin(), p->settings.opted_out().end(), phone) != p->settings.opted_out().end()) {
      Event ev;
      ev.mutable_settings()->add_opted_in(phone);
      out.add(std::move(ev));
    }
  out.output = json::object();
}

void SnsService::get_sms_attributes(const Request& req, Decision& out) const {
  json::object attrs;
  std::set<std::string> want;
  if (auto* a = req.in.array("attributes"))
    for (auto& x : *a)
      if (x.is_string()) want.insert(std::string(x.as_string()));
  if (const SnsPartition* p = part(req.ctx)) {
    std::map<std::string, std::string> sorted(p->settings.sms_attributes().begin(), p->settings.sms_attributes().end());
    for (auto& [k, v] : sorted)
      if (want.empty() || want.count(k)) attrs[k] = v;
  }
  out.output = json::object{{"attributes", std::move(attrs)}};
}

void SnsService::set_sms_attributes(const Request& req, Decision& out) const {
  Event ev;
  if (const json::object* a = req.in.object("attributes"))
    for (auto& kv : *a) {
      std::string n(kv.key());
      std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : "";
      if (!one_of(kSmsAttrs, n)) throw invalid_parameter(n);
      // "" resets an attribute (what Terraform's delete sends).
      if (n == "DefaultSMSType" && !v.empty() && v != "Promotional" && v != "Transactional") throw invalid_parameter("DefaultSMSType");
      (*ev.mutable_settings()->mutable_sms_attributes())[n] = v;
    }
  if (ev.settings().sms_attributes_size()) out.add(std::move(ev));
  out.output = json::object();
}

// ---- platform applications ----
const PlatformApplication& SnsService::app_of(const Input& in, const CallContext& ctx) const {
  std::string_view arn = in.str("PlatformApplicationArn");
  auto a = parse_arn(arn);
  const SnsPartition* p = part(ctx);
  if (a && p && a->account == ctx.account && a->region == ctx.region) {
    size_t slash = a->resource.rfind('/');
    if (a->resource.rfind("app/", 0) == 0 && slash != std::string::npos) {
      auto it = p->apps.find(a->resource.substr(slash + 1));
      if (it != p->apps.end() && it->second.arn() == arn) return it->second;
    }
  }
  throw not_found("PlatformApplication does not exist");
}

void SnsService::create_platform_application(const Request& req, Decision& out) const {
  std::string name(req.in.str("Name"));
  std::string platform(req.in.str("Platform"));
  if (!valid_topic_name(name) || ends_with(name, ".fifo")) throw invalid_parameter("Name");
  if (!one_of(kPlatforms, platform)) throw invalid_parameter("Platform Reason: Platform must be one of ADM, APNS, APNS_SANDBOX, GCM, BAIDU, MPNS, WNS");
  std::string arn = arn_prefix(req.ctx.region) + "sns:" + req.ctx.region + ":" + req.ctx.account + ":app/" + platform + "/" + name;
  if (const SnsPartition* p = part(req.ctx))
    if (auto it = p->apps.find(name); it != p->apps.end()) {
      out.output = json::object{{"PlatformApplicationArn", it->second.arn()}};
      return;
    }
  Event ev;
  PlatformApplication* a = ev.mutable_application_created()->mutable_application();
  a->set_name(name);
  a->set_arn(arn);
  a->set_platform(platform);
  if (const json::object* attrs = req.in.object("Attributes"))
    for (auto& kv : *attrs)
      if (kv.value().is_string()) (*a->mutable_attributes())[std::string(kv.key())] = std::string(kv.value().as_string());
  (*a->mutable_attributes())["Enabled"] = a->attributes().count("Enabled") ? a->attributes().at("Enabled") : "true";
  out.add(std::move(ev));
  out.output = json::object{{"PlatformApplicationArn", arn}};
}

void SnsService::delete_platform_application(const Request& req, Decision& out) const {
  const PlatformApplication* a = nullptr;
  try {
    a = &app_of(req.in, req.ctx);
  } catch (ApiError&) {
    return;  // AWS: deleting an absent application succeeds
  }
  Event ev;
  ev.mutable_application_deleted()->set_name(a->name());
  out.add(std::move(ev));
}

void SnsService::list_platform_applications(const Request& req, Decision& out) const {
  Page page = page_of(req.in);
  json::array apps;
  if (const SnsPartition* p = part(req.ctx))
    for (auto it = p->apps.upper_bound(page.after()); it != p->apps.end(); ++it) {
      if (page.full(apps.size(), it->first)) break;
      apps.push_back(json::object{{"PlatformApplicationArn", it->second.arn()}, {"Attributes", visible_app_attributes(it->second)}});
    }
  json::object result{{"PlatformApplications", std::move(apps)}};
  page.emit(result);
  out.output = std::move(result);
}

void SnsService::get_platform_application_attributes(const Request& req, Decision& out) const {
  out.output = json::object{{"Attributes", visible_app_attributes(app_of(req.in, req.ctx))}};
}

void SnsService::set_platform_application_attributes(const Request& req, Decision& out) const {
  const PlatformApplication& a = app_of(req.in, req.ctx);
  Event ev;
  ev.mutable_application_attributes()->set_name(a.name());
  if (const json::object* attrs = req.in.object("Attributes"))
    for (auto& kv : *attrs)
      if (kv.value().is_string())
        (*ev.mutable_application_attributes()->mutable_attributes())[std::string(kv.key())] = std::string(kv.value().as_string());
  out.add(std::move(ev));
}

void SnsService::create_platform_endpoint(const Request& req, Decision& out) const {
  const PlatformApplication& a = app_of(req.in, req.ctx);
  std::string token(req.in.str("Token"));
  if (token.empty()) throw invalid_parameter("Token Reason: cannot be empty");
  std::map<std::string, std::string> attrs;
  if (const json::object* x = req.in.object("Attributes"))
    for (auto& kv : *x)
      if (kv.value().is_string()) attrs[std::string(kv.key())] = std::string(kv.value().as_string());
  if (req.in.has("CustomUserData")) attrs["CustomUserData"] = req.in.str("CustomUserData");
  attrs["Token"] = token;
  if (!attrs.count("Enabled")) attrs["Enabled"] = "true";
  for (auto& ep : a.endpoints()) {
    auto t = ep.attributes().find("Token");
    if (t == ep.attributes().end() || t->second != token) continue;
    std::map<std::string, std::string> have(ep.attributes().begin(), ep.attributes().end());
    if (have != attrs)
      throw invalid_parameter("Token Reason: Endpoint " + ep.arn() + " already exists with the same Token, but different attributes.");
    out.output = json::object{{"EndpointArn", ep.arn()}};
    return;
  }
  std::string arn = arn_prefix(req.ctx.region) + "sns:" + req.ctx.region + ":" + req.ctx.account + ":endpoint/" + a.platform() + "/" + a.name() + "/" + random_uuid();
  Event ev;
  ev.mutable_endpoint_created()->set_application(a.name());
  Endpoint* ep = ev.mutable_endpoint_created()->mutable_endpoint();
  ep->set_arn(arn);
  for (auto& [k, v] : attrs) (*ep->mutable_attributes())[k] = v;
  out.add(std::move(ev));
  out.output = json::object{{"EndpointArn", arn}};
}

void SnsService::delete_endpoint(const Request& req, Decision& out) const {
  const PlatformApplication* a = nullptr;
  const Endpoint* ep = find_endpoint(req.ctx, req.in.str("EndpointArn"), &a);
  if (!ep) return;  // AWS: idempotent
  Event ev;
  ev.mutable_endpoint_deleted()->set_application(a->name());
  ev.mutable_endpoint_deleted()->set_arn(ep->arn());
  out.add(std::move(ev));
}

void SnsService::list_endpoints(const Request& req, Decision& out) const {
  const PlatformApplication& a = app_of(req.in, req.ctx);
  Page page = page_of(req.in);
  json::array eps;
  for (auto& ep : a.endpoints()) {
    if (ep.arn() <= page.after()) continue;
    if (page.full(eps.size(), ep.arn())) break;
    std::map<std::string, std::string> sorted(ep.attributes().begin(), ep.attributes().end());
    json::object attrs;
    for (auto& [k, v] : sorted) attrs[k] = v;
    eps.push_back(json::object{{"EndpointArn", ep.arn()}, {"Attributes", std::move(attrs)}});
  }
  json::object result{{"Endpoints", std::move(eps)}};
  page.emit(result);
  out.output = std::move(result);
}

const Endpoint* SnsService::find_endpoint(const CallContext& ctx, std::string_view arn, const PlatformApplication** app_out) const {
  // arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/APP/ID
  auto a = parse_arn(arn);
  const SnsPartition* p = part(ctx);
  if (!a || !p || a->account != ctx.account || a->region != ctx.region) return nullptr;
  size_t s1 = a->resource.find('/'), s2 = s1 == std::string::npos ? s1 : a->resource.find('/', s1 + 1);
  size_t s3 = s2 == std::string::npos ? s2 : a->resource.find('/', s2 + 1);
  if (s3 == std::string::npos) return nullptr;
  auto it = p->apps.find(a->resource.substr(s2 + 1, s3 - s2 - 1));
  if (it == p->apps.end()) return nullptr;
  for (auto& ep : it->second.endpoints())
    if (ep.arn() == arn) {
      if (app_out) *app_out = &it->second;
      return &ep;
    }
  return nullptr;
}

const Endpoint& SnsService::endpoint_of(const Input& in, const CallContext& ctx, const PlatformApplication** a) const {
  const Endpoint* ep = find_endpoint(ctx, in.str("EndpointArn"), a);
  if (!ep) throw not_found("Endpoint does not exist");
  return *ep;
}

void SnsService::get_endpoint_attributes(const Request& req, Decision& out) const {
  const Endpoint& ep = endpoint_of(req.in, req.ctx, nullptr);
  std::map<std::string, std::string> sorted(ep.attributes().begin(), ep.attributes().end());
  json::object attrs;
  for (auto& [k, v] : sorted) attrs[k] = v;
  out.output = json::object{{"Attributes", std::move(attrs)}};
}

void SnsService::set_endpoint_attributes(const Request& req, Decision& out) const {
  const PlatformApplication* a = nullptr;
  const Endpoint& ep = endpoint_of(req.in, req.ctx, &a);
  Event ev;
  auto* e = ev.mutable_endpoint_attributes();
  e->set_application(a->name());
  e->set_arn(ep.arn());
  if (const json::object* attrs = req.in.object("Attributes"))
    for (auto& kv : *attrs)
      if (kv.value().is_string()) (*e->mutable_attributes())[std::string(kv.key())] = std::string(kv.value().as_string());
  out.add(std::move(ev));
}

}  // namespace podstack::sns
