// DynamoDB's state: apply (the only mutation), snapshot and restore.
#include "server/services/dynamodb/dynamodb_state.h"

#include <algorithm>
#include <stdexcept>

namespace podstack::dynamodb {

void PartitionState::remember(const ClientToken& tok) {
  auto [it, fresh] = tokens.try_emplace(tok.token(), tok);
  if (!fresh) {
    token_times.erase({it->second.time_ms(), it->first});
    it->second = tok;
  }
  token_times.emplace(tok.time_ms(), tok.token());
}

void PartitionState::forget_tokens(int64_t now_ms) {
  while (!token_times.empty() && token_times.begin()->first + kTokenWindowMs <= now_ms) {
    tokens.erase(token_times.begin()->second);
    token_times.erase(token_times.begin());
  }
}

void DynamoDbState::apply(const proto::Event& e, Event& ev) {
  PartitionState& part = parts_.get(e);
  switch (ev.kind_case()) {
    case Event::kCreated: {
      TableState& t = part.tables[ev.created().desc().name()];
      t = TableState{};
      t.desc = std::move(*ev.mutable_created()->mutable_desc());
      t.configure();
      count_ttl_tables();
      break;
    }
    case Event::kDeleted:
      part.tables.erase(ev.deleted().name());
      count_ttl_tables();
      break;
    case Event::kUpdated: {
      auto it = part.tables.find(ev.updated().desc().name());
      if (it == part.tables.end()) break;
      // A new stream (or none) starts without the old stream's records.
      if (it->second.desc.stream_label() != ev.updated().desc().stream_label() || ev.updated().desc().stream_view_type().empty())
        it->second.stream.clear();
      it->second.desc = std::move(*ev.mutable_updated()->mutable_desc());
      it->second.configure();
      count_ttl_tables();
      break;
    }
    case Event::kItems: {
      // Tokens older than the window are forgotten as time passes, by the
      // events' own times, so replay forgets exactly the same ones.
      part.forget_tokens(e.time_ms());
      if (!ev.items().client_token().empty()) {
        ClientToken tok;
        tok.set_token(ev.items().client_token());
        tok.set_digest(ev.items().request_digest());
        tok.set_time_ms(e.time_ms());
        part.remember(tok);
      }
      int index = 0;
      for (auto& w : *ev.mutable_items()->mutable_writes()) {
        auto it = part.tables.find(w.table());
        if (it == part.tables.end()) continue;
        Item item;
        item.ParseFromString(w.item());
        it->second.record(item, w.deleted(), e.sequence(), index++, e.time_ms(), w.by_ttl());
        if (w.deleted()) it->second.erase(it->second.key_of(item));
        else it->second.put(item, std::move(*w.mutable_item()));
      }
      break;
    }
    case Event::kContinuousBackups: {
      auto it = part.tables.find(ev.continuous_backups().name());
      if (it == part.tables.end()) break;
      TableDescription& d = it->second.desc;
      const bool was = d.pitr_enabled();
      d.set_pitr_enabled(ev.continuous_backups().pitr_enabled());
      d.set_pitr_recovery_days(ev.continuous_backups().pitr_enabled() ? ev.continuous_backups().recovery_days() : 0);
      if (!d.pitr_enabled()) d.set_pitr_enabled_at(0);
      else if (!was) d.set_pitr_enabled_at(static_cast<double>(e.time_ms()) / 1000);
      break;
    }
    case Event::KIND_NOT_SET: throw std::runtime_error("empty dynamodb event");
  }
}

std::string DynamoDbState::snapshot() const {
  PartitionWriter w;
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [n, t] : part.tables) {
      Table msg;
      *msg.mutable_desc() = t.desc;
      msg.mutable_items()->Reserve(static_cast<int>(t.items.size()));
      for (auto& [pk, b] : t.items) msg.add_items(b);
      for (auto& r : t.stream) *msg.add_stream() = r;
      w.item(msg);
    }
    for (auto& [tok, msg] : part.tokens) w.field(4, msg);
  }
  return w.finish();
}

Status DynamoDbState::restore(std::string_view bytes) {
  State st;
  if (Status s = parse_snapshot(bytes, st, "dynamodb"); !s.is_ok()) return s;
  parts_.clear();
  for (auto& p : st.partitions()) {
    PartitionState& part = parts_.get(p.account(), p.region());
    for (auto& tm : p.tables()) {
      TableState& t = part.tables[tm.desc().name()];
      t.desc = tm.desc();
      t.configure();
      for (auto& b : tm.items()) {
        Item item;
        item.ParseFromString(b);
        t.put(item, b);
      }
      t.stream.assign(tm.stream().begin(), tm.stream().end());
    }
    for (auto& tok : p.tokens()) part.remember(tok);
  }
  count_ttl_tables();
  return Status::ok();
}

void DynamoDbState::count_ttl_tables() {
  ttl_tables_ = parts_.count([](const PartitionState& p) {
    return std::count_if(p.tables.begin(), p.tables.end(), [](auto& t) { return !t.second.ttl_indexed.empty(); });
  });
}

uint64_t DynamoDbState::resource_count() const {
  return parts_.count([](const PartitionState& p) { return p.tables.size(); });
}

std::string DynamoDbState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case Event::kCreated: return "table=" + ev.created().desc().name() + " created";
    case Event::kDeleted: return "table=" + ev.deleted().name() + " deleted";
    case Event::kUpdated: return "table=" + ev.updated().desc().name() + " updated";
    case Event::kContinuousBackups:
      return "table=" + ev.continuous_backups().name() + " point-in-time recovery " +
             (ev.continuous_backups().pitr_enabled() ? "enabled" : "disabled");
    case Event::kItems: {
      std::string s = ev.items().client_token().empty() ? "items" : "transaction token=" + ev.items().client_token() + " items";
      int puts = 0, dels = 0, expired = 0;
      for (auto& w : ev.items().writes()) (w.by_ttl() ? expired : w.deleted() ? dels : puts)++;
      if (expired) return "items expired by time to live=" + std::to_string(expired) + " table=" + ev.items().writes(0).table();
      return s + " written=" + std::to_string(puts) + " deleted=" + std::to_string(dels) +
             (ev.items().writes_size() ? " table=" + ev.items().writes(0).table() : "");
    }
    default: return {};
  }
}

}  // namespace podstack::dynamodb
