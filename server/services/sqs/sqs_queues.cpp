// SQS queues: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
// GetQueueAttributes, SetQueueAttributes, PurgeQueue, TagQueue, UntagQueue,
// ListQueueTags, ListDeadLetterSourceQueues.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
#include <algorithm>
#include <map>
#include <set>

#include "server/services/pagination.h"
#include "server/services/sqs/sqs_errors.h"
#include "server/services/sqs/sqs_service.h"

namespace podstack::sqs {
namespace {

struct Counts {
  int64_t visible = 0, in_flight = 0, delayed = 0;
};
Counts counts(const QueueState& q, int64_t now) {
  Counts c;
  for (auto& [seq, m] : q.messages) {
    if (q.expired(m, now)) continue;
    if (m.visible_at_ms() <= now) ++c.visible;
    else if (m.receive_count() > 0) ++c.in_flight;
    else ++c.delayed;
  }
  return c;
}

void set_attrs(const QueueState& q, const std::map<std::string, std::string>& checked, Decision& d) {
  sqs::Event ev;
  ev.mutable_attributes_set()->set_name(q.meta.name());
  for (auto& [k, v] : checked) (*ev.mutable_attributes_set()->mutable_attributes())[k] = v;
  d.add(std::move(ev));
}

}  // namespace

std::map<std::string, std::string> SqsService::check_attributes(const CallContext& ctx, const json::object* attrs, bool fifo,
                                                                 bool creating) const {
  std::map<std::string, std::string> out;
  if (!attrs) return out;
  for (auto& kv : *attrs) {
    std::string n(kv.key());
    std::string v = kv.value().is_string() ? std::string(kv.value().as_string()) : json::serialize(kv.value());
    const AttrSpec* spec = attr_spec(n);
    if (!spec) throw invalid_attribute_name(n);  // read-only attributes included
    if (spec->fifo_only && !fifo) {
      if (n == "FifoQueue" && !is_true(v) && creating) continue;  // FifoQueue=false on a standard queue is allowed
      throw invalid_attribute_name(n);
    }
    if (spec->max > 0) {
      v = std::to_string(int_attr_value(n, v, *spec));
    } else if (n == "FifoQueue") {
      if (!creating) throw invalid_attribute_value(n);
      if (!is_true(v)) throw invalid_attribute_value(n);
      v = "true";
    } else if (n == "ContentBasedDeduplication" || n == "SqsManagedSseEnabled") {
      if (v != "true" && v != "false") throw invalid_attribute_value(n);
    } else if (n == "DeduplicationScope") {
      if (v != "queue" && v != "messageGroup") throw invalid_attribute_value(n);
    } else if (n == "FifoThroughputLimit") {
      if (v != "perQueue" && v != "perMessageGroupId") throw invalid_attribute_value(n);
    } else if (n == "RedrivePolicy" && !v.empty()) {
      auto r = parse_redrive(v);
      if (!r)
        throw invalid_parameter_value("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or is missing deadLetterTargetArn or maxReceiveCount.");
      if (r->max_receive_count > 1000)
        throw invalid_parameter_value("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: " +
                                      std::to_string(r->max_receive_count) + ", valid values are from 1 to 1000 both inclusive.");
      const QueueState* dlq = find(ctx, r->dlq);
      if (!dlq)
        throw non_existent_queue("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.");
      if (dlq->fifo() != fifo)
        throw invalid_parameter_value("Value " + v + " for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.");
    } else if ((n == "Policy" || n == "RedriveAllowPolicy") && !v.empty()) {
      boost::system::error_code ec;
      json::value pv = json::parse(v, ec);
      if (ec || !pv.is_object()) throw invalid_attribute_value(n);
    }
    out[n] = v;
  }
  return out;
}

void SqsService::create_queue(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name(in.str("QueueName"));
  const json::object* attrs = in.object("Attributes");
  bool fifo_attr = false;
  if (attrs)
    if (auto* f = attrs->if_contains("FifoQueue")) fifo_attr = f->is_string() ? is_true(f->as_string()) : f->is_bool() && f->as_bool();
  bool fifo_name = name.size() > 5 && name.substr(name.size() - 5) == ".fifo";
  if (!valid_queue_name(name))
    throw invalid_parameter_value("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  if (fifo_attr && !fifo_name)
    throw invalid_parameter_value("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.");
  if (fifo_name && !fifo_attr) throw invalid_parameter_value("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  auto checked = check_attributes(ctx, attrs, fifo_attr, true);
  if (fifo_attr) checked["FifoQueue"] = "true";
  if (const QueueState* q = find(ctx, name)) {
    // Idempotent when every given attribute equals the queue's current value.
    for (auto& [k, v] : checked)
      if (q->attr(k) != v)
        throw queue_already_exists(k);
    json::object out;
    out["QueueUrl"] = url_of(ctx, name);
    d.output = std::move(out);
    return;
  }
  sqs::Event ev;
  sqs::Queue* qm = ev.mutable_created()->mutable_queue();
  qm->set_name(name);
  for (auto& [k, v] : checked) (*qm->mutable_attributes())[k] = v;
  if (const json::object* tags = in.object("tags")) {
    if (tags->size() > kMaxTags) throw invalid_parameter_value("Too many tags added for queue " + name + ".");
    for (auto& kv : *tags)
      if (kv.value().is_string()) (*qm->mutable_tags())[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  qm->set_created_ms(ctx.now_ms);
  qm->set_modified_ms(ctx.now_ms);
  d.add(std::move(ev));
  json::object out;
  out["QueueUrl"] = url_of(ctx, name);
  d.output = std::move(out);
}

void SqsService::get_queue_url(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string name(in.str("QueueName"));
  if (!find(ctx, name)) throw non_existent_queue();
  json::object out;
  out["QueueUrl"] = url_of(ctx, name);
  d.output = std::move(out);
}

void SqsService::list_queues(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string prefix = in.str_or("QueueNamePrefix", "");
  auto max = in.opt_int("MaxResults");
  if (max && (*max < 1 || *max > 1000))
    throw invalid_parameter_value("Value " + std::to_string(*max) + " for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
  if (in.has("NextToken") && !max) throw invalid_parameter_value("MaxResults is a mandatory parameter when you provide a value for NextToken.");
  Page page(in, max.value_or(1000));
  json::array urls;
  if (const QueuePartition* p = state().part(ctx)) {
    for (auto it = p->queues.upper_bound(page.after()); it != p->queues.end(); ++it) {
      if (it->first.rfind(prefix, 0) != 0) continue;
      if (page.full(urls.size(), it->first)) break;
      urls.push_back(json::string(url_of(ctx, it->first)));
    }
  }
  json::object out;
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (max) page.emit(out);
  d.output = std::move(out);
}

void SqsService::delete_queue(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  sqs::Event ev;
  ev.mutable_deleted()->set_name(q.meta.name());
  d.add(std::move(ev));
  d.notify.push_back(notify_key(ctx, q.meta.name()));
}

void SqsService::get_queue_attributes(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  std::set<std::string> wanted;
  bool all = false;
  if (const json::array* names = in.array("AttributeNames"))
    for (auto& n : *names) {
      std::string s(n.as_string());
      if (s == "All") {
        all = true;
      } else if (!attr_spec(s) && std::find(std::begin(kReadOnlyAttrs), std::end(kReadOnlyAttrs), s) == std::end(kReadOnlyAttrs)) {
        throw invalid_attribute_name(s);
      } else {
        wanted.insert(s);
      }
    }
  auto want = [&](std::string_view n) { return all || wanted.count(std::string(n)); };
  json::object attrs;
  Counts c;
  if (all || wanted.count("ApproximateNumberOfMessages") || wanted.count("ApproximateNumberOfMessagesNotVisible") ||
      wanted.count("ApproximateNumberOfMessagesDelayed"))
    c = counts(q, ctx.now_ms);
  if (want("QueueArn")) attrs["QueueArn"] = arn_of(ctx.region, ctx.account, q.meta.name());
  if (want("ApproximateNumberOfMessages")) attrs["ApproximateNumberOfMessages"] = std::to_string(c.visible);
  if (want("ApproximateNumberOfMessagesNotVisible")) attrs["ApproximateNumberOfMessagesNotVisible"] = std::to_string(c.in_flight);
  if (want("ApproximateNumberOfMessagesDelayed")) attrs["ApproximateNumberOfMessagesDelayed"] = std::to_string(c.delayed);
  if (want("CreatedTimestamp")) attrs["CreatedTimestamp"] = std::to_string(q.meta.created_ms() / 1000);
  if (want("LastModifiedTimestamp")) attrs["LastModifiedTimestamp"] = std::to_string(q.meta.modified_ms() / 1000);
  bool fifo = q.fifo();
  for (auto& spec : kAttrs) {
    if (!want(spec.name)) continue;
    if (spec.fifo_only && !fifo) continue;
    std::string v = q.attr(spec.name);
    if (v.empty()) continue;
    if (spec.name == "RedrivePolicy") v = redrive_json(v);
    attrs[spec.name] = v;
  }
  json::object out;
  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
  d.output = std::move(out);
}

void SqsService::set_queue_attributes(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  const json::object* attrs = in.object("Attributes");
  if (attrs && attrs->contains("FifoQueue") && q.fifo()) {
    // Re-stating FifoQueue=true is accepted; a queue's type never changes.
    auto& v = attrs->at("FifoQueue");
    if (!(v.is_string() && is_true(v.as_string()))) throw invalid_attribute_value("FifoQueue");
    json::object rest = *attrs;
    rest.erase("FifoQueue");
    return set_attrs(q, check_attributes(ctx, &rest, true, false), d);
  }
  set_attrs(q, check_attributes(ctx, attrs, q.fifo(), false), d);
}

void SqsService::purge_queue(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  if (q.meta.purged_ms() && ctx.now_ms - q.meta.purged_ms() < 60000)
    throw purge_queue_in_progress(q.meta.name());
  sqs::Event ev;
  ev.mutable_purged()->set_name(q.meta.name());
  d.add(std::move(ev));
}

void SqsService::tag_queue(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  sqs::Event ev;
  auto* t = ev.mutable_tags();
  t->set_name(q.meta.name());
  std::set<std::string> keys;
  for (auto& [k, v] : q.meta.tags()) keys.insert(k);
  const json::object* tags = in.object("Tags");
  if (!tags || tags->empty()) throw missing_parameter("Tags");
  for (auto& kv : *tags) {
    keys.insert(std::string(kv.key()));
    if (kv.value().is_string()) (*t->mutable_set())[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  if (keys.size() > kMaxTags) throw invalid_parameter_value("Too many tags added for queue " + q.meta.name() + ".");
  d.add(std::move(ev));
}

void SqsService::untag_queue(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  sqs::Event ev;
  auto* t = ev.mutable_tags();
  t->set_name(q.meta.name());
  const json::array* keys = in.array("TagKeys");
  if (!keys || keys->empty()) throw untag_keys_empty();
  for (auto& k : *keys) t->add_removed(std::string(k.as_string()));
  d.add(std::move(ev));
}

void SqsService::list_queue_tags(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& q = queue_of(in, ctx);
  json::object tags;
  std::map<std::string, std::string> sorted(q.meta.tags().begin(), q.meta.tags().end());
  for (auto& [k, v] : sorted) tags[k] = v;
  json::object out;
  if (!tags.empty()) out["Tags"] = std::move(tags);
  d.output = std::move(out);
}

void SqsService::list_dead_letter_source_queues(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& target = queue_of(in, ctx);
  auto max = in.opt_int("MaxResults");
  if (max && (*max < 1 || *max > 1000))
    throw invalid_parameter_value("Value " + std::to_string(*max) + " for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
  Page page(in, max.value_or(1000));
  json::array urls;
  for (auto it = state().part(ctx)->queues.upper_bound(page.after()); it != state().part(ctx)->queues.end(); ++it) {
    auto r = parse_redrive(it->second.attr("RedrivePolicy"));
    if (!r || r->dlq != target.meta.name()) continue;
    if (page.full(urls.size(), it->first)) break;
    urls.push_back(json::string(url_of(ctx, it->first)));
  }
  json::object out;
  out["queueUrls"] = std::move(urls);
  if (max) page.emit(out);
  d.output = std::move(out);
}

}  // namespace podstack::sqs
