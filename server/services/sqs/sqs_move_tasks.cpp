// SQS message move tasks (DLQ redrive): StartMessageMoveTask,
// ListMessageMoveTasks, CancelMessageMoveTask.
// A task runs to completion within its request (podstack has no rate limit
// to honour), so it is one event and ListMessageMoveTasks shows it COMPLETED.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
#include <set>

#include "server/protocol/encoding.h"
#include "server/services/sqs/sqs_errors.h"
#include "server/services/sqs/sqs_service.h"

namespace podstack::sqs {

void SqsService::start_move_task(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string source_arn(in.str("SourceArn"));
  const QueueState& src = queue_by_arn(ctx, source_arn);
  bool is_dlq = false;
  for (auto& [n, q] : state().part(ctx)->queues)
    if (auto r = parse_redrive(q.attr("RedrivePolicy")); r && r->dlq == src.meta.name()) is_dlq = true;
  if (!is_dlq) throw invalid_parameter_value("Source queue must be configured as a Dead Letter Queue.");
  std::string dest_arn = in.str_or("DestinationArn", "");
  const QueueState* dest = dest_arn.empty() ? nullptr : &queue_by_arn(ctx, dest_arn);
  auto rate = in.opt_int("MaxNumberOfMessagesPerSecond");
  if (rate && (*rate < 1 || *rate > 500))
    throw invalid_parameter_value("Value " + std::to_string(*rate) + " for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.");
  sqs::Event ev;
  auto* run = ev.mutable_move_task();
  run->set_source(src.meta.name());
  sqs::MoveTask* t = run->mutable_task();
  t->set_task_handle(protocol::base64_encode(random_uuid() + "\n" + source_arn));
  t->set_source_arn(source_arn);
  t->set_destination_arn(dest_arn);
  t->set_max_per_second(rate.value_or(0));
  t->set_started_ms(ctx.now_ms);
  int64_t moved = 0;
  std::set<std::string> woken;
  for (auto& [seq, m] : src.messages) {
    if (src.expired(m, ctx.now_ms) || m.visible_at_ms() > ctx.now_ms) continue;
    std::string target = dest ? dest->meta.name() : name_from_arn(m.dead_letter_source_arn());
    if (target.empty() || !find(ctx, target)) continue;
    auto* mv = run->add_moves();
    mv->set_message_id(m.message_id());
    mv->set_destination(target);
    woken.insert(target);
    ++moved;
  }
  t->set_status("COMPLETED");
  t->set_moved(moved);
  t->set_to_move(moved);
  json::object out;
  out["TaskHandle"] = t->task_handle();
  d.output = std::move(out);
  d.add(std::move(ev));  // t points into ev: used above
  for (auto& w : woken) d.notify.push_back(notify_key(ctx, w));
}

void SqsService::list_move_tasks(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const QueueState& src = queue_by_arn(ctx, in.str("SourceArn"));
  int64_t max = in.opt_int("MaxResults").value_or(1);
  if (max < 1 || max > 10)
    throw invalid_parameter_value("Value " + std::to_string(max) + " for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10.");
  json::array results;
  for (int i = src.meta.move_tasks_size() - 1; i >= 0 && static_cast<int64_t>(results.size()) < max; --i) {
    const auto& t = src.meta.move_tasks(i);
    json::object o;
    o["TaskHandle"] = t.task_handle();
    o["Status"] = t.status();
    o["SourceArn"] = t.source_arn();
    if (!t.destination_arn().empty()) o["DestinationArn"] = t.destination_arn();
    if (t.max_per_second()) o["MaxNumberOfMessagesPerSecond"] = t.max_per_second();
    o["ApproximateNumberOfMessagesMoved"] = t.moved();
    o["ApproximateNumberOfMessagesToMove"] = t.to_move();
    if (!t.failure_reason().empty()) o["FailureReason"] = t.failure_reason();
    o["StartedTimestamp"] = t.started_ms();
    results.push_back(std::move(o));
  }
  json::object out;
  out["Results"] = std::move(results);
  d.output = std::move(out);
}

void SqsService::cancel_move_task(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  std::string handle(in.str("TaskHandle"));
  auto raw = protocol::base64_decode(handle);
  size_t nl = raw ? raw->find('\n') : std::string::npos;
  if (nl == std::string::npos) throw invalid_parameter_value("Value " + handle + " for parameter TaskHandle is invalid.");
  const QueueState& src = queue_by_arn(ctx, raw->substr(nl + 1));
  for (auto& t : src.meta.move_tasks()) {
    if (t.task_handle() != handle) continue;
    if (t.status() != "RUNNING")
      throw resource_not_found("Task does not exist or is not running.");
  }
  throw resource_not_found("Task does not exist or is not running.");
}

}  // namespace podstack::sqs
