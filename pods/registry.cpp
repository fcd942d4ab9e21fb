#include "pods/registry.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>

namespace podstack::pods {
namespace fs = std::filesystem;

Status validate_pod_name(const std::string& name) {
  if (name.empty() || name.size() > 128)
    return Status::invalid_argument("a pod name has 1 to 128 characters");
  if (name[0] == '.') return Status::invalid_argument("a pod name cannot start with '.': " + name);
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return Status::invalid_argument("a pod name may only contain letters, digits, '.', '_' and '-': " + name);
  return Status::ok();
}

Result<PodRef> parse_pod_ref(const std::string& text) {
  PodRef ref;
  size_t colon = text.rfind(':');
  ref.name = text.substr(0, colon);
  if (colon != std::string::npos) {
    std::string v = text.substr(colon + 1);
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos || std::stoull(v) == 0)
      return Status::invalid_argument("'" + v + "' is not a pod version (1, 2, ...)");
    ref.version = std::stoull(v);
  }
  if (Status st = validate_pod_name(ref.name); !st) return st;
  return ref;
}

Registry::Registry(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return;
  for (auto& d : fs::directory_iterator(root_, ec))
    for (auto& f : fs::directory_iterator(d.path(), ec))
      if (is_stale_partial(f.path().filename().string())) fs::remove(f.path(), ec);
}

std::string version_file_name(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu.pod", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<uint64_t> parse_version_file(const std::string& fn) {
  if (fn.size() == 10 && fn.substr(6) == ".pod" && fn.find_first_not_of("0123456789") == 6 && fn.substr(0, 6) != "000000")
    return std::stoull(fn.substr(0, 6));
  return std::nullopt;
}

std::string Registry::file(const std::string& name, uint64_t v) const { return dir(name) + "/" + version_file_name(v); }

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& d : fs::directory_iterator(root_, ec))
    if (d.is_directory() && validate_pod_name(d.path().filename().string()) && !versions(d.path().filename().string()).empty())
      out.push_back(d.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint64_t> Registry::versions(const std::string& name) const {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (auto& f : fs::directory_iterator(dir(name), ec)) {
    if (auto v = parse_version_file(f.path().filename().string())) out.push_back(*v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> Registry::resolve(const PodRef& ref, uint64_t* version_out) const {
  auto vs = versions(ref.name);
  if (vs.empty()) return Status::not_found("there is no pod named '" + ref.name + "' in " + root_);
  uint64_t v = ref.version.value_or(vs.back());
  if (std::find(vs.begin(), vs.end(), v) == vs.end())
    return Status::not_found("pod '" + ref.name + "' has no version " + std::to_string(v) + " (it has 1.." +
                             std::to_string(vs.back()) + ")");
  if (version_out) *version_out = v;
  return file(ref.name, v);
}

Result<uint64_t> Registry::add(PodContent& pod, Progress* progress) {
  const std::string& name = pod.header.name();
  if (Status st = validate_pod_name(name); !st) return st;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto vs = versions(name);
    uint64_t v = vs.empty() ? 1 : vs.back() + 1;
    pod.header.set_version(v);
    Status st = write_file_atomic(file(name, v), encode_pod(pod), /*no_replace=*/true, progress);
    if (st) return v;
    if (st.code() != Status::Code::kBusy) return st;  // busy: another saver took v; try the next
  }
  return Status::busy("could not allocate a version for pod '" + name + "'");
}

Result<std::unique_ptr<PodWriter>> Registry::begin(const proto::PodHeader& header, std::string_view state,
                                                   Progress* progress) {
  if (Status st = validate_pod_name(header.name()); !st) return st;
  // Unique within the process too: a server saves several pods at once.
  static std::atomic<uint64_t> counter{0};
  std::string partial = partial_path(dir(header.name()) + "/new-" + std::to_string(++counter) + ".pod");
  return PodWriter::create(partial, header, state, progress);
}

Result<uint64_t> Registry::publish(PodWriter& writer) {
  const std::string& name = writer.header().name();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto vs = versions(name);
    uint64_t v = vs.empty() ? 1 : vs.back() + 1;
    Status st = writer.publish(file(name, v), v, /*no_replace=*/true);
    if (st) return v;
    if (st.code() != Status::Code::kBusy) return st;  // busy: another saver took v; try the next
  }
  return Status::busy("could not allocate a version for pod '" + name + "'");
}

Status Registry::remove(const PodRef& ref) {
  std::error_code ec;
  if (ref.version) {
    auto path = resolve(ref);
    if (!path) return path.status();
    fs::remove(*path, ec);
  } else {
    if (versions(ref.name).empty()) return Status::not_found("there is no pod named '" + ref.name + "'");
    fs::remove_all(dir(ref.name), ec);
  }
  return ec ? Status::io_error(ec.message()) : Status::ok();
}

}  // namespace podstack::pods
