// Amazon SES: the v1 API (query, 2010-12-01) and the v2 API (rest-json under
// /v2/email, 2019-09-27) over one state, as in AWS, where identities,
// templates and configuration sets made with one are seen by the other.
//
// One service object serves both APIs (model() is v1's query model,
// rest_model() v2's rest-json one; v2's operations arrive as "v2:<Name>",
// see ServiceModel::operation_prefix), so one lock and one snapshot own the
// state both change. A second Service sharing this one's state (as DynamoDB
// Streams reads DynamoDB's) would take its own lock for writes: unsafe.
//
// Like AWS in the sandbox, mail is accepted only from a verified address or
// an address in a verified domain (LocalStack verifies every identity at
// once; so do we). Recipients are not checked.
//
// Outside effects: with SMTP_HOST, each mail is also a pending relay that the
// outbox attempts after commit (retried with backoff, then given up; each
// attempt is an event). Configuration-set event destinations and identity
// notification topics get SNS deliveries (Delivery kind "publish").
//
// Handlers by area: ses_identities.cpp, ses_templates.cpp,
// ses_configuration_sets.cpp and ses_sending.cpp hold v1's operations and
// the cores both APIs share (lookups, send(), destinations); ses_v2.cpp
// holds v2's; ses_sending.cpp also the outbox and /_aws/ses;
// ses_contacts.cpp v2's contact lists, ses_receipt_rules.cpp v1's receipt
// rules, ses_account.cpp identity policies, dedicated IP pools, MAIL FROM
// and reputation options. State:
// ses_state.h; errors: ses_errors.h.
//
// AWS references: https://docs.aws.amazon.com/ses/latest/APIReference/ and
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/; event shapes:
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "server/service.h"
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_state.h"

namespace podstack::ses {

struct Outgoing;

class SesService final : public StatefulService<SesService, SesState> {
 public:
  static constexpr std::string_view kName = "ses";
  // smtp_host: SMTP_HOST ("host:port"); empty: mail is recorded, not relayed.
  explicit SesService(std::string smtp_host) : smtp_host_(std::move(smtp_host)) {}
  const protocol::ServiceModel* rest_model() const override;
  // LocalStack's sent-mail view: GET lists (?id=, ?email= the Source),
  // DELETE clears (?id=: one), an event like any mutation.
  std::vector<Route> routes() const override {
    return {{"/_aws/ses", {{"GET", "__ListMessages"}, {"DELETE", "__DeleteMessages"}}, ""}};
  }
  static const Table& operations();

  void pending_effects(std::vector<Effect>& out) const override;
  void effect_attempted(const EffectAttempt& attempt, const CallContext& ctx, Decision& out) const override;

 private:
  // ---- v1: identities (ses_identities.cpp) ----
  void verify_email(const Request& req, Decision& out) const;
  void verify_domain(const Request& req, Decision& out) const;
  void verify_domain_dkim(const Request& req, Decision& out) const;
  void list_identities(const Request& req, Decision& out) const;
  void list_verified_email_addresses(const Request& req, Decision& out) const;
  void get_verification_attributes(const Request& req, Decision& out) const;
  void delete_identity(const Request& req, Decision& out) const;
  void get_notification_attributes(const Request& req, Decision& out) const;
  void set_notification_topic(const Request& req, Decision& out) const;
  void set_headers_in_notifications(const Request& req, Decision& out) const;
  void set_feedback_forwarding(const Request& req, Decision& out) const;
  void get_dkim_attributes(const Request& req, Decision& out) const;
  void set_dkim_enabled(const Request& req, Decision& out) const;
  void get_mail_from_attributes(const Request& req, Decision& out) const;
  void set_mail_from_domain(const Request& req, Decision& out) const;

  // ---- v1: templates (ses_templates.cpp) ----
  void create_template(const Request& req, Decision& out) const;
  void update_template(const Request& req, Decision& out) const;
  void get_template(const Request& req, Decision& out) const;
  void delete_template(const Request& req, Decision& out) const;
  void list_templates(const Request& req, Decision& out) const;
  void test_render_template(const Request& req, Decision& out) const;

  // ---- v1: configuration sets (ses_configuration_sets.cpp) ----
  void create_configuration_set(const Request& req, Decision& out) const;
  void delete_configuration_set(const Request& req, Decision& out) const;
  void describe_configuration_set(const Request& req, Decision& out) const;
  void list_configuration_sets(const Request& req, Decision& out) const;
  void create_event_destination(const Request& req, Decision& out) const;
  void update_event_destination(const Request& req, Decision& out) const;
  void delete_event_destination(const Request& req, Decision& out) const;

  // ---- v1: sending, quotas and statistics; /_aws/ses (ses_sending.cpp) ----
  void send_email(const Request& req, Decision& out) const;
  void send_raw_email(const Request& req, Decision& out) const;
  void send_templated_email(const Request& req, Decision& out) const;
  void send_bulk_templated_email(const Request& req, Decision& out) const;
  void get_send_quota(const Request& req, Decision& out) const;
  void get_send_statistics(const Request& req, Decision& out) const;
  void list_messages(const Request& req, Decision& out) const;
  void delete_messages(const Request& req, Decision& out) const;

