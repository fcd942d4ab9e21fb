#include "server/services/sqs/sqs_http.h"

#include <algorithm>
#include <cctype>

#include "server/services/sqs/sqs_errors.h"

namespace podstack::sqs {

void queue_url_from_path(const protocol::ServiceModel& model, const protocol::Operation& op, protocol::HttpRequest& hr) {
  if (model.protocol != protocol::Protocol::kQuery || !op.input || !op.input->member("QueueUrl") || hr.path.size() <= 1) return;
  if (std::any_of(hr.form.begin(), hr.form.end(), [](auto& kv) { return kv.first == "QueueUrl"; })) return;
  std::string host;
  if (hr.headers)
    if (auto it = hr.headers->find(boost::beast::http::field::host); it != hr.headers->end()) host = std::string(it->value());
  hr.form.emplace_back("QueueUrl", "http://" + host + std::string(hr.path));
}

protocol::ApiError input_error(protocol::ApiError e) {
  if (e.code == "InvalidParameterValue" && e.message.find("MessageBody") != std::string::npos &&
      e.message.find("not valid UTF-8") != std::string::npos)
    return invalid_message_contents(
        "Invalid binary character was found in the message body, the set of allowed characters is "
        "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  // A required member the query protocol left out: SQS's MissingParameter
  // (an empty map or list, such as TagQueue's Tags, cannot be sent in a
  // form). The JSON protocol keeps its ValidationException.
  static constexpr std::string_view kNull = "1 validation error detected: Value null at '";
  if (e.code == "ValidationError" && e.message.rfind(kNull, 0) == 0) {
    size_t end = e.message.find('\'', kNull.size());
    std::string member = e.message.substr(kNull.size(), end == std::string::npos ? std::string::npos : end - kNull.size());
    if (!member.empty() && member.find('.') == std::string::npos) {
      member[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(member[0])));
      return missing_parameter(member);
    }
  }
  return e;
}

}  // namespace podstack::sqs
