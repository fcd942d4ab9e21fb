#include "server/pod_diff.h"

#include <doctest/doctest.h>

#include "proto/ssm.pb.h"
#include "server/services/registry.h"

using namespace podstack;

namespace {
std::string ssm_state(const std::vector<std::pair<std::string, std::string>>& params, const std::string& region = "us-east-1") {
  ssm::State st;
  auto* part = st.add_partitions();
  part->set_account("000000000000");
  part->set_region(region);
  for (auto& [name, value] : params) {
    auto* p = part->add_parameters();
    p->set_name(name);
    auto* v = p->add_versions();
    v->set_version(1);
    v->set_value(value);
  }
  return deterministic_bytes(st);
}
}  // namespace

TEST_CASE("the default list_resources names items account/region/name with a content digest") {
  auto services = make_services();
  std::vector<Resource> rs;
  REQUIRE(list_partition_items(ssm_state({{"/b", "1"}, {"/a", "2"}}), rs).is_ok());
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].id == "000000000000/us-east-1//a");
  CHECK(rs[1].id == "000000000000/us-east-1//b");
  std::vector<Resource> again;
  REQUIRE(list_partition_items(ssm_state({{"/a", "2"}, {"/b", "changed"}}), again).is_ok());
  CHECK(again[0] == rs[0]);
  CHECK(again[1].digest != rs[1].digest);
}

TEST_CASE("diff_states reports added, removed and changed resources per service") {
  auto services = make_services();
  ServiceStates from{{"ssm", ssm_state({{"/keep", "1"}, {"/change", "1"}, {"/gone", "1"}})}};
  ServiceStates to{{"ssm", ssm_state({{"/keep", "1"}, {"/change", "2"}, {"/new", "1"}})}};
  auto d = diff_states(services, from, to, {});
  REQUIRE(d.is_ok());
  REQUIRE(d->services.size() == 1);
  auto& s = d->services[0];
  CHECK(s.service == "ssm");
  CHECK(s.added == std::vector<std::string>{"000000000000/us-east-1//new"});
  CHECK(s.removed == std::vector<std::string>{"000000000000/us-east-1//gone"});
  CHECK(s.changed == std::vector<std::string>{"000000000000/us-east-1//change"});
  auto j = diff_json(*d);
  CHECK(j.at("same").as_bool() == false);
  CHECK(j.at("added").to_number<int>() == 1);

  // A service present on one side only: everything added (or removed).
  auto one_sided = diff_states(services, {}, to, {});
  REQUIRE(one_sided.is_ok());
  CHECK(one_sided->services[0].added.size() == 3);
  // Restricted to other services: nothing to report.
  auto none = diff_states(services, from, to, {"secretsmanager"});
  REQUIRE(none.is_ok());
  CHECK(none->empty());
  CHECK(diff_states(services, from, from, {})->empty());
}

TEST_CASE("a damaged snapshot is an error, not a crash") {
  auto services = make_services();
  ServiceStates bad{{"ssm", std::string("\x0a\xff\xff\xff\x0f garbage", 10)}};
  auto d = diff_states(services, bad, {}, {});
  REQUIRE_FALSE(d.is_ok());
  CHECK(d.status().message().find("ssm") != std::string::npos);
}
