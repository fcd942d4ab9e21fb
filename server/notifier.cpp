#include "server/notifier.h"

#include <algorithm>

namespace podstack {

uint64_t Notifier::count(const std::string& key) const {
  std::lock_guard lk(mu_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

void Notifier::notify(const std::string& key) {
  std::vector<Waiter> woken;
  {
    std::lock_guard lk(mu_);
    ++counts_[key];
    auto it = waiters_.find(key);
    if (it == waiters_.end()) return;
    woken = std::move(it->second);
    waiters_.erase(it);
    for (auto& w : woken) keys_.erase(w.id);
  }
  for (auto& w : woken) w.wake();
}

uint64_t Notifier::wait(const std::string& key, uint64_t seen, Wake wake) {
  uint64_t id;
  {
    std::lock_guard lk(mu_);
    id = next_id_++;
    auto it = counts_.find(key);
    uint64_t now = it == counts_.end() ? 0 : it->second;
    if (!shut_ && now == seen) {
      waiters_[key].push_back(Waiter{id, std::move(wake)});
      keys_[id] = key;
      return id;
    }
  }
  wake();
  return id;
}

void Notifier::cancel(uint64_t id) {
  std::lock_guard lk(mu_);
  auto k = keys_.find(id);
  if (k == keys_.end()) return;
  auto it = waiters_.find(k->second);
  if (it != waiters_.end()) {
    auto& v = it->second;
    v.erase(std::remove_if(v.begin(), v.end(), [id](const Waiter& w) { return w.id == id; }), v.end());
    if (v.empty()) waiters_.erase(it);
  }
  keys_.erase(k);
}

size_t Notifier::waiting() const {
  std::lock_guard lk(mu_);
  return keys_.size();
}

void Notifier::notify_all() {
  std::vector<Waiter> woken;
  {
    std::lock_guard lk(mu_);
    for (auto& [k, v] : waiters_) {
      ++counts_[k];
      for (auto& w : v) woken.push_back(std::move(w));
    }
    waiters_.clear();
    keys_.clear();
  }
  for (auto& w : woken) w.wake();
}

void Notifier::shutdown() {
  std::vector<Waiter> woken;
  {
    std::lock_guard lk(mu_);
    shut_ = true;
    for (auto& [k, v] : waiters_)
      for (auto& w : v) woken.push_back(std::move(w));
    waiters_.clear();
    keys_.clear();
  }
  for (auto& w : woken) w.wake();
}

}  // namespace podstack
