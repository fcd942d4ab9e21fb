// The SNS operation table and factory; the handlers are in the area files
// named in sns_service.h.
#include "server/services/sns/sns_service.h"

namespace podstack::sns {

const SnsService::Table& SnsService::operations() {
  static const Table t = {
      {"CreateTopic", write(&SnsService::create_topic)},
      {"DeleteTopic", write(&SnsService::delete_topic)},
      {"ListTopics", read(&SnsService::list_topics)},
      {"GetTopicAttributes", read(&SnsService::get_topic_attributes)},
      {"SetTopicAttributes", write(&SnsService::set_topic_attributes)},
      {"AddPermission", write(&SnsService::add_permission)},
      {"RemovePermission", write(&SnsService::remove_permission)},
      {"GetDataProtectionPolicy", read(&SnsService::get_data_protection_policy)},
      {"PutDataProtectionPolicy", write(&SnsService::put_data_protection_policy)},
      {"Subscribe", write(&SnsService::subscribe)},
      {"ConfirmSubscription", write(&SnsService::confirm_subscription)},
      {"Unsubscribe", write(&SnsService::unsubscribe)},
      {"ListSubscriptions", read(&SnsService::list_subscriptions)},
      {"ListSubscriptionsByTopic", read(&SnsService::list_subscriptions_by_topic)},
      {"GetSubscriptionAttributes", read(&SnsService::get_subscription_attributes)},
      {"SetSubscriptionAttributes", write(&SnsService::set_subscription_attributes)},
      {"Publish", write(&SnsService::publish)},
      {"PublishBatch", write(&SnsService::publish_batch)},
      {"TagResource", write(&SnsService::tag_resource)},
      {"UntagResource", write(&SnsService::untag_resource)},
      {"ListTagsForResource", read(&SnsService::list_tags_for_resource)},
      {"CheckIfPhoneNumberIsOptedOut", read(&SnsService::check_opted_out)},
      {"ListPhoneNumbersOptedOut", read(&SnsService::list_opted_out)},
      {"OptInPhoneNumber", write(&SnsService::opt_in)},
      {"GetSMSAttributes", read(&SnsService::get_sms_attributes)},
      {"SetSMSAttributes", write(&SnsService::set_sms_attributes)},
      {"CreatePlatformApplication", write(&SnsService::create_platform_application)},
      {"DeletePlatformApplication", write(&SnsService::delete_platform_application)},
      {"ListPlatformApplications", read(&SnsService::list_platform_applications)},
      {"GetPlatformApplicationAttributes", read(&SnsService::get_platform_application_attributes)},
      {"SetPlatformApplicationAttributes", write(&SnsService::set_platform_application_attributes)},
      {"CreatePlatformEndpoint", write(&SnsService::create_platform_endpoint)},
      {"DeleteEndpoint", write(&SnsService::delete_endpoint)},
      {"ListEndpointsByPlatformApplication", read(&SnsService::list_endpoints)},
      {"GetEndpointAttributes", read(&SnsService::get_endpoint_attributes)},
      {"SetEndpointAttributes", write(&SnsService::set_endpoint_attributes)},
      // Internal (LocalStack's /_aws/sns/... endpoints; never routed from the AWS API).
      {"__ListSmsMessages", read(&SnsService::list_sms_messages)},
      {"__ClearSmsMessages", write(&SnsService::clear_sms_messages)},
      {"__ListPlatformEndpointMessages", read(&SnsService::list_platform_messages)},
      {"__ClearPlatformEndpointMessages", write(&SnsService::clear_platform_messages)},
      {"__GetSubscriptionToken", read(&SnsService::get_subscription_token)},
  };
  return t;
}

}  // namespace podstack::sns

namespace podstack {

std::unique_ptr<Service> make_sns_service(const ServiceSettings& settings) {
  std::string host = settings.smtp_host;
  if (!host.empty() && host.find(':') == std::string::npos) host += ":25";
  return std::make_unique<sns::SnsService>(std::move(host));
}

}  // namespace podstack