  // ---- v2 (ses_v2.cpp) ----
  void v2_create_email_identity(const Request& req, Decision& out) const;
  void v2_get_email_identity(const Request& req, Decision& out) const;
  void v2_list_email_identities(const Request& req, Decision& out) const;
  void v2_delete_email_identity(const Request& req, Decision& out) const;
  void v2_send_email(const Request& req, Decision& out) const;
  void v2_create_email_template(const Request& req, Decision& out) const;
  void v2_update_email_template(const Request& req, Decision& out) const;
  void v2_get_email_template(const Request& req, Decision& out) const;
  void v2_delete_email_template(const Request& req, Decision& out) const;
  void v2_list_email_templates(const Request& req, Decision& out) const;
  void v2_test_render_email_template(const Request& req, Decision& out) const;
  void v2_create_configuration_set(const Request& req, Decision& out) const;
  void v2_get_configuration_set(const Request& req, Decision& out) const;
  void v2_list_configuration_sets(const Request& req, Decision& out) const;
  void v2_delete_configuration_set(const Request& req, Decision& out) const;
  void v2_create_event_destination(const Request& req, Decision& out) const;
  void v2_update_event_destination(const Request& req, Decision& out) const;
  void v2_delete_event_destination(const Request& req, Decision& out) const;
  void v2_get_event_destinations(const Request& req, Decision& out) const;
  void v2_get_account(const Request& req, Decision& out) const;

  // ---- v2: contact lists and contacts (ses_contacts.cpp) ----
  void v2_create_contact_list(const Request& req, Decision& out) const;
  void v2_get_contact_list(const Request& req, Decision& out) const;
  void v2_update_contact_list(const Request& req, Decision& out) const;
  void v2_delete_contact_list(const Request& req, Decision& out) const;
  void v2_list_contact_lists(const Request& req, Decision& out) const;
  void v2_create_contact(const Request& req, Decision& out) const;
  void v2_get_contact(const Request& req, Decision& out) const;
  void v2_update_contact(const Request& req, Decision& out) const;
  void v2_delete_contact(const Request& req, Decision& out) const;
  void v2_list_contacts(const Request& req, Decision& out) const;
  const ContactList& contact_list_or_throw(const CallContext& ctx, std::string_view name) const;

  // ---- v1: receipt rule sets and rules (ses_receipt_rules.cpp) ----
  void create_receipt_rule_set(const Request& req, Decision& out) const;
  void delete_receipt_rule_set(const Request& req, Decision& out) const;
  void describe_receipt_rule_set(const Request& req, Decision& out) const;
  void list_receipt_rule_sets(const Request& req, Decision& out) const;
  void clone_receipt_rule_set(const Request& req, Decision& out) const;
  void reorder_receipt_rule_set(const Request& req, Decision& out) const;
  void set_receipt_rule_position(const Request& req, Decision& out) const;
  void set_active_receipt_rule_set(const Request& req, Decision& out) const;
  void describe_active_receipt_rule_set(const Request& req, Decision& out) const;
  void create_receipt_rule(const Request& req, Decision& out) const;
  void update_receipt_rule(const Request& req, Decision& out) const;
  void delete_receipt_rule(const Request& req, Decision& out) const;
  void describe_receipt_rule(const Request& req, Decision& out) const;
  const ReceiptRuleSet& rule_set_or_throw(const CallContext& ctx, std::string_view name) const;

  // ---- v2: identity policies, dedicated IP pools, MAIL FROM; v1 reputation
  // metrics (ses_account.cpp) ----
  void v2_create_identity_policy(const Request& req, Decision& out) const;
  void v2_update_identity_policy(const Request& req, Decision& out) const;
  void v2_delete_identity_policy(const Request& req, Decision& out) const;
  void v2_get_identity_policies(const Request& req, Decision& out) const;
  void v2_create_dedicated_ip_pool(const Request& req, Decision& out) const;
  void v2_delete_dedicated_ip_pool(const Request& req, Decision& out) const;
  void v2_list_dedicated_ip_pools(const Request& req, Decision& out) const;
  void v2_get_dedicated_ips(const Request& req, Decision& out) const;
  void v2_get_dedicated_ip_pool(const Request& req, Decision& out) const;
  void v2_put_mail_from_attributes(const Request& req, Decision& out) const;
  void update_reputation_metrics_enabled(const Request& req, Decision& out) const;

