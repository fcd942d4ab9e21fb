// SQS permissions: AddPermission, RemovePermission. Both edit the queue's
// Policy attribute (the document SetQueueAttributes also sets): a statement
// per label, Sid = the label. decide() computes the whole new document, so
// the event carries it and apply() only stores it.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_RemovePermission.html
#include <algorithm>
#include <string>
#include <string_view>

#include "server/services/arn.h"
#include "server/services/sqs/sqs_errors.h"
#include "server/services/sqs/sqs_service.h"

namespace podstack::sqs {
namespace {

constexpr size_t kMaxActions = 7;  // "a maximum of seven actions per statement"
// The version AWS writes into the policies AddPermission creates.
constexpr std::string_view kPolicyVersion = "2008-10-17";

// What a statement may grant to another account; the other operations only
// the queue owner may call.
constexpr std::string_view kGrantable[] = {"*",
                                           "ChangeMessageVisibility",
                                           "DeleteMessage",
                                           "GetQueueAttributes",
                                           "GetQueueUrl",
                                           "ListDeadLetterSourceQueues",
                                           "PurgeQueue",
                                           "ReceiveMessage",
                                           "SendMessage"};

bool grantable(std::string_view action) {
  return std::find(std::begin(kGrantable), std::end(kGrantable), action) != std::end(kGrantable);
}

ApiError invalid_label(std::string_view label, std::string_view reason) {
  return invalid_parameter_value("Value " + std::string(label) + " for parameter Label is invalid. Reason: " + std::string(reason));
}

// AWS's rendering of the account ids: "[a, b]".
std::string id_list(const json::array& ids) {
  std::string s = "[";
  for (auto& v : ids) {
    if (s.size() > 1) s += ", ";
    if (v.is_string()) s += std::string_view(v.as_string());
  }
  return s + "]";
}

// One string, or an array of them when there are several (as AWS writes
// Principal.AWS and Action).
json::value one_or_many(json::array values) {
  if (values.size() == 1) return std::move(values[0]);
  return json::value(std::move(values));
}

// The queue's policy document, with Statement as an array; a new one
// (Version, Id) when the queue has none.
json::object policy_of(const QueueState& q, const std::string& arn) {
  std::string text = q.attr("Policy");
  json::object doc;
  if (!text.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (!ec && v.is_object()) doc = std::move(v.as_object());
  }
  if (doc.empty()) {
    doc["Version"] = kPolicyVersion;
    doc["Id"] = arn + "/SQSDefaultPolicy";
  }
  json::value& st = doc["Statement"];
  if (st.is_object()) st = json::array{std::move(st)};  // a single statement may be written bare
  else if (!st.is_array()) st = json::array();
  return doc;
}

bool has_sid(const json::value& statement, std::string_view label) {
  if (!statement.is_object()) return false;
  auto* sid = statement.as_object().if_contains("Sid");
  return sid && sid->is_string() && sid->as_string() == label;
}

}  // namespace

void SqsService::add_permission(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  std::string label(in.str("Label"));
  const json::array* actions = in.array("Actions");
  const json::array* accounts = in.array("AWSAccountIds");
  if (!actions || actions->empty()) throw missing_parameter("Actions");
  if (!accounts || accounts->empty())
    throw invalid_parameter_value("Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.");
  if (!valid_batch_id(label))  // the same rule: 1 to 80 of [A-Za-z0-9_-]
    throw invalid_label(label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  if (actions->size() > kMaxActions) throw over_limit(actions->size());
  json::array action_names;
  for (auto& a : *actions) {
    std::string_view name = a.is_string() ? std::string_view(a.as_string()) : std::string_view();
    if (!grantable(name))
      throw invalid_parameter_value("Value SQS:" + std::string(name) + " for parameter ActionName is invalid. Reason: " +
                                    (has_operation(name) ? "Only the queue owner is allowed to invoke this action."
                                                         : "Please refer to the appropriate WSDL for a list of valid actions."));
    action_names.push_back(json::string("SQS:" + std::string(name)));
  }
  json::array principals;
  for (auto& a : *accounts) {
    if (!a.is_string() || !is_account_id(a.as_string()))
      throw invalid_parameter_value("Value " + id_list(*accounts) + " for parameter PrincipalId is invalid. Reason: Unable to verify.");
    principals.push_back(json::string(arn_prefix(ctx.region) + "iam::" + std::string(a.as_string()) + ":root"));
  }

  std::string arn = arn_of(ctx.region, ctx.account, q.meta.name());
  json::object doc = policy_of(q, arn);
  json::array& statements = doc["Statement"].as_array();
  for (auto& s : statements)
    if (has_sid(s, label)) throw invalid_label(label, "Already exists.");
  json::object st;
  st["Sid"] = label;
  st["Effect"] = "Allow";
  st["Principal"] = json::object{{"AWS", one_or_many(std::move(principals))}};
  st["Action"] = one_or_many(std::move(action_names));
  st["Resource"] = arn;
  statements.push_back(std::move(st));

  sqs::Event ev;
  auto* p = ev.mutable_permission();
  p->set_name(q.meta.name());
  p->set_label(std::move(label));
  p->set_policy(json::serialize(doc));
  d.add(std::move(ev));
}

void SqsService::remove_permission(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  std::string label(in.str("Label"));
  json::object doc = policy_of(q, arn_of(ctx.region, ctx.account, q.meta.name()));
  json::array& statements = doc["Statement"].as_array();
  auto kept = std::remove_if(statements.begin(), statements.end(), [&](const json::value& s) { return has_sid(s, label); });
  if (kept == statements.end()) throw invalid_label(label, "can't find label.");
  statements.erase(kept, statements.end());

  sqs::Event ev;
  auto* p = ev.mutable_permission();
  p->set_name(q.meta.name());
  p->set_label(std::move(label));
  p->set_removed(true);
  if (!statements.empty()) p->set_policy(json::serialize(doc));  // else the queue has no policy left, as on AWS
  d.add(std::move(ev));
}

}  // namespace podstack::sqs
