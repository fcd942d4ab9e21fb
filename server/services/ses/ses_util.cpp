// Helpers the SES areas share (see ses_util.h).
#include "server/services/ses/ses_util.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/ses/ses_mail.h"

namespace podstack::ses {
namespace {

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

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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

std::string iso_ms(int64_t ms) { return protocol::iso8601(static_cast<double>(ms) / 1000); }

// v2's [{"Key", "Value"}] tags, sorted by key.
json::array tags_json(const google::protobuf::Map<std::string, std::string>& tags) {
  json::array out;
  for (auto& [k, v] : std::map<std::string, std::string>(tags.begin(), tags.end())) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
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

Rendered render_template(const Template& t, const json::object& data) {
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
void check_template_data(std::string_view data, const Errors& err) {
  bool ok = false;
  template_data(data, ok);
  if (!ok) throw err.invalid("Template data must be a JSON object.");
}

// The message TestRenderTemplate shows: headers and the MIME body.
std::string test_render(const Template& t, std::string_view data_raw, const Errors& err) {
  bool ok = false;
  json::object data = template_data(data_raw, ok);
  if (!ok) {
    if (err.v2) throw err.invalid("Template data must be a JSON object.");
    throw invalid_rendering_parameter("Template data must be a JSON object.");
  }
  Rendered r = render_template(t, data);
  if (!r.ok) {
    std::string msg = "Attribute '" + r.missing + "' is not present in the rendering data.";
    if (err.v2) throw err.invalid(msg);
    throw missing_rendering_attribute(msg);
  }
  MailContent c;
  c.subject = r.subject;
  c.text = r.text;
  c.html = r.html;
  return ses::build_message(c);
}

std::string template_name_of(const Input& in, std::string_view name_key, std::string_view arn_key) {
  std::string name = in.str_or(name_key, "");
  if (name.empty()) {  // arn:aws:ses:REGION:ACCOUNT:template/NAME
    std::string arn = in.str_or(arn_key, "");
    if (size_t p = arn.find(":template/"); p != std::string::npos) name = arn.substr(p + 10);
  }
  return name;
}

Identity new_identity(const CallContext& ctx, std::string name, bool domain) {
  Identity id;
  id.set_name(domain ? lower(name) : std::move(name));
  id.set_type(domain ? "Domain" : "EmailAddress");
  if (domain) id.set_verification_token(random_chars(44, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"));
  id.set_created_ms(ctx.now_ms);
  return id;
}
void add_dkim_tokens(Identity& id) {
  if (id.dkim_tokens_size() > 0) return;
  for (int i = 0; i < 3; ++i) id.add_dkim_tokens(random_chars(32, "abcdefghijklmnopqrstuvwxyz0123456789"));
  id.set_dkim_enabled(true);
}

EventDestination read_destination_def(const json::object& o, std::string name, const Errors& err) {
  Input in(o);
  EventDestination dst;
  dst.set_name(std::move(name));
  dst.set_enabled(in.flag("Enabled"));
  for (auto& t : strings(in.array("MatchingEventTypes"))) dst.add_event_types(err.v2 ? t : v2_event_type(t));
  const json::object* sns = in.object(err.v2 ? "SnsDestination" : "SNSDestination");
  if (sns) {
    std::string arn = Input(*sns).str_or(err.v2 ? "TopicArn" : "TopicARN", "");
    if (arn_partition(arn).first.empty()) {
      if (err.v2) throw err.invalid("Invalid SNS topic ARN: " + arn);
      throw invalid_sns_destination(arn);
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

json::object destination_json(const EventDestination& dst, bool v2) {
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

void read_destination(const json::object* dst, Outgoing& o) {
  if (!dst) return;
  Input in(*dst);
  o.has_destination = true;
  o.to = strings(in.array("ToAddresses"));
  o.cc = strings(in.array("CcAddresses"));
  o.bcc = strings(in.array("BccAddresses"));
}

void read_tags(const json::array* a, std::vector<std::pair<std::string, std::string>>& out) {
  if (!a) return;
  for (auto& t : *a) {
    Input ti(t.as_object());
    out.emplace_back(ti.str_or("Name", ""), ti.str_or("Value", ""));
  }
}

// SendRawEmail's Source and recipients default to the message's own headers.
void read_raw(std::string raw, const std::string& source, const std::vector<std::string>& destinations, Outgoing& o,
                     const Errors& err) {
  Headers h = ses::parse_headers(raw);
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

void put_identity(Decision& out, Identity id) {
  Event ev;
  *ev.mutable_identity_put()->mutable_identity() = std::move(id);
  out.add(std::move(ev));
}
void put_template(Decision& out, Template t) {
  Event ev;
  *ev.mutable_template_put()->mutable_template_() = std::move(t);
  out.add(std::move(ev));
}
void put_config_set(Decision& out, ConfigurationSet cs) {
  Event ev;
  *ev.mutable_configuration_set_put()->mutable_configuration_set() = std::move(cs);
  out.add(std::move(ev));
}

void publish(Decision& out, const std::string& topic_arn, const json::object& message) {
  auto [account, region] = arn_partition(topic_arn);
  if (account.empty()) return;
  out.deliveries.push_back(Delivery{"sns", "publish", account, region,
                                    json::object{{"TopicArn", topic_arn}, {"Message", json::serialize(message)}}});
}

}  // namespace podstack::ses