  // ---- what both APIs share ----
  const SesPartition* part(const CallContext& ctx) const { return state().find(ctx); }
  // ses_identities.cpp
  const Identity* find_identity(const CallContext& ctx, std::string_view name) const;
  // The identity that lets `addr` send: the address itself, else its domain
  // or a parent domain (AWS: subdomains of a verified domain may send).
  const Identity* sending_identity(const CallContext& ctx, std::string_view addr) const;
  const Identity& identity_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const;
  // Identities the request names that exist: name -> f(identity), in request order.
  template <class F>
  json::object per_identity(const Input& in, const CallContext& ctx, F f) const;
  // ses_templates.cpp
  const Template* find_template(const CallContext& ctx, std::string_view name) const;
  const Template& template_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const;
  void list_templates_page(const Input& in, const CallContext& ctx, Decision& out, std::string_view max_key,
                           std::string_view name_key) const;
  // ses_configuration_sets.cpp
  enum class DestChange { kCreate, kUpdate, kDelete };
  const ConfigurationSet* find_config_set(const CallContext& ctx, std::string_view name) const;
  const ConfigurationSet& config_set_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const;
  void new_config_set(const CallContext& ctx, Decision& out, const std::string& name, const Errors& err, std::string options_json,
                      const json::array* tags) const;
  void delete_config_set(const Input& in, const CallContext& ctx, Decision& out, const Errors& err) const;
  // Adds, replaces or removes one event destination.
  void change_destination(const CallContext& ctx, Decision& out, std::string_view set_name, const std::string& dest_name,
                          const json::object* def, DestChange change, const Errors& err) const;
  // ses_sending.cpp
  // Validates and records one mail: the Sent event, its relay (SMTP_HOST)
  // and its SNS events. Returns the message id.
  std::string send(const Outgoing& o, const CallContext& ctx, Decision& out, const Errors& err) const;
  int64_t sent_last_24h(const CallContext& ctx) const;
  // Every partition's mail matching ?id= and ?email= (the Source), oldest first.
  template <class F>
  void each_message(const Input& in, F f) const;

  // ---- Terraform-call coverage (issue 18), by area file ----
  // v1 configuration-set options; v2 PutConfigurationSet*Options (ses_config_options.cpp)
  void put_cs_delivery_options(const Request& req, Decision& out) const;
  void update_cs_sending_enabled(const Request& req, Decision& out) const;
  void create_cs_tracking_options(const Request& req, Decision& out) const;
  void update_cs_tracking_options(const Request& req, Decision& out) const;
  void delete_cs_tracking_options(const Request& req, Decision& out) const;
  void v2_put_cs_delivery_options(const Request& req, Decision& out) const;
  void v2_put_cs_reputation_options(const Request& req, Decision& out) const;
  void v2_put_cs_sending_options(const Request& req, Decision& out) const;
  void v2_put_cs_suppression_options(const Request& req, Decision& out) const;
  void v2_put_cs_tracking_options(const Request& req, Decision& out) const;
  void v2_put_cs_vdm_options(const Request& req, Decision& out) const;
  // v1 sending authorization policies (ses_identity_policies.cpp)
  void put_identity_policy(const Request& req, Decision& out) const;
  void get_identity_policies(const Request& req, Decision& out) const;
  void list_identity_policies(const Request& req, Decision& out) const;
  void delete_identity_policy(const Request& req, Decision& out) const;
  // v2 email-identity attributes (sesv2_identity_attributes.cpp)
  void v2_put_identity_configuration_set(const Request& req, Decision& out) const;
  void v2_put_identity_dkim(const Request& req, Decision& out) const;
  void v2_put_identity_dkim_signing(const Request& req, Decision& out) const;
  void v2_put_identity_feedback(const Request& req, Decision& out) const;
  // v2 tags (sesv2_tags.cpp)
  void v2_tag_resource(const Request& req, Decision& out) const;
  void v2_untag_resource(const Request& req, Decision& out) const;
  void v2_list_tags(const Request& req, Decision& out) const;
  // account settings, both APIs (sesv2_account.cpp)
  void v2_put_account_vdm(const Request& req, Decision& out) const;
  void v2_put_account_suppression(const Request& req, Decision& out) const;
  void v2_put_account_sending(const Request& req, Decision& out) const;
  void v2_put_account_details(const Request& req, Decision& out) const;
  void get_account_sending_enabled(const Request& req, Decision& out) const;
  void update_account_sending_enabled(const Request& req, Decision& out) const;
  // The account's settings, AWS's defaults when never changed.
  AccountSettings account_settings(const CallContext& ctx) const;
  // Mail may not go out while the account's or the configuration set's sending is paused.
  void check_sending_enabled(const CallContext& ctx, const ConfigurationSet* cs, const Errors& err) const;

  std::string smtp_host_;  // SMTP_HOST, read once at construction; decide() records it in events
};

// The event SES publishes to an SNS topic of a configuration set
// ({"eventType": "Send", "mail": {...}, "send": {}}) or, with
// `notification`, an identity notification ({"notificationType": ...}).
// `detail` is the event-specific object ("send", "delivery", "failure").
json::object event_message(std::string_view type, const json::object& mail, std::string_view detail_key,
                           json::object detail, bool notification);

}  // namespace podstack::ses

namespace podstack {
// SMTP_HOST ("host:port") comes in settings: when set, every mail sent is
// also relayed there by the outbox (see Relay in proto/ses.proto).
std::unique_ptr<Service> make_ses_service(const ServiceSettings& settings);
std::unique_ptr<Service> make_ses_service(std::string smtp_host);
}  // namespace podstack
