// SES v1 receipt rule sets and rules: Create/Delete/Describe/List/Clone/
// ReorderReceiptRuleSet(s), Set/DescribeActiveReceiptRuleSet,
// Create/Update/Delete/DescribeReceiptRule, SetReceiptRulePosition. They are stored and returned as
// given; podstack receives no mail, so no rule ever runs.
// https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateReceiptRule.html
// Error codes as AWS's reference names them; texts as moto has them.
#include <algorithm>
#include <string>
#include <vector>

#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000; }

void put_rule_set(Decision& out, ReceiptRuleSet rs) {
  Event ev;
  *ev.mutable_receipt_rule_set_put()->mutable_rule_set() = std::move(rs);
  out.add(std::move(ev));
}

json::object rule_set_json(const ReceiptRuleSet& rs) {
  json::array rules;
  for (auto& r : rs.rules()) rules.push_back(json::parse(r.rule_json()));
  return json::object{{"Metadata", json::object{{"Name", rs.name()}, {"CreatedTimestamp", seconds(rs.created_ms())}}},
                      {"Rules", std::move(rules)}};
}

int rule_index(const ReceiptRuleSet& rs, std::string_view name) {
  for (int i = 0; i < rs.rules_size(); ++i)
    if (rs.rules(i).name() == name) return i;
  return -1;
}

ReceiptRule read_rule(const Input& in) {
  const json::object* o = in.object("Rule");
  ReceiptRule r;
  r.set_name(std::string(o->at("Name").as_string()));
  r.set_rule_json(json::serialize(*o));
  return r;
}

}  // namespace

const ReceiptRuleSet& SesService::rule_set_or_throw(const CallContext& ctx, std::string_view name) const {
  if (const SesPartition* p = part(ctx))
    if (auto it = p->rule_sets.find(name); it != p->rule_sets.end()) return it->second;
  throw rule_set_does_not_exist(name);
}

void SesService::create_receipt_rule_set(const Request& req, Decision& out) const {
  std::string name(req.in.str("RuleSetName"));
  if (const SesPartition* p = part(req.ctx); p && p->rule_sets.count(name))
    throw already_exists("Rule set already exists: " + name);
  ReceiptRuleSet rs;
  rs.set_name(name);
  rs.set_created_ms(req.ctx.now_ms);
  put_rule_set(out, std::move(rs));
}

// Deleting a rule set that does not exist succeeds; the active one can't go.
void SesService::delete_receipt_rule_set(const Request& req, Decision& out) const {
  std::string name(req.in.str("RuleSetName"));
  const SesPartition* p = part(req.ctx);
  if (!p || !p->rule_sets.count(name)) return;
  if (p->active_rule_set == name) throw cannot_delete("Cannot delete active rule set: " + name);
  Event ev;
  ev.mutable_receipt_rule_set_deleted()->set_name(name);
  out.add(std::move(ev));
}

void SesService::describe_receipt_rule_set(const Request& req, Decision& out) const {
  out.output = rule_set_json(rule_set_or_throw(req.ctx, req.in.str("RuleSetName")));
}

void SesService::list_receipt_rule_sets(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  out.output = page_of(req.in, 100, "MaxItems", p ? &p->rule_sets : nullptr, "RuleSets", [](auto& name, const ReceiptRuleSet& rs) {
    return json::value(json::object{{"Name", name}, {"CreatedTimestamp", seconds(rs.created_ms())}});
  });
}

void SesService::clone_receipt_rule_set(const Request& req, Decision& out) const {
  std::string name(req.in.str("RuleSetName"));
  ReceiptRuleSet rs = rule_set_or_throw(req.ctx, req.in.str("OriginalRuleSetName"));
  if (const SesPartition* p = part(req.ctx); p->rule_sets.count(name)) throw already_exists("Rule set already exists: " + name);
  rs.set_name(name);
  rs.set_created_ms(req.ctx.now_ms);
  put_rule_set(out, std::move(rs));
}

