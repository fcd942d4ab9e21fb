#include "pods/remote.h"

#include <algorithm>
#include <fstream>
#include <set>

namespace podstack::pods {

Result<uint64_t> Remote::resolve(const PodRef& ref) {
  auto vs = versions(ref.name);
  if (!vs) return vs.status();
  if (vs->empty()) return Status::not_found("there is no pod named '" + ref.name + "' in " + url());
  uint64_t v = ref.version.value_or(vs->back());
  if (std::find(vs->begin(), vs->end(), v) == vs->end())
    return Status::not_found("pod '" + ref.name + "' has no version " + std::to_string(v) + " in " + url() + " (it has 1.." +
                             std::to_string(vs->back()) + ")");
  return v;
}

Result<PodContent> Remote::fetch(const PodRef& ref, Progress* progress) {
  auto v = resolve(ref);
  if (!v) return v.status();
  auto bytes = read(ref.name, *v, progress);
  if (!bytes) return bytes.status();
  auto pod = decode_pod(*bytes, url() + " " + ref.name + ":" + std::to_string(*v));
  if (!pod) return pod.status();
  pod->header.set_name(ref.name);
  pod->header.set_version(*v);
  return pod;
}

Result<proto::PodHeader> Remote::header(const std::string& name, uint64_t version) {
  constexpr uint64_t kHead = 1 << 16;  // headers are a few hundred bytes
  std::string what = url() + " " + name + ":" + std::to_string(version);
  auto head = read(name, version, nullptr, kHead);
  if (!head) return head.status();
  auto h = decode_pod_header(*head, what);
  if (!h && head->size() == kHead) {  // an unusually large header: read it all
    head = read(name, version, nullptr);
    if (!head) return head.status();
    h = decode_pod_header(*head, what);
  }
  return h;
}

namespace {

class FileRemote : public Remote {
 public:
  FileRemote(std::string url, std::string root) : url_(std::move(url)), registry_(std::move(root)) {}
  const std::string& url() const override { return url_; }
  Result<std::vector<std::string>> names() override { return registry_.names(); }
  Result<std::vector<uint64_t>> versions(const std::string& name) override { return registry_.versions(name); }
  Result<std::string> read(const std::string& name, uint64_t version, Progress* progress, uint64_t limit) override {
    std::string path = registry_.file(name, version);
    if (limit == 0) return read_file(path, progress);
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::not_found(path + " does not exist");
    std::string out(limit, '\0');
    in.read(out.data(), static_cast<std::streamsize>(limit));
    out.resize(static_cast<size_t>(in.gcount()));
    return out;
  }
  Result<uint64_t> push(PodContent& pod, Progress* progress) override { return registry_.add(pod, progress); }
  Status remove(const PodRef& ref) override { return registry_.remove(ref); }

 private:
  std::string url_;
  Registry registry_;
};

class S3Remote : public Remote {
 public:
  S3Remote(std::string url, std::string bucket, std::string prefix, S3Options o)
      : url_(std::move(url)), bucket_(std::move(bucket)), prefix_(std::move(prefix)), s3_(std::move(o)) {}
  const std::string& url() const override { return url_; }

  Result<std::vector<std::string>> names() override {
    auto keys = s3_.list_keys(bucket_, prefix_);
    if (!keys) return keys.status();
    std::set<std::string> out;
    for (auto& k : *keys) {
      std::string rest = k.substr(prefix_.size());
      auto slash = rest.find('/');
      if (slash == std::string::npos) continue;
      std::string name = rest.substr(0, slash);
      if (validate_pod_name(name) && parse_version_file(rest.substr(slash + 1))) out.insert(name);
    }
    return std::vector<std::string>(out.begin(), out.end());
  }

  Result<std::vector<uint64_t>> versions(const std::string& name) override {
    auto keys = s3_.list_keys(bucket_, prefix_ + name + "/");
    if (!keys) return keys.status();
    std::vector<uint64_t> out;
    for (auto& k : *keys)
      if (auto v = parse_version_file(k.substr(prefix_.size() + name.size() + 1))) out.push_back(*v);
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::string> read(const std::string& name, uint64_t version, Progress* progress, uint64_t limit) override {
    return s3_.get_object(bucket_, key(name, version), progress, limit ? "bytes=0-" + std::to_string(limit - 1) : "");
  }

  Result<uint64_t> push(PodContent& pod, Progress* progress) override {
    const std::string& name = pod.header.name();
    if (Status st = validate_pod_name(name); !st) return st;
    auto vs = versions(name);
    if (!vs) return vs.status();
    uint64_t v = vs->empty() ? 1 : vs->back() + 1;
    for (int attempt = 0; attempt < 100; ++attempt, ++v) {
      pod.header.set_version(v);
      Status st = s3_.put_object(bucket_, key(name, v), encode_pod(pod), /*if_none_match=*/true, progress);
      if (st) return v;
      if (st.code() != Status::Code::kBusy) return st;  // busy: another saver took v
    }
    return Status::busy("could not allocate a version for pod '" + name + "' in " + url_);
  }

  Status remove(const PodRef& ref) override {
    std::vector<uint64_t> vs;
    if (ref.version) {
      auto v = resolve(ref);
      if (!v) return v.status();
      vs.push_back(*v);
    } else {
      auto all = versions(ref.name);
      if (!all) return all.status();
      if (all->empty()) return Status::not_found("there is no pod named '" + ref.name + "' in " + url_);
      vs = *all;
    }
    for (auto v : vs)
      if (Status st = s3_.delete_object(bucket_, key(ref.name, v)); !st) return st;
    return Status::ok();
  }

 private:
  std::string key(const std::string& name, uint64_t v) const { return prefix_ + name + "/" + version_file_name(v); }
  std::string url_, bucket_, prefix_;  // prefix_: "" or "a/b/"
  S3Client s3_;
};

}  // namespace

Result<std::unique_ptr<Remote>> open_remote(const std::string& url, const std::string& endpoint_url) {
  if (url.rfind("file://", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty() || path[0] != '/') return Status::invalid_argument("a file remote needs an absolute path: file:///path (got '" + url + "')");
    return std::unique_ptr<Remote>(new FileRemote(url, path));
  }
  if (url.rfind("s3://", 0) == 0) {
    std::string rest = url.substr(5);
    auto slash = rest.find('/');
    std::string bucket = rest.substr(0, slash), prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (bucket.empty()) return Status::invalid_argument("an S3 remote needs a bucket: s3://bucket[/prefix] (got '" + url + "')");
    if (!prefix.empty()) prefix += "/";
    S3Options o = s3_options_for(endpoint_url);
    return std::unique_ptr<Remote>(new S3Remote(url, bucket, prefix, std::move(o)));
  }
  return Status::invalid_argument("'" + url + "' is not a remote: use file:///path or s3://bucket/prefix");
}

}  // namespace podstack::pods
