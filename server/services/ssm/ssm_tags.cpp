// SSM tags: AddTagsToResource, RemoveTagsFromResource, ListTagsForResource
// (on parameters).
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "server/services/ssm/ssm_errors.h"
#include "server/services/ssm/ssm_service.h"
#include "server/services/ssm/ssm_util.h"

namespace podstack::ssm {

const Parameter* SsmService::tag_target(const Input& in, const CallContext& ctx) const {
  std::string_view type = in.str("ResourceType");
  if (type != "Parameter")
    throw invalid_resource_type(type);
  std::string id = strip_arn(in.str("ResourceId"));
  const Parameter* p = find(ctx, id);
  if (!p) throw invalid_resource_id(id);
  return p;
}

void SsmService::add_tags(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Parameter* p = tag_target(in, ctx);
  std::map<std::string, std::string> merged;
  for (auto& t : p->tags()) merged[t.key()] = t.value();
  ssm::Event ev;
  auto* add = ev.mutable_tags_added();
  add->set_name(p->name());
  for (auto& t : *in.array("Tags")) {
    std::string k(t.at("Key").as_string()), v(t.at("Value").as_string());
    merged[k] = v;
    auto* tag = add->add_tags();
    tag->set_key(k);
    tag->set_value(v);
  }
  if (merged.size() > kMaxTags)
    throw too_many_tags_error("The Tags parameter contains more than 50 tags for this resource.");
  d.add(std::move(ev));
}

void SsmService::remove_tags(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Parameter* p = tag_target(in, ctx);
  ssm::Event ev;
  auto* rm = ev.mutable_tags_removed();
  rm->set_name(p->name());
  for (auto& k : *in.array("TagKeys")) rm->add_keys(std::string(k.as_string()));
  d.add(std::move(ev));
}

void SsmService::list_tags(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Parameter* p = tag_target(in, ctx);
  json::array tags;
  for (auto& t : p->tags()) {
    json::object o;
    o["Key"] = t.key();
    o["Value"] = t.value();
    tags.push_back(std::move(o));
  }
  json::object out;
  out["TagList"] = std::move(tags);
  d.output = std::move(out);
}

}  // namespace podstack::ssm
