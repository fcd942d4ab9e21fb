#include "pods/s3_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>

#include "base/digest.h"

namespace podstack::pods {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace ssl = asio::ssl;

namespace {
AwsEnvironment& aws_env() {
  static AwsEnvironment e;
  return e;
}

struct Url {
  bool tls = false;
  std::string host, port, base;  // base: path prefix without trailing '/'
};

std::optional<Url> parse_url(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) rest = url.substr(7);
  else if (url.rfind("https://", 0) == 0) u.tls = true, rest = url.substr(8);
  else return std::nullopt;
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos) u.base = rest.substr(slash);
  while (!u.base.empty() && u.base.back() == '/') u.base.pop_back();
  auto colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  } else {
    u.host = hostport;
  }
  if (u.host.empty()) return std::nullopt;
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return u;
}

template <class Stream>
S3Response exchange(Stream& stream, http::request<http::string_body>& req, Progress* progress) {
  http::request_serializer<http::string_body> sr{req};
  sr.limit(1 << 20);
  uint64_t sent = 0, body = req.body().size();
  if (progress && body) progress->set_total(body);
  while (!sr.is_done()) {
    sent += http::write_some(stream, sr);
    if (progress && body) progress->update(std::min(sent, body));
  }
  beast::flat_buffer buf;
  http::response_parser<http::string_body> p;
  p.body_limit(boost::none);
  http::read_header(stream, buf, p);
  if (progress && !body && p.content_length()) progress->set_total(*p.content_length());
  while (!p.is_done()) {
    http::read_some(stream, buf, p);
    if (progress && !body) progress->update(p.get().body().size());
  }
  S3Response r;
  r.status = static_cast<int>(p.get().result_int());
  r.body = std::move(p.get().body());
  for (auto& f : p.get()) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return r;
}
}  // namespace

void set_aws_environment(AwsEnvironment env) { aws_env() = std::move(env); }

S3Options s3_options_for(const std::string& endpoint_url) {
  const AwsEnvironment& e = aws_env();
  S3Options o;
  o.endpoint = !endpoint_url.empty() ? endpoint_url : !e.endpoint_url_s3.empty() ? e.endpoint_url_s3 : e.endpoint_url;
  o.region = !e.region.empty() ? e.region : !e.default_region.empty() ? e.default_region : "us-east-1";
  o.credentials = {e.access_key_id, e.secret_access_key, e.session_token};
  return o;
}

std::vector<std::string> xml_values(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  for (size_t pos = 0; (pos = xml.find(open, pos)) != std::string_view::npos;) {
    size_t start = pos + open.size(), end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    std::string_view raw = xml.substr(start, end - start);
    std::string v;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        v += raw[i];
        continue;
      }
      static const std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool done = false;
      for (auto [ent, ch] : kEntities)
        if (raw.substr(i, ent.size()) == ent) {
          v += ch;
          i += ent.size() - 1;
          done = true;
          break;
        }
      if (!done) v += '&';
    }
    out.push_back(std::move(v));
    pos = end + close.size();
  }
  return out;
}

