// SES v2 tags: TagResource, UntagResource, ListTagsForResource, on
// "arn:aws:ses:REGION:ACCOUNT:TYPE/NAME" for identities (identity/),
// configuration sets (configuration-set/) and templates (template/); each
// resource keeps its own tags, so CreateEmailIdentity's and
// CreateConfigurationSet's Tags are the same ones, and deleting the resource
// drops them. A change is the whole resource again (IdentityPut, ...).
// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_TagResource.html
//
// AWS's answers, as recorded by floci's SDK compatibility tests
// (floci-io/floci compatibility-tests/.../SesTagResourceTest.java, PR #749):
// an ARN that is not SES's is BadRequestException; a resource that is not
// there (or in another region) NotFoundException "No <Type> present with
// name: N"; TagResource on another region's ARN BadRequestException "Failed to
// tag resource"; an empty Tags or TagKeys list BadRequestException. Limits
// (the API reference): at most 50 tags, keys of 1-128 and values of at most
// 256 characters.
//
// Other taggable types (contact-list/, dedicated-ip-pool/, ...) answer
// NotFoundException here; a branch that keeps them adds its case to
// find_tagged below.
#include "server/services/arn.h"
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

constexpr size_t kMaxTags = 50;

struct TaggedRef {
  std::string type, name;
  bool here = false;  // the ARN's account and region are the caller's
};

TaggedRef parse_ses_arn(std::string_view arn, const CallContext& ctx) {
  auto a = parse_arn(arn);
  if (!a || a->service != "ses" || a->region.empty() || a->account.empty())
    throw bad_request_exception("Invalid ARN: " + std::string(arn));
  size_t slash = a->resource.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == a->resource.size())
    throw bad_request_exception("Invalid ARN: " + std::string(arn));
  return {a->resource.substr(0, slash), a->resource.substr(slash + 1), a->region == ctx.region && a->account == ctx.account};
}

ApiError no_such(const TaggedRef& r, std::string_view arn) {
  if (r.type == "identity") return not_found_exception("No EmailIdentity present with name: " + r.name);
  if (r.type == "configuration-set") return not_found_exception("No ConfigurationSet present with name: " + r.name);
  if (r.type == "template") return not_found_exception("No Template present with name: " + r.name);
  return not_found_exception("Resource " + std::string(arn) + " was not found.");
}

}  // namespace

// The tagged resource's tags, through `change` (nullptr: read only); records
// the changed resource. Returns its tags after the change.
template <class F>
static json::array with_tags(const SesPartition* p, const TaggedRef& r, std::string_view arn,
                             Decision* out, F change) {
  auto apply = [&](auto& map, auto put) -> json::array {
    if (!p || !r.here) throw no_such(r, arn);
    auto it = map.find(r.name);
    if (it == map.end() && r.type == "identity") it = map.find(lower(r.name));  // domains are kept lower case
    if (it == map.end()) throw no_such(r, arn);
    if (!out) return tags_json(it->second.tags());
    auto copy = it->second;
    change(*copy.mutable_tags());
    json::array now = tags_json(copy.tags());
    put(*out, std::move(copy));
    return now;
  };
  static const SesPartition kEmpty;
  const SesPartition& part = p ? *p : kEmpty;
  if (r.type == "identity") return apply(part.identities, [](Decision& d, Identity x) { put_identity(d, std::move(x)); });
  if (r.type == "configuration-set")
    return apply(part.config_sets, [](Decision& d, ConfigurationSet x) { put_config_set(d, std::move(x)); });
  if (r.type == "template") return apply(part.templates, [](Decision& d, Template x) { put_template(d, std::move(x)); });
  if (r.type == "contact-list")
    return apply(part.contact_lists, [](Decision& d, ContactList x) {
      Event ev;
      *ev.mutable_contact_list_put()->mutable_contact_list() = std::move(x);
      d.add(std::move(ev));
    });
  if (r.type == "dedicated-ip-pool")
    return apply(part.ip_pools, [](Decision& d, DedicatedIpPool x) {
      Event ev;
      *ev.mutable_dedicated_ip_pool_put()->mutable_pool() = std::move(x);
      d.add(std::move(ev));
    });
  throw no_such(r, arn);
}

void SesService::v2_tag_resource(const Request& req, Decision& out) const {
  std::string_view arn = req.in.str("ResourceArn");
  TaggedRef r = parse_ses_arn(arn, req.ctx);
  if (!r.here) throw bad_request_exception("Failed to tag resource");
  const json::array* tags = req.in.array("Tags");
  if (!tags || tags->empty())
    throw bad_request_exception(
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
  std::vector<std::pair<std::string, std::string>> add;
  for (auto& t : *tags) {
    Input ti(t.as_object());
    std::string k = ti.str_or("Key", ""), v = ti.str_or("Value", "");
    if (k.empty() || k.size() > 128) throw bad_request_exception("Tag keys must be 1 to 128 characters long: <" + k + ">.");
    if (v.size() > 256) throw bad_request_exception("Tag values must be at most 256 characters long (key <" + k + ">).");
    add.emplace_back(std::move(k), std::move(v));
  }
  with_tags(part(req.ctx), r, arn, &out, [&](google::protobuf::Map<std::string, std::string>& m) {
    for (auto& [k, v] : add) m[k] = v;
    if (m.size() > kMaxTags) throw bad_request_exception("A resource can have at most 50 tags.");
  });
}

void SesService::v2_untag_resource(const Request& req, Decision& out) const {
  std::string_view arn = req.in.str("ResourceArn");
  TaggedRef r = parse_ses_arn(arn, req.ctx);
  std::vector<std::string> keys = strings(req.in.array("TagKeys"));
  if (keys.empty())
    throw bad_request_exception(
        "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1");
  with_tags(part(req.ctx), r, arn, &out, [&](google::protobuf::Map<std::string, std::string>& m) {
    for (auto& k : keys) m.erase(k);  // keys not there are skipped
  });
}

void SesService::v2_list_tags(const Request& req, Decision& out) const {
  std::string_view arn = req.in.str("ResourceArn");
  TaggedRef r = parse_ses_arn(arn, req.ctx);
  out.output = json::object{
      {"Tags", with_tags(part(req.ctx), r, arn, nullptr, [](google::protobuf::Map<std::string, std::string>&) {})}};
}

}  // namespace podstack::ses
