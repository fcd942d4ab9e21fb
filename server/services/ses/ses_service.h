// Amazon SES: the v1 API (query, 2010-12-01) and the v2 API (rest-json under
// /v2/email, 2019-09-27) over one state, as in AWS, where identities,
// templates and configuration sets made with one are seen by the other.
#pragma once
#include <memory>
#include <string>

#include "server/service.h"

namespace podstack {

// Reads SMTP_HOST ("host:port") once: when set, every mail sent is also
// relayed there by the outbox (see Relay in proto/ses.proto).
std::unique_ptr<Service> make_ses_service(const ServiceSettings& settings);
std::unique_ptr<Service> make_ses_service(std::string smtp_host);

namespace ses {
// The event SES publishes to an SNS topic of a configuration set
// ({"eventType": "Send", "mail": {...}, "send": {}}) or, with
// `notification`, an identity notification ({"notificationType": ...}).
// `detail` is the event-specific object ("send", "delivery", "failure").
json::object event_message(std::string_view type, const json::object& mail, std::string_view detail_key,
                           json::object detail, bool notification);
}  // namespace ses

}  // namespace podstack
