// SES state, per (account, region): identities, templates, configuration
// sets, the mail sent (GET /_aws/ses, LocalStack's view), sending
// statistics in 15-minute buckets and the SMTP relays not yet done. The
// snapshot holds items "active-receipt-rule-set", "configuration-set/NAME",
// "contact-list/NAME" (with its contacts), "dedicated-ip-pool/NAME",
// "identity/NAME", "message/ID", "receipt-rule-set/NAME", "relay/ID",
// "statistics" and "template/NAME" (proto/ses.proto). SesState::apply is the only code that changes them.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proto/ses.pb.h"
#include "server/service.h"

namespace podstack::ses {

constexpr int64_t kBucketMs = 15 * 60 * 1000;                   // GetSendStatistics granularity
constexpr int64_t kStatisticsKeptMs = 14LL * 24 * 3600 * 1000;  // AWS reports two weeks

struct SesPartition {
  // Account-level settings (issue 18); absent: AWS's defaults. Snapshot item "settings".
  std::optional<AccountSettings> account;
  std::map<std::string, Identity, std::less<>> identities;
  std::map<std::string, Template, std::less<>> templates;
  std::map<std::string, ConfigurationSet, std::less<>> config_sets;
  std::map<std::string, SentMessage, std::less<>> messages;  // ids sort by time
  std::map<std::string, Relay, std::less<>> relays;
  std::map<int64_t, int64_t> buckets;  // 15-minute bucket start -> recipients
  // v2 contact lists (without their contacts) and each list's contacts by address.
  std::map<std::string, ContactList, std::less<>> contact_lists;
  std::map<std::string, std::map<std::string, Contact, std::less<>>, std::less<>> contacts;
  std::map<std::string, ReceiptRuleSet, std::less<>> rule_sets;
  std::string active_rule_set;
  std::map<std::string, DedicatedIpPool, std::less<>> ip_pools;
};

class SesState {
 public:
  using Event = ses::Event;
  using Snapshot = ses::State;
  using Partitions = podstack::Partitions<SesPartition>;

  void apply(const proto::Event& envelope, Event& ev);
  std::string snapshot() const;
  Status restore(std::string_view bytes);
  void clear() { parts_.clear(); }
  uint64_t resource_count() const;
  std::string summarize(const Event& ev) const;

  const SesPartition* find(const CallContext& ctx) const { return parts_.find(ctx); }
  const Partitions& partitions() const { return parts_; }

 private:
  Partitions parts_;
};

}  // namespace podstack::ses
