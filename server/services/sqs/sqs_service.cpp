// SQS: the operation table, the factory, and the lookups every handler
// file shares (queue by URL or ARN, queue URLs).
#include "server/services/sqs/sqs_service.h"

#include "server/services/sqs/sqs_errors.h"

namespace podstack {
std::unique_ptr<Service> make_sqs_service(const ServiceSettings& settings) {
  return std::make_unique<sqs::SqsService>(settings);
}
}  // namespace podstack

namespace podstack::sqs {

SqsService::SqsService(const ServiceSettings& settings)
    : strategy_(endpoint_strategy(settings.sqs_endpoint_strategy)), localstack_host_(settings.localstack_host) {}

const SqsService::Table& SqsService::operations() {
  static const Table t = {
      {"CreateQueue", write(&SqsService::create_queue)},
      {"GetQueueUrl", read(&SqsService::get_queue_url)},
      {"ListQueues", read(&SqsService::list_queues)},
      {"DeleteQueue", write(&SqsService::delete_queue)},
      {"GetQueueAttributes", read(&SqsService::get_queue_attributes)},
      {"SetQueueAttributes", write(&SqsService::set_queue_attributes)},
      {"PurgeQueue", write(&SqsService::purge_queue)},
      {"TagQueue", write(&SqsService::tag_queue)},
      {"UntagQueue", write(&SqsService::untag_queue)},
      {"ListQueueTags", read(&SqsService::list_queue_tags)},
      {"ListDeadLetterSourceQueues", read(&SqsService::list_dead_letter_source_queues)},
      {"SendMessage", write(&SqsService::send_message)},
      {"SendMessageBatch", write(&SqsService::send_message_batch)},
      {"ReceiveMessage", write(&SqsService::receive_message)},
      {"DeleteMessage", write(&SqsService::delete_message)},
      {"DeleteMessageBatch", write(&SqsService::delete_message_batch)},
      {"ChangeMessageVisibility", write(&SqsService::change_visibility)},
      {"ChangeMessageVisibilityBatch", write(&SqsService::change_visibility_batch)},
      {"StartMessageMoveTask", write(&SqsService::start_move_task)},
      {"ListMessageMoveTasks", read(&SqsService::list_move_tasks)},
      {"CancelMessageMoveTask", write(&SqsService::cancel_move_task)},
      {"AddPermission", write(&SqsService::add_permission)},
      {"RemovePermission", write(&SqsService::remove_permission)},
      // /_aws/sqs/messages (routes()): a read, so it can change nothing.
      {"__PeekMessages", read(&SqsService::peek_messages)},
  };
  return t;
}

const QueueState& SqsService::queue_of(const Input& in, const CallContext& ctx) const {
  std::string name = name_from_url(in.str("QueueUrl"));
  const QueueState* q = find(ctx, name);
  if (!q) throw non_existent_queue();
  return *q;
}

const QueueState& SqsService::queue_by_arn(const CallContext& ctx, std::string_view arn) const {
  std::string name = name_from_arn(arn);
  const QueueState* q = name.empty() ? nullptr : find(ctx, name);
  if (!q) throw resource_not_found("The resource that you specified for the SourceArn parameter doesn't exist.");
  return *q;
}

std::string SqsService::url_of(const CallContext& ctx, std::string_view name) const {
  std::string host = ctx.host.empty() ? "localhost:4566" : ctx.host;
  std::string port = "4566";
  if (auto c = host.rfind(':'); c != std::string::npos && host.find(']') == std::string::npos) port = host.substr(c + 1);
  std::string tail = "/" + ctx.account + "/" + std::string(name);
  if (strategy_ == "off") return "http://" + host + tail;
  if (strategy_ == "path") return "http://" + host + "/queue/" + ctx.region + tail;
  // LocalStack's standard and domain URLs name LOCALSTACK_HOST (its port, else the request's).
  std::string base = "localhost.localstack.cloud:" + port;
  if (!localstack_host_.empty())
    base = localstack_host_.find(':') != std::string::npos ? localstack_host_ : localstack_host_ + ":" + port;
  if (strategy_ == "domain") return "http://" + ctx.region + ".queue." + base + tail;
  return "http://sqs." + ctx.region + "." + base + tail;
}

}  // namespace podstack::sqs
