// Secrets Manager ListSecrets: filters, sort orders and the page token.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "server/services/secretsmanager/secretsmanager_errors.h"
#include "server/services/secretsmanager/secretsmanager_service.h"
#include "server/services/secretsmanager/secretsmanager_util.h"

namespace podstack::secretsmanager {
namespace {

// Lower-cased words of `text`: runs of letters and digits; each run also
// contributes its camelCase parts, so "MyDescription" is found by "desc" and
// by "mydescription".
std::vector<std::string> words(std::string_view text, bool camel_parts) {
  std::vector<std::string> out;
  auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i) break;
    std::string_view run = text.substr(i, j - i);
    std::string w;
    std::transform(run.begin(), run.end(), std::back_inserter(w), lower);
    out.push_back(w);
    if (camel_parts) {
      size_t part = 0;
      for (size_t k = 1; k <= run.size(); ++k) {
        bool boundary = k == run.size() || (std::islower(static_cast<unsigned char>(run[k - 1])) &&
                                            std::isupper(static_cast<unsigned char>(run[k])));
        if (!boundary) continue;
        if (part != 0 || k != run.size()) out.push_back(w.substr(part, k - part));
        part = k;
      }
    }
    i = j;
  }
  return out;
}

bool words_match(std::string_view want, std::string_view text) {
  auto wanted = words(want, false);
  if (wanted.empty()) return false;
  auto have = words(text, true);
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    return std::any_of(have.begin(), have.end(), [&](const std::string& h) { return h.compare(0, w.size(), w) == 0; });
  });
}

// ListSecrets filters (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Filter.html):
// name, tag-key and tag-value are case-sensitive prefix matches; description
// and all are case-insensitive and word-based ("Breaks the filter value
// string into words"; the user guide calls description a phrase search, and
// AWS finds "key" in "api key for prod"): every word of the value must start
// a word of one attribute. The values of one filter are ORed; a value with a
// leading "!" excludes the secrets it matches.
bool filter_match(const Secret& shown, const Secret& s, const std::string& region, const std::string& key,
                  const json::array& values) {
  auto prefix = [](std::string_view value, std::string_view want) { return value.substr(0, want.size()) == want; };
  // PrimaryRegion: a replica's primary's Region, or a replicated primary's own.
  std::string primary = !shown.primary_region().empty() ? shown.primary_region() : s.replicas_size() ? region : "";
  auto matches = [&](std::string_view want) {
    if (key == "name") return prefix(s.name(), want);
    if (key == "description") return words_match(want, s.description());
    if (key == "tag-key" || key == "tag-value") {
      for (auto& t : s.tags())
        if (prefix(key == "tag-key" ? t.key() : t.value(), want)) return true;
      return false;
    }
    if (key == "all") {
      if (words_match(want, s.name()) || words_match(want, s.description())) return true;
      for (auto& t : s.tags())
        if (words_match(want, t.key()) || words_match(want, t.value())) return true;
      return false;
    }
    if (key == "primary-region") return !primary.empty() && primary == want;
    return false;  // owning-service: no podstack secret is managed by another service
  };
  bool any = false;
  for (auto& v : values) {
    std::string_view want = v.as_string();
    if (!want.empty() && want[0] == '!') {
      if (matches(want.substr(1))) return false;
      any = true;
    } else if (matches(want)) {
      any = true;
    }
  }
  return any;
}

std::string list_token(double primary, const std::string& name) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", primary);
  return std::string(buf) + "\n" + name;
}

std::pair<double, std::string> parse_list_token(const std::string& key) {
  auto nl = key.find('\n');
  if (nl == std::string::npos) throw invalid_next_token_exception();
  char* end = nullptr;
  double primary = std::strtod(key.c_str(), &end);
  if (end != key.c_str() + nl) throw invalid_next_token_exception();
  return {primary, key.substr(nl + 1)};
}

}  // namespace

Filters read_filters(const Input& in) {
  Filters filters;
  if (auto* fs = in.array("Filters"))
    for (auto& f : *fs) {
      const auto& o = f.as_object();
      auto* k = o.if_contains("Key");
      auto* v = o.if_contains("Values");
      if (!k || !v || !v->is_array())
        throw invalid_parameter_exception("Invalid filter: every filter needs a Key and Values.");
      filters.emplace_back(std::string(k->as_string()), v->as_array());
    }
  return filters;
}

bool filters_match(const Secret& shown, const Secret& c, const std::string& region, const Filters& filters) {
  return std::all_of(filters.begin(), filters.end(),
                     [&](auto& f) { return filter_match(shown, c, region, f.first, f.second); });
}

