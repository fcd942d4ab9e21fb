// The local pod registry: DATA_DIR/pods/NAME/000001.pod, 000002.pod, ...
// Version numbers are taken with link(2), which fails if the file exists, so
// concurrent savers never share a version; `.partial` files are never
// listed, and those left by a crashed writer (its pid gone) are removed when
// the registry is opened.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pods/pod_file.h"

namespace podstack::pods {

struct PodRef {
  std::string name;
  std::optional<uint64_t> version;  // none: the newest
  std::string to_string() const { return version ? name + ":" + std::to_string(*version) : name; }
};

// Pod names: 1-128 of [A-Za-z0-9._-], not starting with '.': no separators,
// no path traversal.
Status validate_pod_name(const std::string& name);
// "name" or "name:3".
Result<PodRef> parse_pod_ref(const std::string& text);
// Version files are named 000001.pod, 000002.pod, ... (here and on remotes).
std::string version_file_name(uint64_t v);
std::optional<uint64_t> parse_version_file(const std::string& filename);

class Registry {
 public:
  explicit Registry(std::string root);
  const std::string& root() const { return root_; }

  std::vector<std::string> names() const;
  std::vector<uint64_t> versions(const std::string& name) const;
  // The file of version v of name (whether or not it exists).
  std::string file(const std::string& name, uint64_t v) const;
  // Path of the referenced version; not_found with a clear sentence otherwise.
  Result<std::string> resolve(const PodRef& ref, uint64_t* version_out = nullptr) const;
  // Stores `pod` as the next version of header.name (sets header.version).
  Result<uint64_t> add(PodContent& pod, Progress* progress = nullptr);
  // The same for a pod streamed as it is produced: begin() starts its file
  // (a .partial in the name's directory), the caller adds the blobs, then
  // publish() makes it the next version.
  Result<std::unique_ptr<PodWriter>> begin(const proto::PodHeader& header, std::string_view state,
                                           Progress* progress = nullptr);
  Result<uint64_t> publish(PodWriter& writer);
  // One version, or every version of the name.
  Status remove(const PodRef& ref);

 private:
  std::string dir(const std::string& name) const { return root_ + "/" + name; }
  std::string root_;
};

}  // namespace podstack::pods
