// Errors as values for every layer: a typed code the CLI can turn into one
// sentence, plus a detail message. Modelled on rocksdb::Status, smaller.
// An error is never dropped silently: ignoring one is spelled
// `.ignore_error()`, so every such place can be searched for.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace podstack {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kNotFound, kCorruption, kChecksumMismatch, kUnsupportedVersion, kIoError, kInvalidArgument, kBusy, kNoSpace };

  Status() = default;
  static Status ok() { return {}; }
  static Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status checksum_mismatch(std::string m) { return {Code::kChecksumMismatch, std::move(m)}; }
  static Status unsupported_version(std::string m) { return {Code::kUnsupportedVersion, std::move(m)}; }
  static Status io_error(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  // The data dir's file system is (nearly) full: writes wait for space.
  static Status no_space(std::string m) { return {Code::kNoSpace, std::move(m)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const;
  // The same error with context in front: "AUTO_LOAD_POD: " + message.
  Status with_prefix(const std::string& p) const { return is_ok() ? *this : Status(code_, p + message_); }
  // Explicit, greppable "I checked and chose to ignore this".
  void ignore_error() const {}

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

inline std::string Status::to_string() const {
  const char* name = "ok";
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kNotFound: name = "not found"; break;
    case Code::kCorruption: name = "corruption"; break;
    case Code::kChecksumMismatch: name = "checksum mismatch"; break;
    case Code::kUnsupportedVersion: name = "unsupported version"; break;
    case Code::kIoError: name = "I/O error"; break;
    case Code::kInvalidArgument: name = "invalid argument"; break;
    case Code::kBusy: name = "busy"; break;
    case Code::kNoSpace: name = "no space"; break;
  }
  return std::string(name) + ": " + message_;
}

// A value or a Status: the minimal std::expected we need on C++20.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  // An error. An OK status holds no value, so a Result made from one would
  // claim success and have nothing to give: it becomes an error that says so.
  Result(Status s) : v_(s.is_ok() ? Status::invalid_argument("a Result was made from an OK status (a podstack bug)") : std::move(s)) {}
  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Status& status() const { static const Status kOk; return is_ok() ? kOk : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace podstack
