// SQS state: per (account, region), queues by name, each with its messages
// in enqueue order. SqsState::apply is the only code that changes it (live
// and in replay); the handlers read it through the const accessors.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/unordered/unordered_flat_map.hpp>

#include "proto/sqs.pb.h"
#include "server/service.h"
#include "server/services/sqs/sqs_util.h"

namespace podstack::sqs {

struct QueueState {
  sqs::Queue meta;                                  // without messages and dedup (those below)
  std::map<uint64_t, sqs::Message> messages;        // by seq
  // message id -> seq. The keys view the message_id of the message in
  // `messages` (map nodes never move), so an id is stored once; a flat table
  // because this index is touched by every send, receive and delete.
  boost::unordered_flat_map<std::string_view, uint64_t, std::hash<std::string_view>> by_id;
  std::map<std::string, sqs::Dedup> dedup;          // by dedup id
  std::deque<std::pair<int64_t, std::string>> dedup_expiry;  // (expires, id) in insertion = expiry order
  std::unordered_map<std::string, uint32_t> groups;  // messages per non-empty group id (derived: lets a FIFO scan stop early)
  // Derived from meta's attributes by refresh(): read for every message.
  bool is_fifo = false;
  int64_t retention = 0;  // ms

  QueueState() = default;
  QueueState(QueueState&&) = default;
  QueueState& operator=(QueueState&&) = default;
  QueueState(const QueueState&) = delete;  // by_id would view the other copy's ids
  QueueState& operator=(const QueueState&) = delete;

  // The only ways messages enter and leave, so by_id and groups stay exact.
  void put(sqs::Message m) {
    uint64_t seq = m.seq();
    // Seqs grow per queue, so the hint is exact for every new message.
    auto it = messages.emplace_hint(messages.end(), seq, std::move(m));
    by_id[it->second.message_id()] = seq;
    if (!it->second.group_id().empty()) ++groups[it->second.group_id()];
  }
  std::optional<sqs::Message> take(std::string_view id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return std::nullopt;
    auto mit = messages.find(it->second);
    by_id.erase(it);
    sqs::Message m = std::move(mit->second);
    messages.erase(mit);
    if (auto g = groups.find(m.group_id()); g != groups.end() && --g->second == 0) groups.erase(g);
    return m;
  }
  void clear_messages() {
    by_id.clear();
    messages.clear();
    groups.clear();
  }
  // After meta's attributes change.
  void refresh() {
    is_fifo = is_true(attr("FifoQueue"));
    retention = attr_int("MessageRetentionPeriod") * 1000;
  }

  std::string attr(std::string_view n) const {
    auto it = meta.attributes().find(std::string(n));
    if (it != meta.attributes().end()) return it->second;
    const AttrSpec* s = attr_spec(n);
    return s ? std::string(s->def) : std::string();
  }
  int64_t attr_int(std::string_view n) const { return std::strtoll(attr(n).c_str(), nullptr, 10); }
  bool fifo() const { return is_fifo; }
  int64_t retention_ms() const { return retention; }
  bool expired(const sqs::Message& m, int64_t now) const { return m.sent_ms() + retention_ms() <= now; }
  const sqs::Message* find(std::string_view id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : &messages.at(it->second);
  }
};

struct QueuePartition {
  std::map<std::string, QueueState, std::less<>> queues;
};

// The key a FIFO message's deduplication id is remembered under.
std::string dedup_key(const QueueState& q, const std::string& group, const std::string& id);

class SqsState {
 public:
  using Event = sqs::Event;
  using Snapshot = sqs::State;

  // Consumes ev's messages.
  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() { parts_.clear(); }
  uint64_t resource_count() const {
    return parts_.count([](const QueuePartition& p) { return p.queues.size(); });
  }
  std::string summarize(const Event& ev) const;

  const QueuePartition* part(const CallContext& ctx) const { return parts_.find(ctx); }
  const QueueState* find(const CallContext& ctx, std::string_view name) const {
    const QueuePartition* p = part(ctx);
    if (!p) return nullptr;
    auto it = p->queues.find(name);
    return it == p->queues.end() ? nullptr : &it->second;
  }

 private:
  static void prune(QueueState& q, int64_t now);
  static void enqueue(QueueState& q, sqs::Message&& in, int64_t now);
  static void move_in(QueueState& q, sqs::Message m, int64_t now);

  Partitions<QueuePartition> parts_;
};

}  // namespace podstack::sqs
