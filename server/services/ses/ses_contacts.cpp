// SES v2 contact lists and contacts: Create/Get/Update/Delete/ListContactList(s),
// Create/Get/Update/Delete/ListContact(s). One contact list per account and
// Region; a contact's TopicPreferences name topics of its list, and the
// topics it has no preference for show their defaults
// (TopicDefaultPreferences). Deleting a list deletes its contacts. Mail sent
// with ListManagementOptions is not filtered by them.
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateContactList.html
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateContact.html
#include <string>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000; }

void read_topics(const json::array* a, ContactList& l) {
  l.clear_topics();
  if (!a) return;
  for (auto& x : *a) {
    Input t(x.as_object());
    Topic* topic = l.add_topics();
    topic->set_topic_name(t.str_or("TopicName", ""));
    topic->set_display_name(t.str_or("DisplayName", ""));
    topic->set_description(t.str_or("Description", ""));
    topic->set_default_subscription_status(t.str_or("DefaultSubscriptionStatus", ""));
  }
}

json::array topics_json(const ContactList& l) {
  json::array a;
  for (auto& t : l.topics()) {
    json::object o{{"TopicName", t.topic_name()}, {"DisplayName", t.display_name()}};
    if (!t.description().empty()) o["Description"] = t.description();
    o["DefaultSubscriptionStatus"] = t.default_subscription_status();
    a.push_back(std::move(o));
  }
  return a;
}

// TopicPreferences from the request, each naming a topic of the list.
void read_preferences(const json::array* a, const ContactList& l, Contact& c) {
  c.clear_topic_preferences();
  if (!a) return;
  for (auto& x : *a) {
    Input p(x.as_object());
    std::string name = p.str_or("TopicName", "");
    bool known = false;
    for (auto& t : l.topics()) known = known || t.topic_name() == name;
    if (!known) throw bad_request_exception("List: " + l.name() + " doesn't contain Topic: " + name);
    auto* pref = c.add_topic_preferences();
    pref->set_topic_name(name);
    pref->set_subscription_status(p.str_or("SubscriptionStatus", ""));
  }
}

json::array preferences_json(const Contact& c) {
  json::array a;
  for (auto& p : c.topic_preferences())
    a.push_back(json::object{{"TopicName", p.topic_name()}, {"SubscriptionStatus", p.subscription_status()}});
  return a;
}

// The list's topics the contact has no preference for, with their defaults.
json::array default_preferences_json(const ContactList& l, const Contact& c) {
  json::array a;
  for (auto& t : l.topics()) {
    bool set = false;
    for (auto& p : c.topic_preferences()) set = set || p.topic_name() == t.topic_name();
    if (!set)
      a.push_back(json::object{{"TopicName", t.topic_name()}, {"SubscriptionStatus", t.default_subscription_status()}});
  }
  return a;
}

// The contact's status for `topic` (its preference, else the default when allowed).
std::string status_for(const ContactList& l, const Contact& c, const std::string& topic, bool use_default) {
  for (auto& p : c.topic_preferences())
    if (p.topic_name() == topic) return p.subscription_status();
  if (!use_default) return "";
  for (auto& t : l.topics())
    if (t.topic_name() == topic) return t.default_subscription_status();
  return "";
}

void put_list(Decision& out, ContactList l) {
  Event ev;
  *ev.mutable_contact_list_put()->mutable_contact_list() = std::move(l);
  out.add(std::move(ev));
}

void put_contact(Decision& out, const std::string& list, Contact c) {
  Event ev;
  ev.mutable_contact_put()->set_list(list);
  *ev.mutable_contact_put()->mutable_contact() = std::move(c);
  out.add(std::move(ev));
}

}  // namespace

const ContactList& SesService::contact_list_or_throw(const CallContext& ctx, std::string_view name) const {
  const SesPartition* p = part(ctx);
  if (p)
    if (auto it = p->contact_lists.find(name); it != p->contact_lists.end()) return it->second;
  throw contact_list_not_found(name);
}

void SesService::v2_create_contact_list(const Request& req, Decision& out) const {
  std::string name(req.in.str("ContactListName"));
  // "You can create only one contact list per account" (AWS's answer to a
  // second one, any name: floci's record of it).
  if (const SesPartition* p = part(req.ctx); p && !p->contact_lists.empty())
    throw bad_request_exception("A maximum of 1 Lists allowed per account.");
  ContactList l;
  l.set_name(name);
  l.set_description(req.in.str_or("Description", ""));
  read_topics(req.in.array("Topics"), l);
  if (auto* tags = req.in.array("Tags"))
    for (auto& t : *tags)
      (*l.mutable_tags())[std::string(t.as_object().at("Key").as_string())] = std::string(t.as_object().at("Value").as_string());
  l.set_created_ms(req.ctx.now_ms);
  l.set_last_updated_ms(req.ctx.now_ms);
  put_list(out, std::move(l));
}

void SesService::v2_get_contact_list(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  json::object o{{"ContactListName", l.name()}, {"Topics", topics_json(l)}};
  if (!l.description().empty()) o["Description"] = l.description();
  o["CreatedTimestamp"] = seconds(l.created_ms());
  o["LastUpdatedTimestamp"] = seconds(l.last_updated_ms());
  o["Tags"] = tags_json(l.tags());
  out.output = std::move(o);
}

