// SSM state: apply (the only mutation), snapshots and the log summary.
#include "server/services/ssm/ssm_state.h"

#include <algorithm>

#include "server/services/ssm/ssm_util.h"

namespace podstack::ssm {

const Parameter* find_param(const ParameterPartition* part, std::string_view name) {
  if (!part || name.empty()) return nullptr;
  if (auto it = part->params.find(name); it != part->params.end()) return &it->second;
  std::string other;
  if (name[0] == '/' && name.find('/', 1) == std::string_view::npos) other = std::string(name.substr(1));
  else if (name.find('/') == std::string_view::npos) other = "/" + std::string(name);
  else return nullptr;
  auto it = part->params.find(other);
  return it == part->params.end() ? nullptr : &it->second;
}

void SsmState::apply(const proto::Event& e, Event& ev) {
  ParameterPartition& part = parts_.get(e);
  switch (ev.kind_case()) {
    case ssm::Event::kPut: {
      const auto& put = ev.put();
      Parameter& p = part.params[put.name()];
      if (p.name().empty()) {
        p.set_name(put.name());
        *p.mutable_tags() = put.tags();
      }
      if (static_cast<size_t>(p.versions_size()) >= kMaxVersions) p.mutable_versions()->DeleteSubrange(0, 1);
      *p.add_versions() = put.version();
      break;
    }
    case ssm::Event::kDeleted:
      for (auto& n : ev.deleted().names()) part.params.erase(n);
      break;
    case ssm::Event::kLabelsMoved: {
      auto it = part.params.find(ev.labels_moved().name());
      if (it == part.params.end()) break;
      for (auto& v : *it->second.mutable_versions()) {
        auto* labels = v.mutable_labels();
        for (auto& l : ev.labels_moved().labels()) {
          auto pos = std::find(labels->begin(), labels->end(), l);
          if (v.version() == ev.labels_moved().version()) {
            if (pos == labels->end()) *labels->Add() = l;
          } else if (pos != labels->end()) {
            labels->erase(pos);
          }
        }
      }
      break;
    }
    case ssm::Event::kLabelsRemoved: {
      auto it = part.params.find(ev.labels_removed().name());
      if (it == part.params.end()) break;
      for (auto& v : *it->second.mutable_versions()) {
        if (v.version() != ev.labels_removed().version()) continue;
        auto* labels = v.mutable_labels();
        for (auto& l : ev.labels_removed().labels()) {
          auto pos = std::find(labels->begin(), labels->end(), l);
          if (pos != labels->end()) labels->erase(pos);
        }
      }
      break;
    }
    case ssm::Event::kTagsAdded: {
      auto it = part.params.find(ev.tags_added().name());
      if (it == part.params.end()) break;
      std::map<std::string, std::string> tags;
      for (auto& t : it->second.tags()) tags[t.key()] = t.value();
      for (auto& t : ev.tags_added().tags()) tags[t.key()] = t.value();
      set_tags(it->second, tags);
      break;
    }
    case ssm::Event::kTagsRemoved: {
      auto it = part.params.find(ev.tags_removed().name());
      if (it == part.params.end()) break;
      std::map<std::string, std::string> tags;
      for (auto& t : it->second.tags()) tags[t.key()] = t.value();
      for (auto& k : ev.tags_removed().keys()) tags.erase(k);
      set_tags(it->second, tags);
      break;
    }
    case ssm::Event::KIND_NOT_SET:
      throw std::runtime_error("empty ssm event");
  }
}

std::string SsmState::snapshot() const {
  PartitionWriter w;  // encodes ssm::State without copying parameters
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [n, param] : part.params) w.item(param);
  }
  return w.finish();
}

Status SsmState::restore(std::string_view bytes) {
  ssm::State st;
  if (Status s = parse_snapshot(bytes, st, "ssm"); !s.is_ok()) return s;
  parts_.clear();
  for (auto& p : st.partitions()) {
    ParameterPartition& part = parts_.get(p.account(), p.region());
    for (auto& param : p.parameters()) part.params[param.name()] = param;
  }
  return Status::ok();
}

std::string SsmState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case ssm::Event::kPut: return "name=" + ev.put().name() + " version=" + std::to_string(ev.put().version().version());
    case ssm::Event::kDeleted: {
      std::string s = "deleted";
      for (auto& n : ev.deleted().names()) s += " " + n;
      return s;
    }
    case ssm::Event::kLabelsMoved: return "name=" + ev.labels_moved().name() + " version=" + std::to_string(ev.labels_moved().version());
    case ssm::Event::kLabelsRemoved: return "name=" + ev.labels_removed().name() + " version=" + std::to_string(ev.labels_removed().version()) + " labels-" + std::to_string(ev.labels_removed().labels_size());
    case ssm::Event::kTagsAdded: return "name=" + ev.tags_added().name() + " tags+" + std::to_string(ev.tags_added().tags_size());
    case ssm::Event::kTagsRemoved: return "name=" + ev.tags_removed().name() + " tags-" + std::to_string(ev.tags_removed().keys_size());
    default: return {};
  }
}

void SsmState::set_tags(Parameter& p, const std::map<std::string, std::string>& tags) {
  p.clear_tags();
  for (auto& [k, v] : tags) {
    auto* t = p.add_tags();
    t->set_key(k);
    t->set_value(v);
  }
}

}  // namespace podstack::ssm
