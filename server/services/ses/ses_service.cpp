// The SES operation table (v1's names, v2's with its "v2:" prefix, and the
// internal "__" ones), the factories and event_message(); the handlers are
// in the area files named in ses_service.h.
#include "server/services/ses/ses_service.h"

namespace podstack::ses {

const protocol::ServiceModel* SesService::rest_model() const { return protocol::builtin_model("sesv2"); }

const SesService::Table& SesService::operations() {
  static const Table t = {
      // v1
      {"VerifyEmailIdentity", write(&SesService::verify_email)},
      {"VerifyEmailAddress", write(&SesService::verify_email)},
      {"VerifyDomainIdentity", write(&SesService::verify_domain)},
      {"VerifyDomainDkim", write(&SesService::verify_domain_dkim)},
      {"ListIdentities", read(&SesService::list_identities)},
      {"ListVerifiedEmailAddresses", read(&SesService::list_verified_email_addresses)},
      {"GetIdentityVerificationAttributes", read(&SesService::get_verification_attributes)},
      {"DeleteIdentity", write(&SesService::delete_identity)},
      {"DeleteVerifiedEmailAddress", write(&SesService::delete_identity)},
      {"GetIdentityNotificationAttributes", read(&SesService::get_notification_attributes)},
      {"SetIdentityNotificationTopic", write(&SesService::set_notification_topic)},
      {"SetIdentityHeadersInNotificationsEnabled", write(&SesService::set_headers_in_notifications)},
      {"SetIdentityFeedbackForwardingEnabled", write(&SesService::set_feedback_forwarding)},
      {"GetIdentityDkimAttributes", read(&SesService::get_dkim_attributes)},
      {"SetIdentityDkimEnabled", write(&SesService::set_dkim_enabled)},
      {"GetIdentityMailFromDomainAttributes", read(&SesService::get_mail_from_attributes)},
      {"SetIdentityMailFromDomain", write(&SesService::set_mail_from_domain)},
      {"SendEmail", write(&SesService::send_email)},
      {"SendRawEmail", write(&SesService::send_raw_email)},
      {"SendTemplatedEmail", write(&SesService::send_templated_email)},
      {"SendBulkTemplatedEmail", write(&SesService::send_bulk_templated_email)},
      {"CreateTemplate", write(&SesService::create_template)},
      {"UpdateTemplate", write(&SesService::update_template)},
      {"GetTemplate", read(&SesService::get_template)},
      {"DeleteTemplate", write(&SesService::delete_template)},
      {"ListTemplates", read(&SesService::list_templates)},
      {"TestRenderTemplate", read(&SesService::test_render_template)},
      {"CreateConfigurationSet", write(&SesService::create_configuration_set)},
      {"DeleteConfigurationSet", write(&SesService::delete_configuration_set)},
      {"DescribeConfigurationSet", read(&SesService::describe_configuration_set)},
      {"ListConfigurationSets", read(&SesService::list_configuration_sets)},
      {"CreateConfigurationSetEventDestination", write(&SesService::create_event_destination)},
      {"UpdateConfigurationSetEventDestination", write(&SesService::update_event_destination)},
      {"DeleteConfigurationSetEventDestination", write(&SesService::delete_event_destination)},
      {"GetSendQuota", read(&SesService::get_send_quota)},
      {"GetSendStatistics", read(&SesService::get_send_statistics)},
      {"CreateReceiptRuleSet", write(&SesService::create_receipt_rule_set)},
      {"DeleteReceiptRuleSet", write(&SesService::delete_receipt_rule_set)},
      {"DescribeReceiptRuleSet", read(&SesService::describe_receipt_rule_set)},
      {"ListReceiptRuleSets", read(&SesService::list_receipt_rule_sets)},
      {"CloneReceiptRuleSet", write(&SesService::clone_receipt_rule_set)},
      {"ReorderReceiptRuleSet", write(&SesService::reorder_receipt_rule_set)},
      {"SetReceiptRulePosition", write(&SesService::set_receipt_rule_position)},
      {"SetActiveReceiptRuleSet", write(&SesService::set_active_receipt_rule_set)},
      {"DescribeActiveReceiptRuleSet", read(&SesService::describe_active_receipt_rule_set)},
      {"CreateReceiptRule", write(&SesService::create_receipt_rule)},
      {"UpdateReceiptRule", write(&SesService::update_receipt_rule)},
      {"DeleteReceiptRule", write(&SesService::delete_receipt_rule)},
      {"DescribeReceiptRule", read(&SesService::describe_receipt_rule)},
      {"UpdateConfigurationSetReputationMetricsEnabled", write(&SesService::update_reputation_metrics_enabled)},
      // v2 (ServiceModel::operation_prefix)
      {"v2:CreateEmailIdentity", write(&SesService::v2_create_email_identity)},
      {"v2:GetEmailIdentity", read(&SesService::v2_get_email_identity)},
      {"v2:ListEmailIdentities", read(&SesService::v2_list_email_identities)},
      {"v2:DeleteEmailIdentity", write(&SesService::v2_delete_email_identity)},
      {"v2:SendEmail", write(&SesService::v2_send_email)},
      {"v2:CreateEmailTemplate", write(&SesService::v2_create_email_template)},
      {"v2:GetEmailTemplate", read(&SesService::v2_get_email_template)},
      {"v2:UpdateEmailTemplate", write(&SesService::v2_update_email_template)},
      {"v2:DeleteEmailTemplate", write(&SesService::v2_delete_email_template)},
      {"v2:ListEmailTemplates", read(&SesService::v2_list_email_templates)},
      {"v2:TestRenderEmailTemplate", read(&SesService::v2_test_render_email_template)},
      {"v2:CreateConfigurationSet", write(&SesService::v2_create_configuration_set)},
      {"v2:GetConfigurationSet", read(&SesService::v2_get_configuration_set)},
      {"v2:ListConfigurationSets", read(&SesService::v2_list_configuration_sets)},
      {"v2:DeleteConfigurationSet", write(&SesService::v2_delete_configuration_set)},
      {"v2:CreateConfigurationSetEventDestination", write(&SesService::v2_create_event_destination)},
      {"v2:GetConfigurationSetEventDestinations", read(&SesService::v2_get_event_destinations)},
      {"v2:UpdateConfigurationSetEventDestination", write(&SesService::v2_update_event_destination)},
      {"v2:DeleteConfigurationSetEventDestination", write(&SesService::v2_delete_event_destination)},
      {"v2:GetAccount", read(&SesService::v2_get_account)},
      {"v2:CreateContactList", write(&SesService::v2_create_contact_list)},
      {"v2:GetContactList", read(&SesService::v2_get_contact_list)},
      {"v2:UpdateContactList", write(&SesService::v2_update_contact_list)},
      {"v2:DeleteContactList", write(&SesService::v2_delete_contact_list)},
      {"v2:ListContactLists", read(&SesService::v2_list_contact_lists)},
      {"v2:CreateContact", write(&SesService::v2_create_contact)},
      {"v2:GetContact", read(&SesService::v2_get_contact)},
      {"v2:UpdateContact", write(&SesService::v2_update_contact)},
      {"v2:DeleteContact", write(&SesService::v2_delete_contact)},
      {"v2:ListContacts", read(&SesService::v2_list_contacts)},
      {"v2:CreateEmailIdentityPolicy", write(&SesService::v2_create_identity_policy)},
      {"v2:UpdateEmailIdentityPolicy", write(&SesService::v2_update_identity_policy)},
      {"v2:DeleteEmailIdentityPolicy", write(&SesService::v2_delete_identity_policy)},
      {"v2:GetEmailIdentityPolicies", read(&SesService::v2_get_identity_policies)},
      {"v2:CreateDedicatedIpPool", write(&SesService::v2_create_dedicated_ip_pool)},
      {"v2:DeleteDedicatedIpPool", write(&SesService::v2_delete_dedicated_ip_pool)},
      {"v2:ListDedicatedIpPools", read(&SesService::v2_list_dedicated_ip_pools)},
      {"v2:GetDedicatedIps", read(&SesService::v2_get_dedicated_ips)},
      {"v2:GetDedicatedIpPool", read(&SesService::v2_get_dedicated_ip_pool)},
      {"v2:PutEmailIdentityMailFromAttributes", write(&SesService::v2_put_mail_from_attributes)},
      // podstack's own (GET and DELETE /_aws/ses); "__" names are never AWS operations.
      {"__ListMessages", read(&SesService::list_messages)},
      {"__DeleteMessages", write(&SesService::delete_messages)},
      // ---- Terraform-call coverage (issue 18): configuration-set options, identity policies,
      // v2 tags, v2 identity attributes, account settings ----
      {"PutConfigurationSetDeliveryOptions", write(&SesService::put_cs_delivery_options)},
      {"UpdateConfigurationSetSendingEnabled", write(&SesService::update_cs_sending_enabled)},
      {"CreateConfigurationSetTrackingOptions", write(&SesService::create_cs_tracking_options)},
      {"UpdateConfigurationSetTrackingOptions", write(&SesService::update_cs_tracking_options)},
      {"DeleteConfigurationSetTrackingOptions", write(&SesService::delete_cs_tracking_options)},
      {"PutIdentityPolicy", write(&SesService::put_identity_policy)},
      {"GetIdentityPolicies", read(&SesService::get_identity_policies)},
      {"ListIdentityPolicies", read(&SesService::list_identity_policies)},
      {"DeleteIdentityPolicy", write(&SesService::delete_identity_policy)},
      {"GetAccountSendingEnabled", read(&SesService::get_account_sending_enabled)},
      {"UpdateAccountSendingEnabled", write(&SesService::update_account_sending_enabled)},
      {"v2:PutConfigurationSetDeliveryOptions", write(&SesService::v2_put_cs_delivery_options)},
      {"v2:PutConfigurationSetReputationOptions", write(&SesService::v2_put_cs_reputation_options)},
      {"v2:PutConfigurationSetSendingOptions", write(&SesService::v2_put_cs_sending_options)},
      {"v2:PutConfigurationSetSuppressionOptions", write(&SesService::v2_put_cs_suppression_options)},
      {"v2:PutConfigurationSetTrackingOptions", write(&SesService::v2_put_cs_tracking_options)},
      {"v2:PutConfigurationSetVdmOptions", write(&SesService::v2_put_cs_vdm_options)},
      {"v2:PutEmailIdentityConfigurationSetAttributes", write(&SesService::v2_put_identity_configuration_set)},
      {"v2:PutEmailIdentityDkimAttributes", write(&SesService::v2_put_identity_dkim)},
      {"v2:PutEmailIdentityDkimSigningAttributes", write(&SesService::v2_put_identity_dkim_signing)},
      {"v2:PutEmailIdentityFeedbackAttributes", write(&SesService::v2_put_identity_feedback)},
      {"v2:TagResource", write(&SesService::v2_tag_resource)},
      {"v2:UntagResource", write(&SesService::v2_untag_resource)},
      {"v2:ListTagsForResource", read(&SesService::v2_list_tags)},
      {"v2:PutAccountVdmAttributes", write(&SesService::v2_put_account_vdm)},
      {"v2:PutAccountSuppressionAttributes", write(&SesService::v2_put_account_suppression)},
      {"v2:PutAccountSendingAttributes", write(&SesService::v2_put_account_sending)},
      {"v2:PutAccountDetails", write(&SesService::v2_put_account_details)},
  };
  return t;
}

json::object event_message(std::string_view type, const json::object& mail, std::string_view detail_key, json::object detail,
                           bool notification) {
  json::object o;
  o[notification ? "notificationType" : "eventType"] = type;
  o["mail"] = mail;
  o[detail_key] = std::move(detail);
  return o;
}

}  // namespace podstack::ses

namespace podstack {

std::unique_ptr<Service> make_ses_service(std::string smtp_host) { return std::make_unique<ses::SesService>(std::move(smtp_host)); }

std::unique_ptr<Service> make_ses_service(const ServiceSettings& settings) { return make_ses_service(settings.smtp_host); }

}  // namespace podstack