Result<S3Response> S3Client::request(const std::string& method, const std::string& bucket, const std::string& key,
                                     const std::vector<std::pair<std::string, std::string>>& query, std::string_view body,
                                     const std::vector<std::pair<std::string, std::string>>& headers, Progress* progress) {
  std::string where = o_.endpoint.empty() ? "https://" + bucket + ".s3." + o_.region + ".amazonaws.com" : o_.endpoint;
  auto url = parse_url(where);
  if (!url) return Status::invalid_argument("'" + where + "' is not an http:// or https:// endpoint URL");
  std::string path = url->base + (o_.endpoint.empty() ? "" : "/" + uri_encode(bucket, false)) + "/" + uri_encode(key, true);
  if (o_.endpoint.empty() && key.empty()) path = "/";
  bool default_port = (url->tls && url->port == "443") || (!url->tls && url->port == "80");
  std::string host = default_port ? url->host : url->host + ":" + url->port;

  SigV4Request sr;
  sr.method = method;
  sr.path = path;
  sr.query = query;
  sr.payload_hash = sha256_hex(body);
  std::string amz_date = amz_date_now();
  sr.headers = {{"host", host}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", sr.payload_hash}};
  if (!o_.credentials.session_token.empty()) sr.headers.emplace_back("x-amz-security-token", o_.credentials.session_token);
  for (auto& h : headers) sr.headers.push_back(h);
  auto sig = sigv4_sign(sr, o_.credentials, o_.region, "s3", amz_date);

  std::string target = path;
  {
    std::vector<std::pair<std::string, std::string>> q;
    for (auto& [k, v] : query) q.emplace_back(uri_encode(k, false), uri_encode(v, false));
    std::sort(q.begin(), q.end());
    for (size_t i = 0; i < q.size(); ++i) target += (i ? "&" : "?") + q[i].first + "=" + q[i].second;
  }
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  for (auto& [k, v] : sr.headers) req.set(k, v);
  req.set(http::field::authorization, sig.authorization);
  req.set(http::field::user_agent, "podstack-pods");
  req.body() = std::string(body);
  req.prepare_payload();
  if (method == "PUT" || method == "POST" || !body.empty()) req.content_length(body.size());

  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(url->host, url->port);
    S3Response r;
    if (url->tls) {
      ssl::context ctx(ssl::context::tls_client);
      ctx.set_default_verify_paths();
      ctx.set_verify_mode(ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
      stream.set_verify_callback(ssl::host_name_verification(url->host));
      if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str()))
        return Status::io_error("cannot set TLS server name for " + url->host);
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(ssl::stream_base::client);
      r = exchange(stream, req, progress);
      beast::error_code ec;
      stream.shutdown(ec);  // servers often close without close_notify; nothing to act on
    } else {
      beast::tcp_stream stream(ioc);
      stream.connect(endpoints);
      r = exchange(stream, req, progress);
      beast::error_code ec;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
    return r;
  } catch (const boost::system::system_error& e) {
    return Status::io_error("cannot reach S3 at " + where + ": " + e.code().message());
  }
}

Status S3Client::error_of(const S3Response& r, const std::string& what) const {
  auto code = xml_values(r.body, "Code"), message = xml_values(r.body, "Message");
  std::string detail = std::to_string(r.status) + (code.empty() ? "" : " " + code[0]) + (message.empty() ? "" : ": " + message[0]);
  if (r.status == 404) return Status::not_found(what + " does not exist (S3 answered " + detail + ")");
  if (r.status == 412) return Status::busy(what + " already exists (S3 answered " + detail + ")");
  if (r.status == 401 || r.status == 403)
    return Status::invalid_argument("S3 refused " + what + " (" + detail + "): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
  return Status::io_error("S3 answered " + detail + " for " + what);
}

Result<std::string> S3Client::get_object(const std::string& bucket, const std::string& key, Progress* progress,
                                         const std::string& range) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!range.empty()) h.emplace_back("range", range);
  auto r = request("GET", bucket, key, {}, {}, h, progress);
  if (!r) return r.status();
  if (r->status != 200 && r->status != 206) return error_of(*r, "s3://" + bucket + "/" + key);
  return std::move(r->body);
}

Status S3Client::put_object(const std::string& bucket, const std::string& key, std::string_view body, bool if_none_match,
                            Progress* progress) {
  std::vector<std::pair<std::string, std::string>> h;
  if (if_none_match) h.emplace_back("if-none-match", "*");
  auto r = request("PUT", bucket, key, {}, body, h, progress);
  if (!r) return r.status();
  // 409 ConditionalRequestConflict: another conditional write to the key is in flight; treat as taken.
  if (if_none_match && r->status == 409) return Status::busy("s3://" + bucket + "/" + key + " is being written by another client");
  if (r->status != 200) return error_of(*r, "s3://" + bucket + "/" + key);
  return Status::ok();
}

Status S3Client::delete_object(const std::string& bucket, const std::string& key) {
  auto r = request("DELETE", bucket, key, {}, {});
  if (!r) return r.status();
  if (r->status != 204 && r->status != 200) return error_of(*r, "s3://" + bucket + "/" + key);
  return Status::ok();
}

Result<std::vector<std::string>> S3Client::list_keys(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> keys;
  std::string token;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> q{{"list-type", "2"}, {"prefix", prefix}};
    if (!token.empty()) q.emplace_back("continuation-token", token);
    auto r = request("GET", bucket, "", q, {});
    if (!r) return r.status();
    if (r->status != 200) return error_of(*r, "s3://" + bucket);
    for (auto& k : xml_values(r->body, "Key")) keys.push_back(std::move(k));
    auto truncated = xml_values(r->body, "IsTruncated");
    auto next = xml_values(r->body, "NextContinuationToken");
    if (truncated.empty() || truncated[0] != "true" || next.empty()) break;
    token = next[0];
  }
  return keys;
}

}  // namespace podstack::pods
