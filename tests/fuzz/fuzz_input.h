// Small readers for the line-based input formats of the fuzz targets: a
// fuzzer mutates text it can read back as "first line, header lines, blank
// line, body" far better than a packed binary layout.
#pragma once
#include <boost/beast/http/fields.hpp>
#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>
#include <cstddef>
#include <memory>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "store/event_store.h"

namespace podstack::fuzz {

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The text up to the next '\n' (a trailing '\r' dropped); `in` moves past it.
inline std::string_view take_line(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view l = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

// "Name: value" lines up to a blank line (or the end). A line without ':'
// is handed to `other` (targets give some lines a meaning of their own).
template <class Other>
void take_headers(std::string_view& in, boost::beast::http::fields& out, Other&& other) {
  while (!in.empty()) {
    std::string_view l = take_line(in);
    if (l.empty()) break;
    size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      other(l);
      continue;
    }
    std::string_view v = l.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    out.insert(boost::beast::string_view(l.data(), colon), boost::beast::string_view(v.data(), v.size()));
  }
}
inline void take_headers(std::string_view& in, boost::beast::http::fields& out) {
  take_headers(in, out, [](std::string_view) {});
}

// Protobuf logs every string field with invalid UTF-8 it meets, the engine
// every checkpoint it skips: from a fuzzer, thousands of lines that slow it
// down and say nothing the checks do not.
inline void quiet_logs() {
  static bool done = [] {
    google::protobuf::SetLogHandler(nullptr);
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)done;
}

// The invariant checks trap with a line saying what broke: the fuzzer's
// crash report then says more than "trap".
[[noreturn]] inline void violated(const std::string& what) {
  std::fprintf(stderr, "==fuzz== ERROR: invariant violated: %s\n", what.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

// One in-memory event store per process, for targets that feed S3's body
// receivers (they write chunks into a store).
inline EventStore& memory_store() {
  static std::unique_ptr<EventStore> s = [] {
    StoreOptions o;
    o.in_memory = true;
    auto r = EventStore::open(o);
    if (!r) violated("the in-memory store does not open");
    return std::move(*r);
  }();
  return *s;
}

}  // namespace podstack::fuzz
