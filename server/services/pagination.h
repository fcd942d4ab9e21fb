// MaxResults/NextToken paging over a sorted key space, shared by services.
// The token is the last key returned, base64-encoded: stable while other
// clients add or remove entries, and opaque to clients as AWS's are.
#pragma once
#include <string>

#include "server/protocol/encoding.h"
#include "server/service.h"

namespace podstack {

class Page {
 public:
  Page(const Input& in, int64_t default_max, std::string_view max_member = "MaxResults",
       std::string_view token_member = "NextToken")
      : max_(in.opt_int(max_member).value_or(default_max)) {
    if (auto tok = in.opt_str(token_member); tok && !tok->empty()) {
      auto raw = protocol::base64_decode(*tok);
      if (!raw || raw->rfind("ps1:", 0) != 0) throw ApiError::validation("The nextToken is not valid.");
      after_ = raw->substr(4);
    }
  }
  // Keys strictly after this one are on the page ("" = from the start).
  const std::string& after() const { return after_; }
  // Call before adding an item with `key`; true when the page is full (and
  // records that a next page starts after the last added key).
  bool full(size_t count, const std::string& key) {
    if (static_cast<int64_t>(count) < max_) {
      last_ = key;
      return false;
    }
    more_ = true;
    return true;
  }
  void emit(json::object& out, std::string_view token_member = "NextToken") const {
    if (more_) out[token_member] = protocol::base64_encode("ps1:" + last_);
  }

 private:
  int64_t max_;
  std::string after_, last_;
  bool more_ = false;
};

}  // namespace podstack