// RuleNames: every rule of the set, in the new order.
void SesService::reorder_receipt_rule_set(const Request& req, Decision& out) const {
  ReceiptRuleSet rs = rule_set_or_throw(req.ctx, req.in.str("RuleSetName"));
  std::vector<std::string> names = strings(req.in.array("RuleNames"));
  ReceiptRuleSet reordered = rs;
  reordered.clear_rules();
  for (auto& n : names) {
    int i = rule_index(rs, n);
    if (i < 0) throw rule_does_not_exist(n);
    if (rule_index(reordered, n) >= 0) throw invalid_parameter_value("Rule " + n + " is listed more than once.");
    *reordered.add_rules() = rs.rules(i);
  }
  if (reordered.rules_size() != rs.rules_size())
    throw invalid_parameter_value("The rule names must list every rule of rule set " + rs.name() + ".");
  put_rule_set(out, std::move(reordered));
}

// Without RuleSetName no rule set is active.
void SesService::set_active_receipt_rule_set(const Request& req, Decision& out) const {
  std::string name = req.in.str_or("RuleSetName", "");
  if (!name.empty()) rule_set_or_throw(req.ctx, name);
  Event ev;
  ev.mutable_active_receipt_rule_set_set()->set_name(name);
  out.add(std::move(ev));
}

void SesService::describe_active_receipt_rule_set(const Request& req, Decision& out) const {
  const SesPartition* p = part(req.ctx);
  if (!p || p->active_rule_set.empty()) return;
  auto it = p->rule_sets.find(p->active_rule_set);
  if (it != p->rule_sets.end()) out.output = rule_set_json(it->second);
}

// The new rule goes after the rule named After, else first.
void SesService::create_receipt_rule(const Request& req, Decision& out) const {
  ReceiptRuleSet rs = rule_set_or_throw(req.ctx, req.in.str("RuleSetName"));
  ReceiptRule rule = read_rule(req.in);
  int at = 0;
  if (auto after = req.in.opt_str("After")) {
    int i = rule_index(rs, *after);
    if (i < 0) throw rule_does_not_exist(*after);
    at = i + 1;
  }
  if (rule_index(rs, rule.name()) >= 0) throw already_exists("Rule already exists: " + rule.name());
  *rs.add_rules() = std::move(rule);
  for (int i = rs.rules_size() - 1; i > at; --i) rs.mutable_rules()->SwapElements(i, i - 1);
  put_rule_set(out, std::move(rs));
}

void SesService::update_receipt_rule(const Request& req, Decision& out) const {
  ReceiptRuleSet rs = rule_set_or_throw(req.ctx, req.in.str("RuleSetName"));
  ReceiptRule rule = read_rule(req.in);
  int i = rule_index(rs, rule.name());
  if (i < 0) throw rule_does_not_exist(rule.name());
  *rs.mutable_rules(i) = std::move(rule);
  put_rule_set(out, std::move(rs));
}

// The rule moves after the rule named After, else to the front.
void SesService::set_receipt_rule_position(const Request& req, Decision& out) const {
  ReceiptRuleSet rs = rule_set_or_throw(req.ctx, req.in.str("RuleSetName"));
  std::string name(req.in.str("RuleName"));
  int i = rule_index(rs, name);
  if (i < 0) throw rule_does_not_exist(name);
  ReceiptRule rule = rs.rules(i);
  rs.mutable_rules()->DeleteSubrange(i, 1);
  int at = 0;
  if (auto after = req.in.opt_str("After")) {
    int j = rule_index(rs, *after);
    if (j < 0) throw rule_does_not_exist(*after);
    at = j + 1;
  }
  *rs.add_rules() = std::move(rule);
  for (int k = rs.rules_size() - 1; k > at; --k) rs.mutable_rules()->SwapElements(k, k - 1);
  put_rule_set(out, std::move(rs));
}

// Deleting a rule that does not exist succeeds (only the rule set must).
void SesService::delete_receipt_rule(const Request& req, Decision& out) const {
  ReceiptRuleSet rs = rule_set_or_throw(req.ctx, req.in.str("RuleSetName"));
  int i = rule_index(rs, req.in.str("RuleName"));
  if (i < 0) return;
  rs.mutable_rules()->DeleteSubrange(i, 1);
  put_rule_set(out, std::move(rs));
}

void SesService::describe_receipt_rule(const Request& req, Decision& out) const {
  const ReceiptRuleSet& rs = rule_set_or_throw(req.ctx, req.in.str("RuleSetName"));
  std::string_view name = req.in.str("RuleName");
  int i = rule_index(rs, name);
  if (i < 0) throw rule_does_not_exist(name);
  out.output = json::object{{"Rule", json::parse(rs.rules(i).rule_json())}};
}

}  // namespace podstack::ses
