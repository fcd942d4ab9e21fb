// Secrets Manager rotation and replication: RotateSecret, CancelRotateSecret,
// ReplicateSecretToRegions, RemoveRegionsFromReplication,
// StopReplicationToReplica.
//
// podstack runs no Lambda functions: RotateSecret records the rotation
// (RotationEnabled, RotationLambdaARN, RotationRules, NextRotationDate) and,
// when it rotates immediately, stages AWSPENDING on a new version without a
// value whose id is the ClientRequestToken. The rotation function's steps are
// then the client's: PutSecretValue with that token and AWSPENDING
// (createSecret), UpdateSecretVersionStage moving AWSCURRENT (finishSecret).
//
// A replica is a read-only secret of the same name in another Region of the
// same account; reads there serve the primary's versions.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/services/arn.h"
#include "server/services/secretsmanager/secretsmanager_errors.h"
#include "server/services/secretsmanager/secretsmanager_service.h"
#include "server/services/secretsmanager/secretsmanager_util.h"

namespace podstack::secretsmanager {
namespace {

constexpr std::string_view kPending = "AWSPENDING";

// "rate(N days)" / "rate(N hours)" / "cron(...)". Returns the interval in
// seconds for a rate (0 for cron), or throws InvalidParameterException.
double schedule_interval(const std::string& expr) {
  auto bad = [&]() { return invalid_parameter_exception("Invalid ScheduleExpression: " + expr); };
  auto inner = [&](std::string_view head) -> std::string {
    if (expr.size() <= head.size() + 1 || expr.compare(0, head.size(), head) != 0 || expr.back() != ')') throw bad();
    return expr.substr(head.size(), expr.size() - head.size() - 1);
  };
  if (expr.rfind("cron(", 0) == 0) {
    std::string body = inner("cron(");
    int fields = 0;
    bool in = false;
    for (char c : body) {
      bool space = c == ' ';
      if (!space && !in) ++fields;
      in = !space;
    }
    if (fields != 6) throw bad();  // minutes hours day-of-month month day-of-week year
    return 0;
  }
  std::string body = inner("rate(");
  char* end = nullptr;
  long n = std::strtol(body.c_str(), &end, 10);
  std::string unit = end ? std::string(end) : "";
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  if (end == body.c_str() || n <= 0) throw bad();
  // Rotation at most every 4 hours, at least every 1000 days (the user guide's rotation schedules).
  if (unit == "day" || unit == "days") {
    if (n > 1000) throw bad();
    return static_cast<double>(n) * kDay;
  }
  if (unit == "hour" || unit == "hours") {
    if (n < 4 || n > 24 * 1000) throw bad();
    return static_cast<double>(n) * 3600.0;
  }
  throw bad();
}

// RotationRules from the request; the interval (seconds, 0: none) to the next rotation.
RotationRules read_rules(const json::object& o, double* interval) {
  RotationRules r;
  *interval = 0;
  auto* days = o.if_contains("AutomaticallyAfterDays");
  auto* expr = o.if_contains("ScheduleExpression");
  auto* duration = o.if_contains("Duration");
  if (days && expr)
    throw invalid_parameter_exception("You can't specify both AutomaticallyAfterDays and ScheduleExpression.");
  if (days) {
    int64_t n = days->is_int64() ? days->as_int64() : static_cast<int64_t>(days->to_number<double>());
    if (n < 1 || n > 1000) throw invalid_parameter_exception("RotationRules.AutomaticallyAfterDays must be within 1-1000.");
    r.set_automatically_after_days(n);
    *interval = static_cast<double>(n) * kDay;
  }
  if (expr) {
    r.set_schedule_expression(std::string(expr->as_string()));
    *interval = schedule_interval(r.schedule_expression());
  }
  if (duration) {
    std::string d(duration->as_string());
    bool digits = d.size() >= 2 && d.back() == 'h';
    for (size_t i = 0; digits && i + 1 < d.size(); ++i) digits = std::isdigit(static_cast<unsigned char>(d[i])) != 0;
    long hours = digits ? std::strtol(d.c_str(), nullptr, 10) : 0;
    if (!digits || hours < 1 || hours > 24)
      throw invalid_parameter_exception("Invalid Duration: " + d + ". The rotation window must be 1h to 24h.");
    r.set_duration(d);
  }
  return r;
}

}  // namespace

void SecretsManagerService::rotate_secret(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  std::string token = client_request_token(in);
  std::string lambda = in.str_or("RotationLambdaARN", s.rotation_lambda_arn());
  if (lambda.empty()) throw no_rotation_lambda();
  RotationRules rules = s.rotation_rules();
  double interval = 0;
  if (auto* o = in.object("RotationRules")) {
    rules = read_rules(*o, &interval);
  } else if (rules.automatically_after_days()) {
    interval = static_cast<double>(rules.automatically_after_days()) * kDay;
  } else if (!rules.schedule_expression().empty()) {
    interval = schedule_interval(rules.schedule_expression());
  }
  // "If the AWSPENDING staging label is present but not attached to the same
  // version as AWSCURRENT, then any later invocation of RotateSecret assumes
  // that a previous rotation request is still in progress and returns an error."
  for (auto& v : s.versions())
    if (has_stage(v, kPending) && !has_stage(v, kCurrent)) throw rotation_in_progress();
  bool immediately = in.flag("RotateImmediately", true);

  Event ev;
  auto* r = ev.mutable_rotation_set();
  r->set_name(s.name());
  r->set_enabled(true);
  r->set_lambda_arn(lambda);
  *r->mutable_rules() = rules;
  r->set_next_rotation_date(interval > 0 ? ctx.now() + interval : 0);
  r->set_changed(ctx.now());
  d.add(std::move(ev));
  json::object out{{"ARN", s.arn()}, {"Name", s.name()}};
  if (immediately) {
    if (!version_by_id(s, token)) {
      Event put;
      auto* vp = put.mutable_version_put();
      vp->set_name(s.name());
      vp->mutable_version()->set_version_id(token);
      vp->mutable_version()->set_created_date(ctx.now());
      vp->mutable_version()->add_stages(std::string(kPending));
      vp->set_changed(ctx.now());
      d.add(std::move(put));
    }
    out["VersionId"] = token;
  }
  d.output = std::move(out);
}

void SecretsManagerService::cancel_rotate_secret(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  if (s.rotation_lambda_arn().empty())
    throw invalid_request_exception(
        "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured "
        "and you didn't include such an ARN as a parameter in this call.");
  Event ev;
  auto* r = ev.mutable_rotation_set();
  r->set_name(s.name());
  r->set_enabled(false);
  r->set_lambda_arn(s.rotation_lambda_arn());
  *r->mutable_rules() = s.rotation_rules();
  r->set_changed(ctx.now());
  d.add(std::move(ev));
  json::object out{{"ARN", s.arn()}, {"Name", s.name()}};
  // "The unique identifier of the version of the secret created during the
  // rotation": the one AWSPENDING is on, if any.
  for (auto& v : s.versions())
    if (has_stage(v, kPending) && !has_stage(v, kCurrent)) out["VersionId"] = v.version_id();
  d.output = std::move(out);
}

json::array SecretsManagerService::add_replicas(const CallContext& ctx, const Secret& s, const json::array& regions,
                                                bool overwrite, Decision& d) const {
  // The replica's ARN: the primary's, in the replica's Region.
  std::string suffix = s.arn().substr(s.arn().find(":secret:"));
  Secret after = s;  // the ReplicationStatus the answer shows
  for (auto& x : regions) {
    std::string region(x.as_object().at("Region").as_string());
    if (region == ctx.region) throw invalid_replica_region();
    std::string kms;
    if (auto* k = x.as_object().if_contains("KmsKeyId"); k && k->is_string()) kms = std::string(k->as_string());
    Event ev;
    auto* a = ev.mutable_replica_added();
    a->set_name(s.name());
    a->set_region(region);
    a->set_kms_key_id(kms);
    a->set_arn(arn_prefix(region) + "secretsmanager:" + region + ":" + ctx.account + suffix);
    a->set_created(ctx.now());
    bool taken = false;
    if (const SecretPartition* there = state().part(ctx.account, region)) {
      auto it = there->secrets.find(s.name());
      taken = it != there->secrets.end() && !expired(it->second, ctx.now()) && it->second.primary_region() != ctx.region;
    }
    if (taken && !overwrite) {
      a->set_status("Failed");
      a->set_status_message("Replication failed: Secret name " + s.name() + " already exists in region " + region + ".");
    } else {
      a->set_status("InSync");
      a->set_status_message("Replication succeeded");
    }
    auto* st = after.add_replicas();
    st->set_region(region);
    st->set_kms_key_id(kms);
    st->set_status(a->status());
    st->set_status_message(a->status_message());
    d.add(std::move(ev));
  }
  // Earlier statuses for the same Region are replaced, as apply does.
  Secret merged;
  for (int i = 0; i < after.replicas_size(); ++i) {
    bool later = false;
    for (int j = i + 1; j < after.replicas_size(); ++j) later = later || after.replicas(j).region() == after.replicas(i).region();
    if (!later) *merged.add_replicas() = after.replicas(i);
  }
  return replication_json(merged);
}

void SecretsManagerService::replicate_secret_to_regions(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  if (scheduled(s)) throw marked_for_deletion();
  const json::array* regions = in.array("AddReplicaRegions");
  json::array status = add_replicas(ctx, s, *regions, in.flag("ForceOverwriteReplicaSecret"), d);
  d.output = json::object{{"ARN", s.arn()}, {"ReplicationStatus", std::move(status)}};
}

void SecretsManagerService::remove_regions_from_replication(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find_primary(in, ctx);
  std::vector<std::string> gone;
  for (auto& x : *in.array("RemoveReplicaRegions")) {
    std::string region(x.as_string());
    bool known = false;
    for (auto& r : s.replicas()) known = known || r.region() == region;
    if (!known) throw invalid_parameter_exception("Invalid replica region: " + region + " is not a replica region of this secret.");
    gone.push_back(region);
  }
  json::array status;
  for (auto& r : s.replicas()) {
    if (std::find(gone.begin(), gone.end(), r.region()) != gone.end()) continue;
    json::object o{{"Region", r.region()}, {"Status", r.status()}};
    if (!r.kms_key_id().empty()) o["KmsKeyId"] = r.kms_key_id();
    if (!r.status_message().empty()) o["StatusMessage"] = r.status_message();
    status.push_back(std::move(o));
  }
  for (auto& region : gone) {
    Event ev;
    auto* rm = ev.mutable_replica_removed();
    rm->set_name(s.name());
    rm->set_region(region);
    rm->set_changed(ctx.now());
    d.add(std::move(ev));
  }
  d.output = json::object{{"ARN", s.arn()}, {"ReplicationStatus", std::move(status)}};
}

}  // namespace podstack::secretsmanager

namespace podstack::secretsmanager {

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_StopReplicationToReplica.html
// Called in the replica's Region: the replica becomes a standalone secret.
void SecretsManagerService::stop_replication_to_replica(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const Secret& s = must_find(in, ctx);
  if (s.primary_region().empty())
    throw invalid_request_exception("This secret is not a replica: StopReplicationToReplica is called in the replica's Region.");
  Secret standalone = content_of(ctx, s);
  standalone.set_arn(s.arn());
  standalone.set_kms_key_id(s.kms_key_id());
  standalone.clear_primary_region();
  standalone.clear_replicas();
  standalone.set_last_changed_date(ctx.now());
  Event ev;
  auto* p = ev.mutable_replica_promoted();
  p->set_name(s.name());
  p->set_primary_region(s.primary_region());
  *p->mutable_secret() = std::move(standalone);
  d.add(std::move(ev));
  d.output = json::object{{"ARN", s.arn()}};
}

}  // namespace podstack::secretsmanager
