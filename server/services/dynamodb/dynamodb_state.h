// DynamoDB's state: per (account, region), the tables (items, indexes,
// stream records: table.h) and the ClientRequestTokens of recent
// transactions. The only code of the service that changes anything.
//
// Events carry resulting item images (ItemsWritten), never expressions:
// apply() only stores bytes and maintains indexes, and replay never
// re-evaluates an expression. A batch or a transaction is one event,
// applied as a whole.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "proto/dynamodb.pb.h"
#include "server/service.h"
#include "server/services/dynamodb/table.h"

namespace podstack::dynamodb {

constexpr int64_t kTokenWindowMs = 10 * 60 * 1000;  // a ClientRequestToken is remembered for 10 minutes

struct PartitionState {
  std::map<std::string, TableState, std::less<>> tables;
  // TransactWriteItems ClientRequestTokens, and the same ordered by time so
  // that forgetting the old ones costs only what is forgotten.
  std::map<std::string, ClientToken, std::less<>> tokens;
  std::set<std::pair<int64_t, std::string>> token_times;

  void remember(const ClientToken& tok);
  // Forgets the tokens whose window has closed by `now_ms` (an event's time).
  void forget_tokens(int64_t now_ms);
};

class DynamoDbState {
 public:
  using Event = ::podstack::dynamodb::Event;
  using Snapshot = ::podstack::dynamodb::State;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() {
    parts_.clear();
    ttl_tables_ = 0;
  }
  uint64_t resource_count() const;
  std::string summarize(const Event& ev) const;

  const PartitionState* partition(const CallContext& ctx) const { return parts_.find(ctx); }
  const Partitions<PartitionState>& partitions() const { return parts_; }
  // Tables with time to live enabled, in every partition (0: nothing can
  // come due, the common case, answered without a walk).
  uint64_t ttl_tables() const { return ttl_tables_; }
  const TableState* find_table(const CallContext& ctx, std::string_view name) const {
    const PartitionState* p = parts_.find(ctx);
    if (!p) return nullptr;
    auto it = p->tables.find(name);
    return it == p->tables.end() ? nullptr : &it->second;
  }

 private:
  void count_ttl_tables();

  Partitions<PartitionState> parts_;
  uint64_t ttl_tables_ = 0;
};

}  // namespace podstack::dynamodb
