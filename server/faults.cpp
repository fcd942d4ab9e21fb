#include "server/faults.h"

#include <algorithm>
#include <cctype>

namespace podstack {

namespace {

bool all_of_chars(std::string_view s, std::string_view extra) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos) return false;
  return true;
}

}  // namespace

bool FaultRule::matches(std::string_view svc, std::string_view reg, std::string_view op) const {
  return (!service || *service == svc) && (!region || *region == reg) && (!operation || *operation == op);
}

json::object FaultRule::to_json() const {
  json::object o;
  if (service) o["service"] = *service;
  if (region) o["region"] = *region;
  if (operation) o["operation"] = *operation;
  if (probability) o["probability"] = *probability;
  if (description) o["description"] = *description;
  if (has_error) {
    json::object e;
    if (status_code) e["statusCode"] = *status_code;
    if (code) e["code"] = *code;
    o["error"] = std::move(e);
  }
  return o;
}

// LocalStack's FaultRule schema (its OpenAPI spec): no other fields; names of
// letters, digits and '-' ('_' in service names); a probability in [0, 1]; an
// error status in 400-599. Operation names may hold digits (S3's ListObjectsV2).
std::variant<std::vector<FaultRule>, std::string> parse_fault_rules(const json::value& v) {
  if (!v.is_array()) return std::string("the body must be a JSON array of fault rules");
  std::vector<FaultRule> out;
  size_t i = 0;
  for (auto& item : v.as_array()) {
    std::string where = "rule " + std::to_string(i++);
    if (!item.is_object()) return where + " is not an object";
    FaultRule r;
    auto name = [&](std::string_view key, const json::value& val, std::string_view extra,
                    std::optional<std::string>& field) -> std::string {
      if (!val.is_string() || !all_of_chars(val.as_string(), extra))
        return where + ": \"" + std::string(key) + "\" must be a non-empty string of letters, digits" +
               (extra.empty() ? "" : " and '" + std::string(extra) + "'");
      field = std::string(val.as_string());
      return {};
    };
    for (auto& kv : item.as_object()) {
      std::string_view key = kv.key();
      const json::value& val = kv.value();
      std::string err;
      if (key == "service") err = name(key, val, "-_", r.service);
      else if (key == "region") err = name(key, val, "-", r.region);
      else if (key == "operation") err = name(key, val, "", r.operation);
      else if (key == "probability") {
        if (!val.is_number()) return where + ": \"probability\" must be a number from 0 to 1";
        double p = val.to_number<double>();
        if (!(p >= 0 && p <= 1)) return where + ": \"probability\" must be a number from 0 to 1";
        r.probability = p;
      } else if (key == "description") {
        if (!val.is_string() || val.as_string().size() > 8192) return where + ": \"description\" must be a string of at most 8192 characters";
        r.description = std::string(val.as_string());
      } else if (key == "error") {
        if (!val.is_object()) return where + ": \"error\" must be an object {\"statusCode\", \"code\"}";
        r.has_error = true;
        for (auto& e : val.as_object()) {
          if (e.key() == "statusCode") {
            const json::value& s = e.value();
            bool integral = s.is_int64() || s.is_uint64() || (s.is_double() && s.as_double() == static_cast<int64_t>(s.as_double()));
            int64_t n = integral ? s.to_number<int64_t>() : 0;
            if (!integral || n < 400 || n > 599) return where + ": \"error.statusCode\" must be an HTTP error status from 400 to 599";
            r.status_code = n;
          } else if (e.key() == "code") {
            if (!e.value().is_string() || !all_of_chars(e.value().as_string(), ""))
              return where + ": \"error.code\" must be a non-empty string of letters and digits";
            r.code = std::string(e.value().as_string());
          } else {
            return where + ": \"error\" has an unknown field \"" + std::string(e.key()) + "\" (statusCode, code)";
          }
        }
      } else {
        return where + " has an unknown field \"" + std::string(key) +
               "\" (service, region, operation, probability, error, description)";
      }
      if (!err.empty()) return err;
    }
    out.push_back(std::move(r));
  }
  return out;
}

FaultRules::FaultRules() : rng_(std::random_device{}()) {}
FaultRules::FaultRules(uint64_t seed) : rng_(seed) {}

std::vector<FaultRule> FaultRules::set(std::vector<FaultRule> rules) {
  std::lock_guard lk(mu_);
  rules_ = std::move(rules);
  any_ = !rules_.empty();
  return rules_;
}

std::vector<FaultRule> FaultRules::add(const std::vector<FaultRule>& rules) {
  std::lock_guard lk(mu_);
  for (auto& r : rules)
    if (std::find(rules_.begin(), rules_.end(), r) == rules_.end()) rules_.push_back(r);
  any_ = !rules_.empty();
  return rules_;
}

std::vector<FaultRule> FaultRules::remove(const std::vector<FaultRule>& rules) {
  std::lock_guard lk(mu_);
  std::erase_if(rules_, [&](const FaultRule& r) { return std::find(rules.begin(), rules.end(), r) != rules.end(); });
  any_ = !rules_.empty();
  return rules_;
}

std::vector<FaultRule> FaultRules::list() const {
  std::lock_guard lk(mu_);
  return rules_;
}

std::optional<InjectedFault> FaultRules::draw(std::string_view service, std::string_view region, std::string_view operation) {
  if (!any_.load(std::memory_order_relaxed)) return std::nullopt;
  std::lock_guard lk(mu_);
  for (auto& r : rules_) {
    if (!r.matches(service, region, operation)) continue;
    // A probability of 1 draws nothing, so rules that always fire leave the
    // sequence of draws to those that do not (reproducible with a seed).
    double p = r.probability.value_or(1);
    if (p < 1 && !(std::uniform_real_distribution<double>(0, 1)(rng_) < p)) continue;
    ++injected_[{std::string(service), std::string(operation)}];
    return InjectedFault{r.status(), r.error_code(), "Service '" + std::string(service) + "' not accessible due to an outage"};
  }
  return std::nullopt;
}

std::map<std::pair<std::string, std::string>, uint64_t> FaultRules::injected() const {
  std::lock_guard lk(mu_);
  return injected_;
}

}  // namespace podstack
