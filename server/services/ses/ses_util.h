// Helpers the SES areas share (both APIs): JSON shapes and paging, names
// and ARNs, template rendering, the Outgoing mail every send operation
// reduces to, and the events and deliveries handlers add.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/ses.pb.h"
#include "server/service.h"
#include "server/services/pagination.h"
#include "server/services/ses/ses_errors.h"

namespace podstack::ses {

constexpr double kMax24HourSend = 200;  // the sandbox quota
constexpr double kMaxSendRate = 1;
constexpr size_t kMaxRecipients = 50;

std::string lower(std::string_view s);
std::vector<std::string> strings(const json::array* a);
json::array to_array(const std::vector<std::string>& v);
template <class R>
json::array to_array(const R& repeated) {
  json::array a;
  for (auto& s : repeated) a.emplace_back(s);
  return a;
}
std::string iso_ms(int64_t ms);

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
json::array tags_json(const google::protobuf::Map<std::string, std::string>& tags);

// arn:aws:sns:REGION:ACCOUNT:NAME -> (account, region); empty when not an SNS ARN.
std::pair<std::string, std::string> arn_partition(std::string_view arn);

// ---- templates ----
json::object template_data(std::string_view raw, bool& ok);
void check_template_data(std::string_view data, const Errors& err);
// A template's rendering: subject, text, html; `missing` names the attribute
// the data lacks when it fails.
struct Rendered {
  std::string subject, text, html, missing;
  bool ok = true;
};
Rendered render_template(const Template& t, const json::object& data);
// The message TestRenderTemplate shows: headers and the MIME body.
std::string test_render(const Template& t, std::string_view data_raw, const Errors& err);
std::string template_name_of(const Input& in, std::string_view name_key, std::string_view arn_key);

// ---- identities ----
Identity new_identity(const CallContext& ctx, std::string name, bool domain);
void add_dkim_tokens(Identity& id);

// ---- configuration sets ----
// An event destination in v2's shape, from either API's input.
EventDestination read_destination_def(const json::object& o, std::string name, const Errors& err);
json::object destination_json(const EventDestination& dst, bool v2);

// ---- sending ----
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
  const Template* tmpl = nullptr;
  std::string template_name, template_data;
  std::string configuration_set;
  std::vector<std::pair<std::string, std::string>> tags;
};
void read_destination(const json::object* dst, Outgoing& o);
void read_tags(const json::array* a, std::vector<std::pair<std::string, std::string>>& out);
// SendRawEmail's Source and recipients default to the message's own headers.
void read_raw(std::string raw, const std::string& source, const std::vector<std::string>& destinations, Outgoing& o,
              const Errors& err);

// ---- events and deliveries ----
void put_identity(Decision& out, Identity id);
void put_template(Decision& out, Template t);
void put_config_set(Decision& out, ConfigurationSet cs);
// An SNS "publish" delivery of `message` to `topic_arn` (dropped when not an SNS ARN).
void publish(Decision& out, const std::string& topic_arn, const json::object& message);

}  // namespace podstack::ses
