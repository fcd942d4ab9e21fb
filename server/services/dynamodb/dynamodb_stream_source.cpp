// DynamoDB's StreamSource (stream_source.h): what DynamoDB Streams reads of
// the tables' stream records. Every query holds DynamoDB's shared lock for
// its duration, and only then.
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <shared_mutex>

#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/dynamodb/dynamodb_util.h"
#include "server/services/dynamodb/hash.h"

namespace podstack::dynamodb {
namespace {

std::string stream_arn(const CallContext& ctx, const TableDescription& d) { return table_arn(ctx, d.name()) + "/stream/" + d.stream_label(); }

std::string shard_id(const TableDescription& d) {
  // AWS's shape: shardId-<20 digits>-<8 hex digits>.
  char id[64];
  snprintf(id, sizeof id, "shardId-%020lld-%08x", static_cast<long long>(d.created() * 1000), fnv1a(d.table_id() + d.stream_label()));
  return id;
}

StreamInfo info_of(const CallContext& ctx, const TableState& t) {
  const TableDescription& d = t.desc;
  StreamInfo s;
  s.arn = stream_arn(ctx, d);
  s.label = d.stream_label();
  s.table = d.name();
  s.view_type = d.stream_view_type();
  s.shard_id = shard_id(d);
  s.created = d.created();
  for (auto& k : d.key_schema()) s.key_schema.emplace_back(k.name(), k.key_type());
  if (!t.stream.empty()) {
    s.first_sequence = t.stream.front().sequence_number();
    s.last_sequence = t.stream.back().sequence_number();
  }
  return s;
}

// The table whose current stream `arn` names.
const TableState* by_stream(const DynamoDbState& state, const CallContext& ctx, std::string_view arn) {
  size_t t = arn.find(":table/");
  size_t s = arn.find("/stream/");
  if (t != std::string_view::npos && s != std::string_view::npos && s > t) {
    std::string name(arn.substr(t + 7, s - t - 7));
    if (const TableState* ts = state.find_table(ctx, name))
      if (!ts->desc.stream_view_type().empty() && stream_arn(ctx, ts->desc) == arn) return ts;
  }
  return nullptr;
}

}  // namespace

std::vector<StreamInfo> DynamoDbService::list_streams(const CallContext& ctx, std::string_view table) const {
  std::shared_lock lock(mutex());
  std::vector<StreamInfo> out;
  if (const PartitionState* p = state().partition(ctx))
    for (auto& [name, t] : p->tables)
      if (!t.desc.stream_view_type().empty() && (table.empty() || table == name)) out.push_back(info_of(ctx, t));
  return out;
}

std::optional<StreamInfo> DynamoDbService::describe_stream(const CallContext& ctx, std::string_view arn) const {
  std::shared_lock lock(mutex());
  const TableState* t = by_stream(state(), ctx, arn);
  if (!t) return std::nullopt;
  return info_of(ctx, *t);
}

std::optional<StreamInfo> DynamoDbService::read_records(const CallContext& ctx, std::string_view arn, std::string_view from,
                                                        const std::function<bool(const StreamRecord&)>& visit) const {
  std::shared_lock lock(mutex());
  const TableState* t = by_stream(state(), ctx, arn);
  if (!t) return std::nullopt;
  auto it = std::lower_bound(t->stream.begin(), t->stream.end(), from,
                             [](const StreamRecord& r, std::string_view s) { return r.sequence_number() < s; });
  for (; it != t->stream.end(); ++it)
    if (!visit(*it)) break;
  return info_of(ctx, *t);
}

}  // namespace podstack::dynamodb
