// Every operation in every service's table is one its pinned AWS model has
// (model(), or rest_model() under its operation_prefix), or an internal one:
// a "__" name, which AWS routing can never reach (the gateway only routes
// names a model has), served by the service's own routes (Service::routes)
// or hooks (Service::cors_operation).
#include <doctest/doctest.h>

#include <set>

#include "server/services/registry.h"

using namespace podstack;

TEST_CASE("every operation in a service's table is in its pinned model, or internal") {
  auto all = make_services();
  REQUIRE(!all.empty());
  size_t checked = 0;
  for (auto& s : all) {
    std::set<std::string> reached;  // internal operations some route or hook names
    for (auto& r : s->routes())
      for (auto& [method, op] : r.methods) reached.insert(op);
    if (!s->cors_operation().empty()) reached.insert(std::string(s->cors_operation()));
    for (std::string_view op : s->operation_names()) {
      CAPTURE(s->name());
      CAPTURE(op);
      ++checked;
      if (op.rfind("__", 0) == 0) {
        CHECK_MESSAGE(reached.count(std::string(op)), "an internal operation nothing routes to");
        continue;
      }
      const protocol::ServiceModel* rest = s->rest_model();
      bool in_rest = rest && !rest->operation_prefix.empty() && op.rfind(rest->operation_prefix, 0) == 0 &&
                     rest->operation(op.substr(rest->operation_prefix.size())) != nullptr;
      CHECK_MESSAGE((in_rest || s->model().operation(op) != nullptr), "not an operation of the service's model");
    }
    // And the other way round: each internal operation a route names exists.
    for (auto& op : reached) CHECK_MESSAGE(s->has_operation(op), s->name() << " routes to a missing operation " << op);
  }
  CHECK(checked > 200);  // the tables really were walked (249 operations today)
}
