// DynamoDB resource-based policies and the table add-ons Terraform reads on
// every refresh: Get/Put/DeleteResourcePolicy (a table's or its stream's),
// Describe/Update/ListContributorInsights, DescribeKinesisStreamingDestination.
// Each change is a TableUpdated event with the whole new description.
// Policies are stored and answered, not enforced (podstack checks no
// credentials); contributor insights are recorded, no graphs are made;
// podstack has no Kinesis, so a table never has a streaming destination.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
#include <algorithm>

#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"

namespace podstack::dynamodb {
namespace {

constexpr size_t kMaxPolicyBytes = 20 * 1024;

bool is_stream_arn(std::string_view arn) { return arn.find("/stream/") != std::string_view::npos; }

// The stream ARN must name the table's current stream.
void check_stream(const TableState& t, const CallContext& ctx, std::string_view arn) {
  std::string want = table_arn(ctx, t.desc.name()) + "/stream/" + t.desc.stream_label();
  if (t.desc.stream_label().empty() || arn != want)
    throw resource_not_found("Requested resource not found: ResourcArn: " + std::string(arn) + " not found");
}

// Revision ids are the change's time in milliseconds, as AWS's look.
std::string revision(const CallContext& ctx) { return std::to_string(ctx.now_ms); }

const ContributorInsights* insights_of(const TableDescription& d, std::string_view index) {
  for (auto& c : d.contributor_insights())
    if (c.index() == index) return &c;
  return nullptr;
}

bool has_index(const TableState& t, std::string_view name) {
  for (auto& ix : t.desc.indexes())
    if (ix.name() == name) return true;
  return false;
}

}  // namespace

void DynamoDbService::put_resource_policy(const Request& req, Decision& out) const {
  const Input& in = req.in;
  std::string_view arn = in.str("ResourceArn");
  const TableState& t = table_by_arn(req.ctx, arn);
  bool stream = is_stream_arn(arn);
  if (stream) check_stream(t, req.ctx, arn);
  std::string_view policy = in.str("Policy");
  if (policy.size() > kMaxPolicyBytes)
    throw ApiError::validation("Resource-based policy size exceeds the limit of 20 KB");
  boost::system::error_code ec;
  json::value doc = json::parse(policy, ec);
  if (ec || !doc.is_object()) throw ApiError::validation("Invalid policy document: the policy must be a JSON object");
  const std::string& current = stream ? t.desc.stream_resource_policy_revision() : t.desc.resource_policy_revision();
  if (auto expected = in.opt_str("ExpectedRevisionId"); expected && *expected != current) {
    if (current.empty()) throw policy_not_found(arn);
    throw policy_revision_mismatch(arn, *expected);
  }
  TableDescription d = t.desc;
  std::string rev = revision(req.ctx);
  if (rev == current) rev += "1";  // two changes in one millisecond stay distinguishable
  if (stream) {
    d.set_stream_resource_policy(std::string(policy));
    d.set_stream_resource_policy_revision(rev);
  } else {
    d.set_resource_policy(std::string(policy));
    d.set_resource_policy_revision(rev);
  }
  Event ev;
  *ev.mutable_updated()->mutable_desc() = std::move(d);
  out.add(std::move(ev));
  out.output = json::object{{"RevisionId", rev}};
}

void DynamoDbService::get_resource_policy(const Request& req, Decision& out) const {
  std::string_view arn = req.in.str("ResourceArn");
  const TableState& t = table_by_arn(req.ctx, arn);
  bool stream = is_stream_arn(arn);
  if (stream) check_stream(t, req.ctx, arn);
  const std::string& policy = stream ? t.desc.stream_resource_policy() : t.desc.resource_policy();
  if (policy.empty()) throw policy_not_found(arn);
  out.output = json::object{{"Policy", policy},
                            {"RevisionId", stream ? t.desc.stream_resource_policy_revision() : t.desc.resource_policy_revision()}};
}

void DynamoDbService::delete_resource_policy(const Request& req, Decision& out) const {
  const Input& in = req.in;
  std::string_view arn = in.str("ResourceArn");
  const TableState& t = table_by_arn(req.ctx, arn);
  bool stream = is_stream_arn(arn);
  if (stream) check_stream(t, req.ctx, arn);
  const std::string& current = stream ? t.desc.stream_resource_policy_revision() : t.desc.resource_policy_revision();
  if (current.empty()) throw policy_not_found(arn);
  if (auto expected = in.opt_str("ExpectedRevisionId"); expected && *expected != current) throw policy_revision_mismatch(arn, *expected);
  TableDescription d = t.desc;
  if (stream) {
    d.clear_stream_resource_policy();
    d.clear_stream_resource_policy_revision();
  } else {
    d.clear_resource_policy();
    d.clear_resource_policy_revision();
  }
  Event ev;
  *ev.mutable_updated()->mutable_desc() = std::move(d);
  out.add(std::move(ev));
  out.output = json::object{{"RevisionId", current}};
}

void DynamoDbService::describe_contributor_insights(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const TableState& t = table(req.ctx, in.str("TableName"));
  std::string index(in.str_or("IndexName", ""));
  if (!index.empty() && !has_index(t, index)) throw resource_not_found();
  json::object res{{"TableName", t.desc.name()}};
  if (!index.empty()) res["IndexName"] = index;
  if (const ContributorInsights* c = insights_of(t.desc, index)) {
    res["ContributorInsightsStatus"] = "ENABLED";
    res["ContributorInsightsMode"] = c->mode();
    res["LastUpdateDateTime"] = c->updated();
    // AWS's rule names: partition (and sort) keys accessed (C) and throttled (T).
    std::string target = t.desc.name() + (index.empty() ? "" : "-" + index);
    bool sort_key = false;
    for (auto& k : t.desc.key_schema()) sort_key = sort_key || k.key_type() == "RANGE";
    json::array rules;
    for (std::string_view kind : {"PKC", "PKT", "SKC", "SKT"}) {
      if (kind[1] == 'K' && kind[0] == 'S' && !sort_key) continue;
      if (kind[2] == 'C' && c->mode() == "THROTTLED_KEYS") continue;
      rules.push_back(json::string("DynamoDBContributorInsights-" + std::string(kind) + "-" + target));
    }
    res["ContributorInsightsRuleList"] = std::move(rules);
  } else {
    res["ContributorInsightsStatus"] = "DISABLED";
  }
  out.output = std::move(res);
}

void DynamoDbService::update_contributor_insights(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const TableState& t = table(req.ctx, in.str("TableName"));
  std::string index(in.str_or("IndexName", ""));
  if (!index.empty() && !has_index(t, index)) throw resource_not_found();
  bool enable = in.str("ContributorInsightsAction") == "ENABLE";
  std::string mode(in.str_or("ContributorInsightsMode", "ACCESSED_AND_THROTTLED_KEYS"));
  TableDescription d = t.desc;
  auto* list = d.mutable_contributor_insights();
  for (int i = 0; i < list->size(); ++i)
    if (list->Get(i).index() == index) {
      list->DeleteSubrange(i, 1);
      break;
    }
  if (enable) {
    ContributorInsights c;
    c.set_index(index);
    c.set_mode(mode);
    c.set_updated(static_cast<double>(req.ctx.now_ms) / 1000.0);
    *list->Add() = std::move(c);
    std::sort(list->begin(), list->end(), [](const ContributorInsights& a, const ContributorInsights& b) { return a.index() < b.index(); });
  }
  Event ev;
  *ev.mutable_updated()->mutable_desc() = std::move(d);
  out.add(std::move(ev));
  json::object res{{"TableName", t.desc.name()}, {"ContributorInsightsStatus", enable ? "ENABLING" : "DISABLING"}};
  if (!index.empty()) res["IndexName"] = index;
  if (enable) res["ContributorInsightsMode"] = mode;
  out.output = std::move(res);
}

void DynamoDbService::list_contributor_insights(const Request& req, Decision& out) const {
  const Input& in = req.in;
  json::array summaries;
  auto add_table = [&](const TableState& t) {
    auto add = [&](const std::string& index) {
      json::object s{{"TableName", t.desc.name()}};
      if (!index.empty()) s["IndexName"] = index;
      const ContributorInsights* c = insights_of(t.desc, index);
      s["ContributorInsightsStatus"] = c ? "ENABLED" : "DISABLED";
      if (c) s["ContributorInsightsMode"] = c->mode();
      summaries.push_back(std::move(s));
    };
    add("");
    for (auto& ix : t.desc.indexes())
      if (!ix.local()) add(ix.name());
  };
  if (auto name = in.opt_str("TableName")) {
    add_table(table(req.ctx, *name));
  } else if (const PartitionState* p = state().partition(req.ctx)) {
    for (auto& [name, t] : p->tables) add_table(t);
  }
  out.output = json::object{{"ContributorInsightsSummaries", std::move(summaries)}};
}

void DynamoDbService::describe_kinesis_streaming_destination(const Request& req, Decision& out) const {
  const TableState& t = table(req.ctx, req.in.str("TableName"));
  out.output = json::object{{"TableName", t.desc.name()}, {"KinesisDataStreamDestinations", json::array()}};
}

}  // namespace podstack::dynamodb
