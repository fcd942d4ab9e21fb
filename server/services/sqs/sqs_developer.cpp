// SQS developer endpoints, as LocalStack has them:
//   GET|POST /_aws/sqs/messages?QueueUrl=<url>
//   GET|POST /_aws/sqs/messages/<region>/<account>/<queue>
// Entry point: SqsService::peek_messages (__PeekMessages, a read). It lists a
// queue's messages the way ReceiveMessage shows them (every system and user
// attribute), without receiving any: no receive count, no visibility
// change, no event. ShowInvisible=true adds messages in flight (and FIFO
// messages behind one), ShowDelayed=true delayed ones, with LocalStack's
// extra IsVisible / IsDelayed attributes; the receipt handle is
// LocalStack's placeholder. The gateway renders the output as a
// ReceiveMessageResponse (Route::aws_response).
// https://docs.localstack.cloud/aws/services/sqs/#developer-endpoints
#include <optional>
#include <set>
#include <vector>

#include "server/services/sqs/sqs_errors.h"
#include "server/services/sqs/sqs_service.h"

namespace podstack::sqs {
namespace {

struct QueueAddress {
  std::string account, region, name;  // region empty: the request's
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) return out;
    s = s.substr(p + 1);
  }
}

// A queue URL of any SQS_ENDPOINT_STRATEGY, read as LocalStack reads it:
// /<account>/<name> or /queue/<region>/<account>/<name>; the region from the
// path, a host sqs.<region>.… or <region>.queue.…, else the request's.
std::optional<QueueAddress> parse_queue_url(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string_view host;
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url = url.substr(scheme + 3);
    size_t slash = url.find('/');
    host = url.substr(0, slash);
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  while (!url.empty() && url.front() == '/') url.remove_prefix(1);
  std::vector<std::string_view> path = split(url, '/');
  if (path.size() != 2 && path.size() != 4) return std::nullopt;
  QueueAddress a{std::string(path[path.size() - 2]), "", std::string(path.back())};
  std::vector<std::string_view> domain = split(host, '.');
  if (path.size() == 4) {
    if (path[0] != "queue") return std::nullopt;
    a.region = path[1];
  } else if (host.rfind("sqs.", 0) == 0) {
    a.region = domain[1];
  } else if (host.find(".queue.") != std::string_view::npos) {
    if (domain[1] != "queue") return std::nullopt;
    a.region = domain[0];
  } else if (host.rfind("queue", 0) == 0) {
    a.region = "us-east-1";
  }
  if (a.account.empty() || a.name.empty()) return std::nullopt;
  return a;
}

bool param_true(const Input& in, std::string_view name) {
  std::string v = lower(in.str_or(name, ""));
  return v == "true" || v == "1";
}

}  // namespace

void SqsService::peek_messages(const Request& req, Decision& d) const {
  const Input& in = req.in;
  // An AWS client pointed at the endpoint may ask only what it answers.
  if (auto action = in.opt_str("Action"); action && *action != "ReceiveMessage")
    throw invalid_request("This endpoint only accepts ReceiveMessage calls");
  QueueAddress at;
  if (auto tail = in.opt_str("Path")) {
    std::vector<std::string_view> parts = split(*tail, '/');
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) throw invalid_address();
    at = QueueAddress{std::string(parts[1]), std::string(parts[0]), std::string(parts[2])};
  } else {
    auto url = in.opt_str("QueueUrl");
    if (!url || url->empty()) throw non_existent_queue();
    auto parsed = parse_queue_url(*url);
    if (!parsed) throw invalid_address();
    at = std::move(*parsed);
  }
  CallContext ctx = req.ctx;
  ctx.account = at.account;
  if (!at.region.empty()) ctx.region = at.region;
  const QueueState* q = find(ctx, at.name);
  if (!q) throw non_existent_queue();

  const bool show_invisible = param_true(in, "ShowInvisible"), show_delayed = param_true(in, "ShowDelayed");
  const int64_t now = ctx.now_ms;
  static const std::set<std::string> kNoNames;
  static const std::vector<std::string> kAllUser = {"All"};
  // A FIFO group is locked by an earlier message in flight or delayed: what
  // follows it in the group is not receivable either (shown as invisible).
  std::set<std::string> locked;
  json::array out;
  for (auto& [seq, m] : q->messages) {
    if (q->expired(m, now)) continue;
    const bool hidden = m.visible_at_ms() > now;
    const bool delayed = hidden && m.receive_count() == 0;  // a delay applies only before the first receive
    const bool in_flight = hidden && !delayed;
    const bool behind = q->fifo() && !hidden && locked.count(m.group_id());
    if (q->fifo() && hidden) locked.insert(m.group_id());
    if (delayed ? !show_delayed : (in_flight || behind) ? !show_invisible : false) continue;
    json::object msg = message_json(*q, m, "SQS/BACKDOOR/ACCESS", m.receive_count(), m.first_receive_ms(), true, kNoNames, kAllUser);
    json::object& attrs = msg["Attributes"].as_object();
    if (show_invisible) attrs["IsVisible"] = hidden ? "false" : "true";
    if (show_delayed) attrs["IsDelayed"] = delayed ? "true" : "false";
    out.push_back(std::move(msg));
  }
  json::object result;
  if (!out.empty()) result["Messages"] = std::move(out);
  d.output = std::move(result);
}

}  // namespace podstack::sqs