void SecretsManagerService::list_secrets(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  bool planned = in.flag("IncludePlannedDeletion");
  Filters filters = read_filters(in);
  bool desc = in.str_or("SortOrder", "asc") == "desc";
  // SortBy is newer than the pinned model (created-date when absent); the
  // codec passes it through. Last access is not tracked, so it orders by name.
  std::string sort_by = in.str_or("SortBy", "created-date");
  if (sort_by != "created-date" && sort_by != "last-changed-date" && sort_by != "last-accessed-date" && sort_by != "name")
    throw invalid_parameter_exception("Invalid SortBy value: " + sort_by);
  auto primary = [&](const Secret& s) {
    if (sort_by == "created-date") return s.created_date();
    if (sort_by == "last-changed-date") return s.last_changed_date();
    return 0.0;
  };
  using SortKey = std::pair<double, std::string_view>;  // the name breaks ties, so every secret has its own key
  auto key_of = [&](const Secret& s) { return SortKey(primary(s), s.name()); };
  auto before = [&](const SortKey& a, const SortKey& b) { return desc ? b < a : a < b; };

  Page page = make_page(in);
  std::optional<std::pair<double, std::string>> after;
  if (!page.after().empty()) after = parse_list_token(page.after());

  std::vector<const Secret*> all;
  if (const SecretPartition* p = part(ctx))
    for (auto& [n, s] : p->secrets) {
      if (expired(s, ctx.now()) || (scheduled(s) && !planned)) continue;
      if (after && !before(SortKey(after->first, after->second), key_of(s))) continue;
      if (filters_match(s, content_of(ctx, s), ctx.region, filters)) all.push_back(&s);
    }
  std::sort(all.begin(), all.end(), [&](const Secret* a, const Secret* b) { return before(key_of(*a), key_of(*b)); });
  json::array items;
  for (const Secret* s : all) {
    // The page key is the sort key of the last secret listed: pages stay
    // right while other secrets come and go.
    if (page.full(items.size(), list_token(primary(*s), s->name()))) break;
    json::object o = describe(*s, content_of(ctx, *s), ctx.region);
    o["SecretVersionsToStages"] = o["VersionIdsToStages"];
    o.erase("VersionIdsToStages");
    items.push_back(std::move(o));
  }
  json::object out{{"SecretList", std::move(items)}};
  page.emit(out);
  d.output = std::move(out);
}

}  // namespace podstack::secretsmanager

namespace podstack::secretsmanager {
namespace {

json::object value_entry(const Secret& shown, const SecretVersion& v) {
  json::object o{{"ARN", shown.arn()}, {"Name", shown.name()}, {"VersionId", v.version_id()}};
  if (v.has_string()) o["SecretString"] = v.secret_string();
  if (v.has_binary()) o["SecretBinary"] = json::string(v.secret_binary());
  o["VersionStages"] = stages_json(v);
  o["CreatedDate"] = v.created_date();
  return o;
}

json::object error_entry(std::string_view id, const ApiError& e) {
  return json::object{{"SecretId", id}, {"ErrorCode", e.code}, {"Message", e.message}};
}

}  // namespace

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html
// SecretIdList: each secret's AWSCURRENT value, or an Errors entry with the
// error GetSecretValue would give. Filters: the matching secrets (as
// ListSecrets matches them) a page of MaxResults (at most 20) at a time.
void SecretsManagerService::batch_get_secret_value(const Request& req, Decision& d) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  const json::array* ids = in.array("SecretIdList");
  bool has_filters = in.has("Filters");
  if (ids && has_filters)
    throw invalid_parameter_exception("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
  if (in.has("MaxResults") && !has_filters)
    throw invalid_parameter_exception("'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.");
  json::array values, errors;
  auto current = [&](const Secret& shown) -> const SecretVersion* {
    const Secret& s = content_of(ctx, shown);
    if (scheduled(s)) throw marked_for_deletion();
    const SecretVersion* v = version_by_stage(s, kCurrent);
    if (!v || !has_value(*v))
      throw resource_not_found_exception("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    return v;
  };
  json::object out;
  if (ids) {
    for (auto& x : *ids) {
      std::string_view id = x.as_string();
      try {
        const Secret* s = lookup(ctx, id);
        if (!s) throw resource_not_found_exception();
        values.push_back(value_entry(*s, *current(*s)));
      } catch (const ApiError& e) {
        errors.push_back(error_entry(id, e));
      }
    }
  } else {
    Filters filters = read_filters(in);
    Page page = make_page(in, 20);
    if (const SecretPartition* p = part(ctx))
      for (auto& [name, s] : p->secrets) {
        if (!page.after().empty() && name <= page.after()) continue;
        if (expired(s, ctx.now()) || scheduled(s)) continue;
        const Secret& c = content_of(ctx, s);
        if (!filters_match(s, c, ctx.region, filters)) continue;
        if (page.full(values.size(), name)) break;
        try {
          values.push_back(value_entry(s, *current(s)));
        } catch (const ApiError& e) {
          errors.push_back(error_entry(name, e));
        }
      }
    page.emit(out);
  }
  out["SecretValues"] = std::move(values);
  out["Errors"] = std::move(errors);
  d.output = std::move(out);
}

}  // namespace podstack::secretsmanager
