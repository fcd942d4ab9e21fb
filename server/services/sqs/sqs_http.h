// What the gateway asks SQS before its model sees a request (Service's HTTP
// hooks): the queue a query client addressed by path, and SQS's words for a
// message body the protocol layer refused.
#pragma once
#include "server/protocol/api_error.h"
#include "server/protocol/codec.h"
#include "server/protocol/model.h"

namespace podstack::sqs {

// Query clients may address a queue by path (POST /<account>/<name>) and
// leave QueueUrl out of the form; the URL is the one they posted to.
void queue_url_from_path(const protocol::ServiceModel& model, const protocol::Operation& op, protocol::HttpRequest& request);
// SQS answers a message body it cannot take with InvalidMessageContents
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Errors):
// the codec's generic "not UTF-8" error for a MessageBody becomes that.
protocol::ApiError input_error(protocol::ApiError e);

}  // namespace podstack::sqs