void SesService::v2_update_contact_list(const Request& req, Decision& out) const {
  ContactList l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  if (req.in.has("Topics")) read_topics(req.in.array("Topics"), l);
  if (auto d = req.in.opt_str("Description")) l.set_description(std::string(*d));
  l.set_last_updated_ms(req.ctx.now_ms);
  put_list(out, std::move(l));
}

void SesService::v2_delete_contact_list(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  Event ev;
  ev.mutable_contact_list_deleted()->set_name(l.name());
  out.add(std::move(ev));
}

void SesService::v2_list_contact_lists(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  out.output = page_of(req.in, 1000, "PageSize", p ? &p->contact_lists : nullptr, "ContactLists",
                       [](auto& name, const ContactList& l) {
                         return json::value(json::object{{"ContactListName", name},
                                                         {"LastUpdatedTimestamp", seconds(l.last_updated_ms())}});
                       });
}

void SesService::v2_create_contact(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  std::string email(req.in.str("EmailAddress"));
  const SesPartition* p = part(req.ctx);
  if (auto it = p->contacts.find(l.name()); it != p->contacts.end() && it->second.count(email))
    throw already_exists_exception(email + " already exists in List.");
  Contact c;
  c.set_email_address(email);
  read_preferences(req.in.array("TopicPreferences"), l, c);
  c.set_unsubscribe_all(req.in.flag("UnsubscribeAll"));
  if (auto a = req.in.opt_str("AttributesData")) {
    c.set_attributes_data(std::string(*a));
    c.set_has_attributes_data(true);
  }
  c.set_created_ms(req.ctx.now_ms);
  c.set_last_updated_ms(req.ctx.now_ms);
  put_contact(out, l.name(), std::move(c));
}

namespace {
const Contact& contact_or_throw(const SesPartition* p, const ContactList& l, std::string_view email) {
  auto it = p->contacts.find(l.name());
  if (it != p->contacts.end())
    if (auto c = it->second.find(email); c != it->second.end()) return c->second;
  throw contact_not_found(email);
}
}  // namespace

void SesService::v2_get_contact(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  const Contact& c = contact_or_throw(part(req.ctx), l, req.in.str("EmailAddress"));
  json::object o{{"ContactListName", l.name()},
                 {"EmailAddress", c.email_address()},
                 {"TopicPreferences", preferences_json(c)},
                 {"TopicDefaultPreferences", default_preferences_json(l, c)},
                 {"UnsubscribeAll", c.unsubscribe_all()}};
  if (c.has_attributes_data()) o["AttributesData"] = c.attributes_data();
  o["CreatedTimestamp"] = seconds(c.created_ms());
  o["LastUpdatedTimestamp"] = seconds(c.last_updated_ms());
  out.output = std::move(o);
}

void SesService::v2_update_contact(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  Contact c = contact_or_throw(part(req.ctx), l, req.in.str("EmailAddress"));
  if (req.in.has("TopicPreferences")) read_preferences(req.in.array("TopicPreferences"), l, c);
  if (req.in.has("UnsubscribeAll")) c.set_unsubscribe_all(req.in.flag("UnsubscribeAll"));
  if (auto a = req.in.opt_str("AttributesData")) {
    c.set_attributes_data(std::string(*a));
    c.set_has_attributes_data(true);
  }
  c.set_last_updated_ms(req.ctx.now_ms);
  put_contact(out, l.name(), std::move(c));
}

void SesService::v2_delete_contact(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  const Contact& c = contact_or_throw(part(req.ctx), l, req.in.str("EmailAddress"));
  Event ev;
  ev.mutable_contact_deleted()->set_list(l.name());
  ev.mutable_contact_deleted()->set_email_address(c.email_address());
  out.add(std::move(ev));
}

// Filter: FilteredStatus (OPT_IN / OPT_OUT) for TopicFilter's topic (its
// default too with UseDefaultIfPreferenceUnavailable).
void SesService::v2_list_contacts(const Request& req, Decision& out) const {
  const ContactList& l = contact_list_or_throw(req.ctx, req.in.str("ContactListName"));
  const SesPartition* p = part(req.ctx);
  auto it = p->contacts.find(l.name());
  std::string status, topic;
  bool use_default = false;
  if (const json::object* f = req.in.object("Filter")) {
    Input fi(*f);
    status = fi.str_or("FilteredStatus", "");
    if (const json::object* tf = fi.object("TopicFilter")) {
      Input t(*tf);
      topic = t.str_or("TopicName", "");
      use_default = t.flag("UseDefaultIfPreferenceUnavailable");
    }
  }
  auto keep = [&](const Contact& c) {
    if (status.empty()) return true;
    if (topic.empty()) return status == (c.unsubscribe_all() ? "OPT_OUT" : "OPT_IN");
    return status_for(l, c, topic, use_default) == status;
  };
  out.output = page_of(req.in, 1000, "PageSize", it == p->contacts.end() ? nullptr : &it->second, "Contacts",
                       [&](auto&, const Contact& c) {
                         return json::value(json::object{{"EmailAddress", c.email_address()},
                                                         {"TopicPreferences", preferences_json(c)},
                                                         {"TopicDefaultPreferences", default_preferences_json(l, c)},
                                                         {"UnsubscribeAll", c.unsubscribe_all()},
                                                         {"LastUpdatedTimestamp", seconds(c.last_updated_ms())}});
                       },
                       keep);
}

}  // namespace podstack::ses
