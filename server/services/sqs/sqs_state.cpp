// SQS state: apply (the only mutation), snapshots and the log summary.
#include "server/services/sqs/sqs_state.h"

#include <algorithm>

namespace podstack::sqs {

std::string dedup_key(const QueueState& q, const std::string& group, const std::string& id) {
  return q.attr("DeduplicationScope") == "messageGroup" ? group + "\n" + id : id;
}

void SqsState::apply(const proto::Event& e, Event& ev) {
  QueuePartition& part = parts_.get(e);
  const int64_t now = e.time_ms();
  auto queue = [&](const std::string& n) -> QueueState* {
    auto it = part.queues.find(n);
    if (it == part.queues.end()) return nullptr;
    prune(it->second, now);
    return &it->second;
  };
  switch (ev.kind_case()) {
    case sqs::Event::kCreated: {
      QueueState& q = part.queues[ev.created().queue().name()];
      q = QueueState{};
      q.meta = ev.created().queue();
      q.meta.clear_messages();
      q.meta.clear_dedup();
      q.refresh();
      break;
    }
    case sqs::Event::kDeleted:
      part.queues.erase(ev.deleted().name());
      break;
    case sqs::Event::kAttributesSet:
      if (QueueState* q = queue(ev.attributes_set().name())) {
        for (auto& [k, v] : ev.attributes_set().attributes()) {
          if (v.empty() && (k == "RedrivePolicy" || k == "Policy" || k == "RedriveAllowPolicy" || k == "KmsMasterKeyId"))
            q->meta.mutable_attributes()->erase(k);
          else
            (*q->meta.mutable_attributes())[k] = v;
        }
        q->meta.set_modified_ms(now);
        q->refresh();
      }
      break;
    case sqs::Event::kTags:
      if (QueueState* q = queue(ev.tags().name())) {
        for (auto& [k, v] : ev.tags().set()) (*q->meta.mutable_tags())[k] = v;
        for (auto& k : ev.tags().removed()) q->meta.mutable_tags()->erase(k);
      }
      break;
    case sqs::Event::kPurged:
      if (QueueState* q = queue(ev.purged().name())) {
        q->clear_messages();
        q->meta.set_purged_ms(now);
      }
      break;
    case sqs::Event::kSent:
      if (QueueState* q = queue(ev.sent().queue()))
        for (auto& m : *ev.mutable_sent()->mutable_messages()) enqueue(*q, std::move(m), now);
      break;
    case sqs::Event::kReceived: {
      QueueState* q = queue(ev.received().queue());
      if (!q) break;
      for (auto& r : ev.received().received()) {
        auto it = q->by_id.find(r.message_id());
        if (it == q->by_id.end()) continue;
        sqs::Message& m = q->messages.at(it->second);
        m.set_receive_count(m.receive_count() + 1);
        if (!m.first_receive_ms()) m.set_first_receive_ms(now);
        m.set_receipt_handle(r.receipt_handle());
        m.set_visible_at_ms(r.visible_at_ms());
      }
      for (auto& mv : ev.received().moved()) {
        auto m = q->take(mv.message_id());
        if (!m) continue;
        if (QueueState* dlq = queue(mv.dlq())) {
          m->set_dead_letter_source_arn(arn_of(e.region(), e.account(), ev.received().queue()));
          move_in(*dlq, std::move(*m), now);
        }
      }
      break;
    }
    case sqs::Event::kMessagesDeleted:
      if (QueueState* q = queue(ev.messages_deleted().queue()))
        for (auto& id : ev.messages_deleted().message_ids()) q->take(id);
      break;
    case sqs::Event::kVisibility:
      if (QueueState* q = queue(ev.visibility().queue()))
        for (auto& c : ev.visibility().changes()) {
          auto it = q->by_id.find(c.message_id());
          if (it != q->by_id.end()) q->messages.at(it->second).set_visible_at_ms(c.visible_at_ms());
        }
      break;
    case sqs::Event::kMoveTask: {
      const auto& run = ev.move_task();
      QueueState* src = queue(run.source());
      if (!src) break;
      for (auto& mv : run.moves()) {
        auto m = src->take(mv.message_id());
        if (!m) continue;
        if (QueueState* dst = queue(mv.destination())) {
          m->clear_dead_letter_source_arn();
          move_in(*dst, std::move(*m), now);
        }
      }
      *src->meta.add_move_tasks() = run.task();
      if (src->meta.move_tasks_size() > 10) src->meta.mutable_move_tasks()->DeleteSubrange(0, 1);
      break;
    }
    case sqs::Event::kMoveTaskCancelled:
      if (QueueState* q = queue(ev.move_task_cancelled().source()))
        for (auto& t : *q->meta.mutable_move_tasks())
          if (t.task_handle() == ev.move_task_cancelled().task_handle()) t.set_status("CANCELLED");
      break;
    case sqs::Event::kPermission:
      if (QueueState* q = queue(ev.permission().name())) {
        if (ev.permission().policy().empty())
          q->meta.mutable_attributes()->erase("Policy");
        else
          (*q->meta.mutable_attributes())["Policy"] = std::move(*ev.mutable_permission()->mutable_policy());
        q->meta.set_modified_ms(now);
      }
      break;
    case sqs::Event::KIND_NOT_SET:
      throw std::runtime_error("empty sqs event");
  }
}

std::string SqsState::snapshot() const {
  PartitionWriter w;  // encodes sqs::State
  for (auto& [key, part] : parts_) {
    w.begin(key.first, key.second);
    for (auto& [n, q] : part.queues) {
      sqs::Queue full = q.meta;
      full.mutable_messages()->Reserve(static_cast<int>(q.messages.size()));
      for (auto& [seq, m] : q.messages) *full.add_messages() = m;
      for (auto& [id, dd] : q.dedup) *full.add_dedup() = dd;
      w.item(full);
    }
  }
  return w.finish();
}

Status SqsState::restore(std::string_view bytes) {
  sqs::State st;
  if (!st.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Status::corruption("sqs state does not parse");
  parts_.clear();
  for (auto& p : st.partitions()) {
    QueuePartition& part = parts_.get(p.account(), p.region());
    for (auto& full : p.queues()) {
      QueueState& q = part.queues[full.name()];
      q.meta = full;
      q.meta.clear_messages();
      q.meta.clear_dedup();
      q.refresh();
      for (auto& m : full.messages()) q.put(m);
      for (auto& dd : full.dedup()) {
        q.dedup[dd.dedup_id()] = dd;
        q.dedup_expiry.emplace_back(dd.expires_ms(), dd.dedup_id());
      }
      std::sort(q.dedup_expiry.begin(), q.dedup_expiry.end());
    }
  }
  return Status::ok();
}

std::string SqsState::summarize(const Event& ev) const {
  switch (ev.kind_case()) {
    case sqs::Event::kCreated: return "queue=" + ev.created().queue().name();
    case sqs::Event::kDeleted: return "queue=" + ev.deleted().name();
    case sqs::Event::kAttributesSet: return "queue=" + ev.attributes_set().name();
    case sqs::Event::kTags: return "queue=" + ev.tags().name();
    case sqs::Event::kPurged: return "queue=" + ev.purged().name();
    case sqs::Event::kSent: return "queue=" + ev.sent().queue() + " sent=" + std::to_string(ev.sent().messages_size());
    case sqs::Event::kReceived:
      return "queue=" + ev.received().queue() + " received=" + std::to_string(ev.received().received_size()) +
             (ev.received().moved_size() ? " to-dlq=" + std::to_string(ev.received().moved_size()) : "");
    case sqs::Event::kMessagesDeleted:
      return "queue=" + ev.messages_deleted().queue() + " deleted=" + std::to_string(ev.messages_deleted().message_ids_size());
    case sqs::Event::kVisibility: return "queue=" + ev.visibility().queue() + " changed=" + std::to_string(ev.visibility().changes_size());
    case sqs::Event::kMoveTask: return "queue=" + ev.move_task().source() + " moved=" + std::to_string(ev.move_task().moves_size());
    case sqs::Event::kMoveTaskCancelled: return "queue=" + ev.move_task_cancelled().source();
    case sqs::Event::kPermission:
      return "queue=" + ev.permission().name() + (ev.permission().removed() ? " permission-" : " permission+") + ev.permission().label();
    default: return {};
  }
}

// ---- apply helpers ----
// Drops expired messages from the head of the queue and expired dedup
// entries: O(what expired), so every event stays cheap on a long queue. A
// message behind a younger one (moved into a DLQ keeps its sent time) goes
// when it reaches the head; decide() already treats it as gone.
void SqsState::prune(QueueState& q, int64_t now) {
  int64_t keep = q.retention_ms();
  while (!q.messages.empty() && q.messages.begin()->second.sent_ms() + keep <= now) {
    q.take(q.messages.begin()->second.message_id());
  }
  while (!q.dedup_expiry.empty() && q.dedup_expiry.front().first <= now) {
    auto it = q.dedup.find(q.dedup_expiry.front().second);
    if (it != q.dedup.end() && it->second.expires_ms() <= now) q.dedup.erase(it);
    q.dedup_expiry.pop_front();
  }
}
void SqsState::enqueue(QueueState& q, sqs::Message&& in, int64_t now) {
  uint64_t seq = q.meta.next_seq() + 1;
  q.meta.set_next_seq(seq);
  sqs::Message m = std::move(in);
  m.set_seq(seq);
  if (q.fifo()) {
    m.set_sequence_number(sequence_number(seq));
    if (!m.dedup_id().empty()) {
      sqs::Dedup& dd = q.dedup[dedup_key(q, m.group_id(), m.dedup_id())];
      dd.set_dedup_id(dedup_key(q, m.group_id(), m.dedup_id()));
      dd.set_message_id(m.message_id());
      dd.set_sequence_number(m.sequence_number());
      dd.set_expires_ms(now + kDedupWindowMs);
      q.dedup_expiry.emplace_back(dd.expires_ms(), dd.dedup_id());
    }
  }
  q.put(std::move(m));
}
void SqsState::move_in(QueueState& q, sqs::Message m, int64_t now) {
  uint64_t seq = q.meta.next_seq() + 1;
  q.meta.set_next_seq(seq);
  m.set_seq(seq);
  m.set_visible_at_ms(now);
  m.set_receive_count(0);
  m.set_first_receive_ms(0);
  m.clear_receipt_handle();
  if (q.fifo()) m.set_sequence_number(sequence_number(seq));
  q.put(std::move(m));
}

}  // namespace podstack::sqs
