// Pod remotes: where `podstack pod ... --remote URL` keeps pods, shared by a
// team or CI.
//
//   file:///path         a directory laid out like DATA_DIR/pods:
//                        /path/NAME/000001.pod; a version is taken with
//                        link(2), which fails if the file exists
//   s3://bucket[/prefix] objects [prefix/]NAME/000001.pod in any
//                        S3-compatible store; a version is taken with
//                        PutObject + If-None-Match: * (AWS conditional
//                        writes): 412 means another client took that number,
//                        so the next one is tried
//
// Both make concurrent savers get distinct versions; a store that ignores
// If-None-Match (s3rver does) cannot give that guarantee: the last writer of
// a number wins there.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "pods/pod_file.h"
#include "pods/progress.h"
#include "pods/registry.h"
#include "pods/s3_client.h"

namespace podstack::pods {

class Remote {
 public:
  virtual ~Remote() = default;
  virtual const std::string& url() const = 0;
  virtual Result<std::vector<std::string>> names() = 0;
  // Ascending; empty when there is no such pod.
  virtual Result<std::vector<uint64_t>> versions(const std::string& name) = 0;
  // The bytes of one version's file; only the first `limit` bytes when limit > 0.
  virtual Result<std::string> read(const std::string& name, uint64_t version, Progress* progress, uint64_t limit = 0) = 0;
  // Stores `pod` as the next version of header.name (sets header.version).
  virtual Result<uint64_t> push(PodContent& pod, Progress* progress) = 0;
  virtual Status remove(const PodRef& ref) = 0;

  // The version a reference means (the newest when it has none).
  Result<uint64_t> resolve(const PodRef& ref);
  // Downloads one version and verifies it (magic, format, checksum).
  Result<PodContent> fetch(const PodRef& ref, Progress* progress);
  // The header of one version, reading only the head of the file.
  Result<proto::PodHeader> header(const std::string& name, uint64_t version);
};

// "file:///abs/path" or "s3://bucket/prefix"; endpoint_url for S3 (else from the environment).
Result<std::unique_ptr<Remote>> open_remote(const std::string& url, const std::string& endpoint_url);

}  // namespace podstack::pods
