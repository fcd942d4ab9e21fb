// The errors SES returns, one factory per AWS error code, with AWS's status
// and wording: v1's codes (https://docs.aws.amazon.com/ses/latest/APIReference/CommonErrors.html
// and each action's "Errors"), then v2's exceptions
// (https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html).
// Errors (below) picks between the two for code both APIs share.
#pragma once
#include <cctype>
#include <string>
#include <string_view>

#include "server/service.h"

namespace podstack::ses {

// ---- v1 ----
inline ApiError invalid_parameter_value(std::string message) {
  return ApiError::bad_request("InvalidParameterValue", std::move(message));
}
// Mail from an address no verified identity covers (both APIs).
inline ApiError message_rejected(std::string_view region, std::string_view address) {
  std::string r(region);
  for (auto& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return ApiError::bad_request("MessageRejected",
                               "Email address is not verified. The following identities failed the check in region " + r + ": " +
                                   std::string(address));
}
inline ApiError already_exists(std::string message) { return ApiError::bad_request("AlreadyExists", std::move(message)); }
inline ApiError template_does_not_exist(std::string_view name) {
  return ApiError::bad_request("TemplateDoesNotExist", "Template " + std::string(name) + " does not exist.");
}
inline ApiError configuration_set_does_not_exist(std::string_view name) {
  return ApiError::bad_request("ConfigurationSetDoesNotExist", "Configuration set <" + std::string(name) + "> does not exist.");
}
inline ApiError configuration_set_already_exists(std::string_view name) {
  return ApiError::bad_request("ConfigurationSetAlreadyExists", "Configuration set <" + std::string(name) + "> already exists.");
}
inline ApiError invalid_configuration_set(std::string_view name) {
  return ApiError::bad_request("InvalidConfigurationSet",
                               "Configuration set name <" + std::string(name) +
                                   "> is invalid: it must contain only letters, numbers, underscores and dashes, at most 64.");
}
inline ApiError event_destination_already_exists(std::string_view name) {
  return ApiError::bad_request("EventDestinationAlreadyExists", "Event destination " + std::string(name) + " already exists.");
}
inline ApiError event_destination_does_not_exist(std::string_view name) {
  return ApiError::bad_request("EventDestinationDoesNotExist", "Event destination " + std::string(name) + " does not exist.");
}
inline ApiError invalid_sns_destination(std::string_view arn) {
  return ApiError::bad_request("InvalidSNSDestination", "SNS topic <" + std::string(arn) + "> is invalid.");
}
inline ApiError invalid_rendering_parameter(std::string message) {
  return ApiError::bad_request("InvalidRenderingParameter", std::move(message));
}
inline ApiError missing_rendering_attribute(std::string message) {
  return ApiError::bad_request("MissingRenderingAttribute", std::move(message));
}

// Receipt rules (moto's texts; LocalStack's recorded AWS answers show the codes).
inline ApiError rule_set_does_not_exist(std::string_view name) {
  return ApiError::bad_request("RuleSetDoesNotExist", "Rule set does not exist: " + std::string(name));
}
inline ApiError rule_does_not_exist(std::string_view name) {
  return ApiError::bad_request("RuleDoesNotExist", "Rule does not exist: " + std::string(name));
}
inline ApiError cannot_delete(std::string message) { return ApiError::bad_request("CannotDelete", std::move(message)); }
// SetIdentityMailFromDomain with a domain outside the identity's (moto's text).
inline std::string not_a_mail_from_subdomain(std::string_view mail_from, std::string_view domain) {
  return "Provided MAIL-FROM domain '" + std::string(mail_from) + "' is not subdomain of the domain of the identity '" +
         std::string(domain) + "'.";
}

// ---- v2 ----
inline ApiError bad_request_exception(std::string message) {
  return ApiError::bad_request("BadRequestException", std::move(message));
}
inline ApiError not_found_exception(std::string message) { return ApiError::make(404, "NotFoundException", std::move(message)); }
inline ApiError already_exists_exception(std::string message) {
  return ApiError::bad_request("AlreadyExistsException", std::move(message));
}

inline ApiError limit_exceeded_exception(std::string message) {
  return ApiError::bad_request("LimitExceededException", std::move(message));
}
// Contact lists and contacts (the texts floci's authors recorded from AWS).
inline ApiError contact_list_not_found(std::string_view name) {
  return not_found_exception("List with name: " + std::string(name) + " doesn't exist.");
}
inline ApiError contact_not_found(std::string_view email) {
  return not_found_exception(std::string(email) + " doesn't exist in List.");
}
inline ApiError dedicated_ip_pool_not_found(std::string_view name) {
  return not_found_exception("The requested pool <" + std::string(name) + "> does not exist.");
}
inline ApiError identity_policy_not_found(std::string_view name) {
  return not_found_exception("Policy <" + std::string(name) + "> does not exist");
}

// The errors the two APIs spell differently, for code both share: v1's
// specific code, or v2's generic exception with the same message.
struct Errors {
  bool v2 = false;
  ApiError invalid(std::string msg) const {
    return v2 ? bad_request_exception(std::move(msg)) : invalid_parameter_value(std::move(msg));
  }
  ApiError not_found(ApiError v1) const { return v2 ? not_found_exception(std::move(v1.message)) : std::move(v1); }
  ApiError exists(ApiError v1) const { return v2 ? already_exists_exception(std::move(v1.message)) : std::move(v1); }
  ApiError template_missing(std::string_view name) const { return not_found(template_does_not_exist(name)); }
  ApiError config_set_missing(std::string_view name) const { return not_found(configuration_set_does_not_exist(name)); }
};
inline constexpr Errors kV1{false};
inline constexpr Errors kV2{true};

// ---- Terraform-call coverage (issue 18): configuration-set options, identity
// policies, tags, paused sending. Codes and statuses from botocore's models
// (ses 2010-12-01, sesv2 2019-09-27); AWS does not document the messages. ----
inline ApiError tracking_options_already_exists(std::string_view set) {
  return ApiError::bad_request("TrackingOptionsAlreadyExistsException",
                               "Configuration set <" + std::string(set) + "> already has tracking options.");
}
inline ApiError tracking_options_does_not_exist(std::string_view set) {
  return ApiError::bad_request("TrackingOptionsDoesNotExistException",
                               "Configuration set <" + std::string(set) + "> has no tracking options.");
}
inline ApiError invalid_policy(std::string message) { return ApiError::bad_request("InvalidPolicy", std::move(message)); }
inline ApiError limit_exceeded(std::string message) { return ApiError::bad_request("LimitExceeded", std::move(message)); }
inline ApiError account_sending_paused() {
  return ApiError::bad_request("AccountSendingPausedException", "Email sending is disabled for this account.");
}
inline ApiError configuration_set_sending_paused(std::string_view set) {
  return ApiError::bad_request("ConfigurationSetSendingPausedException",
                               "Email sending is disabled for configuration set <" + std::string(set) + ">.");
}
// v2: both pauses are one exception.
inline ApiError sending_paused_exception(std::string message) {
  return ApiError::bad_request("SendingPausedException", std::move(message));
}

}  // namespace podstack::ses
