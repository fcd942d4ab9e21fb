// SQS: standard and FIFO queues, in the query and the JSON protocol (one
// awsQueryCompatible model; errors are thrown with their query codes and the
// JSON codec maps them to the error shape names).
//
// Nothing here reads a clock: handlers evaluate visibility, delays and
// retention against the request's time, and every receive is an event
// recording the receipt handle and the visibility deadline it chose.
// The handlers live in sqs_queues.cpp, sqs_messages.cpp,
// sqs_permissions.cpp, sqs_move_tasks.cpp and sqs_developer.cpp (the
// /_aws/sqs/messages peek); the state in sqs_state.h.
// AWS reference: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "server/service.h"
#include "server/services/sqs/sqs_http.h"
#include "server/services/sqs/sqs_state.h"

namespace podstack {
std::unique_ptr<Service> make_sqs_service(const ServiceSettings& settings);
}

namespace podstack::sqs {

// One message as ReceiveMessage shows it: the system attributes asked for
// (all_sys, or the names in sys) and the user attributes `user` selects
// (sqs_messages.cpp). The peek endpoint shows messages the same way.
json::object message_json(const QueueState& q, const sqs::Message& m, const std::string& handle, int64_t receive_count,
                          int64_t first_receive, bool all_sys, const std::set<std::string>& sys,
                          const std::vector<std::string>& user);

class SqsService final : public StatefulService<SqsService, SqsState> {
 public:
  static constexpr std::string_view kName = "sqs";
  explicit SqsService(const ServiceSettings& settings);

  static const Table& operations();

  // Messages from other services (SNS subscriptions, S3 event notifications).
  void deliver(const std::vector<Delivery>& in, const CallContext& ctx, Decision& out) const override;
  // ---- HTTP hooks (see Service; sqs_http.h) ----
  void prepare(const protocol::ServiceModel& model, const protocol::Operation& op, protocol::HttpRequest& request) const override {
    queue_url_from_path(model, op, request);
  }
  ApiError input_error(ApiError e) const override { return sqs::input_error(std::move(e)); }

  // ---- queues (sqs_queues.cpp) ----
  void create_queue(const Request& req, Decision& out) const;
  void get_queue_url(const Request& req, Decision& out) const;
  void list_queues(const Request& req, Decision& out) const;
  void delete_queue(const Request& req, Decision& out) const;
  void get_queue_attributes(const Request& req, Decision& out) const;
  void set_queue_attributes(const Request& req, Decision& out) const;
  void purge_queue(const Request& req, Decision& out) const;
  void tag_queue(const Request& req, Decision& out) const;
  void untag_queue(const Request& req, Decision& out) const;
  void list_queue_tags(const Request& req, Decision& out) const;
  void list_dead_letter_source_queues(const Request& req, Decision& out) const;

  // ---- messages (sqs_messages.cpp) ----
  void send_message(const Request& req, Decision& out) const;
  void send_message_batch(const Request& req, Decision& out) const;
  void receive_message(const Request& req, Decision& out) const;
  void delete_message(const Request& req, Decision& out) const;
  void delete_message_batch(const Request& req, Decision& out) const;
  void change_visibility(const Request& req, Decision& out) const;
  void change_visibility_batch(const Request& req, Decision& out) const;

  // ---- permissions (sqs_permissions.cpp) ----
  void add_permission(const Request& req, Decision& out) const;
  void remove_permission(const Request& req, Decision& out) const;

  // ---- developer endpoints (sqs_developer.cpp) ----
  // LocalStack's /_aws/sqs/messages: the messages of a queue, as a
  // ReceiveMessage would show them, without receiving any.
  std::vector<Route> routes() const override {
    return {{"/_aws/sqs/messages", {{"GET", "__PeekMessages"}, {"POST", "__PeekMessages"}}, "", "ReceiveMessage"},
            {"/_aws/sqs/messages/", {{"GET", "__PeekMessages"}, {"POST", "__PeekMessages"}}, "Path", "ReceiveMessage"}};
  }
  void peek_messages(const Request& req, Decision& out) const;

  // ---- message move tasks (sqs_move_tasks.cpp) ----
  void start_move_task(const Request& req, Decision& out) const;
  void list_move_tasks(const Request& req, Decision& out) const;
  void cancel_move_task(const Request& req, Decision& out) const;

 private:
  const QueueState* find(const CallContext& ctx, std::string_view name) const { return state().find(ctx, name); }
  // The queue QueueUrl names, or NonExistentQueue.
  const QueueState& queue_of(const Input& in, const CallContext& ctx) const;
  // The queue an ARN names, or ResourceNotFoundException (move tasks).
  const QueueState& queue_by_arn(const CallContext& ctx, std::string_view arn) const;
  std::string url_of(const CallContext& ctx, std::string_view name) const;
  // Validates queue attributes for create (all given) or set; returns them normalised.
  std::map<std::string, std::string> check_attributes(const CallContext& ctx, const json::object* attrs, bool fifo,
                                                      bool creating) const;

  std::string strategy_;
  std::string localstack_host_;  // ServiceSettings::localstack_host
};

}  // namespace podstack::sqs
