#include "server/outbox.h"
#include "server/ids.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace podstack {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
  bool tls = false;
  std::string host, port, target;
};

std::optional<Url> parse_url(std::string_view s) {
  Url u;
  if (s.rfind("http://", 0) == 0) {
    s.remove_prefix(7);
  } else if (s.rfind("https://", 0) == 0) {
    s.remove_prefix(8);
    u.tls = true;
  } else {
    return std::nullopt;
  }
  size_t slash = s.find_first_of("/?");
  std::string_view authority = s.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(s.substr(slash));
  if (!u.target.empty() && u.target[0] == '?') u.target = "/" + u.target;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority[0] == '[') {  // [::1]:8080
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = std::string(authority.substr(close + 2));
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    u.host = std::string(authority.substr(0, colon));
    u.port = std::string(authority.substr(colon + 1));
  } else {
    u.host = std::string(authority);
  }
  if (u.host.empty()) return std::nullopt;
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return u;
}

std::string host_header(const Url& u) {
  bool default_port = (u.tls && u.port == "443") || (!u.tls && u.port == "80");
  std::string h = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  return default_port ? h : h + ":" + u.port;
}

template <class Stream>
void exchange(Stream& stream, const Effect& e, const Url& u, EffectAttempt& a) {
  http::request<http::string_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, host_header(u));
  req.set(http::field::user_agent, "Amazon Simple Notification Service Agent");
  for (auto& [k, v] : e.headers) req.set(k, v);
  req.body() = e.body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::response_parser<http::string_body> p;
  p.body_limit(1 << 20);
  http::read(stream, buf, p);
  a.status = static_cast<int>(p.get().result_int());
  a.ok = a.status >= 200 && a.status < 300;
  a.detail = "HTTP " + std::to_string(a.status);
}

// Reads one (possibly multi-line) SMTP reply; returns its code.
int smtp_reply(beast::tcp_stream& s, std::string& buf, std::string* text = nullptr) {
  for (;;) {
    size_t n = asio::read_until(s, asio::dynamic_buffer(buf), "\r\n");
    std::string line = buf.substr(0, n - 2);
    buf.erase(0, n);
    if (line.size() < 3) return 0;
    if (text) *text = line;
    if (line.size() == 3 || line[3] == ' ') return std::atoi(line.substr(0, 3).c_str());
  }
}

}  // namespace

EffectAttempt http_effect(const Effect& e, const OutboxOptions& o) {
  EffectAttempt a;
  a.id = e.id;
  auto u = parse_url(e.target);
  if (!u) {
    a.detail = "not an http(s) URL: " + e.target;
    return a;
  }
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(u->host, u->port);
    beast::tcp_stream tcp_stream(ioc);
    tcp_stream.expires_after(o.connect_timeout);
    tcp_stream.connect(endpoints);
    tcp_stream.expires_after(o.io_timeout);
    if (u->tls) {
      asio::ssl::context ctx(asio::ssl::context::tls_client);
      ctx.set_verify_mode(asio::ssl::verify_none);
      beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), ctx);
      SSL_set_tlsext_host_name(stream.native_handle(), u->host.c_str());
      stream.handshake(asio::ssl::stream_base::client);
      exchange(stream, e, *u, a);
      beast::error_code ec;
      stream.shutdown(ec);
    } else {
      exchange(tcp_stream, e, *u, a);
      beast::error_code ec;
      tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }
  } catch (const boost::system::system_error& ex) {
    a.ok = false;
    a.detail = ex.code().message();
  } catch (const std::exception& ex) {
    a.ok = false;
    a.detail = ex.what();
  }
  return a;
}

EffectAttempt smtp_effect(const Effect& e, const OutboxOptions& o) {
  EffectAttempt a;
  a.id = e.id;
  std::string host = e.target, port = "25";
  if (auto c = host.rfind(':'); c != std::string::npos && host.find(']') == std::string::npos) {
    port = host.substr(c + 1);
    host.resize(c);
  }
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream s(ioc);
    s.expires_after(o.connect_timeout);
    s.connect(resolver.resolve(host, port));
    s.expires_after(o.io_timeout);
    std::string buf, text;
    auto step = [&](const std::string& line, int want_class) {
      if (!line.empty()) asio::write(s, asio::buffer(line));
      int code = smtp_reply(s, buf, &text);
      a.status = code;
      if (code / 100 != want_class) throw std::runtime_error("SMTP: " + text);
    };
    step("", 2);
    step("EHLO podstack\r\n", 2);
    step("MAIL FROM:<" + e.mail_from + ">\r\n", 2);
    for (auto& r : e.rcpt_to) step("RCPT TO:<" + r + ">\r\n", 2);
    step("DATA\r\n", 3);
    // CRLF line ends and dot-stuffing (RFC 5321 4.5.2).
    std::string data;
    data.reserve(e.body.size() + 64);
    bool line_start = true;
    for (size_t i = 0; i < e.body.size(); ++i) {
      char c = e.body[i];
      if (line_start && c == '.') data += '.';
      if (c == '\n' && (i == 0 || e.body[i - 1] != '\r')) data += '\r';
      data += c;
      line_start = c == '\n';
    }
    if (!line_start) data += "\r\n";
    data += ".\r\n";
    step(data, 2);
    a.ok = true;
    a.detail = "SMTP " + std::to_string(a.status);
    beast::error_code ec;
    asio::write(s, asio::buffer(std::string("QUIT\r\n")), ec);
  } catch (const boost::system::system_error& ex) {
    a.ok = false;
    a.detail = ex.code().message();
  } catch (const std::exception& ex) {
    a.ok = false;
    a.detail = ex.what();
  }
  return a;
}

Outbox::Outbox(Engine& engine, OutboxOptions o) : engine_(engine), o_(o) {}

Outbox::~Outbox() { stop(); }

void Outbox::start() {
  engine_.set_effects_listener([this] { wake(); });
  woken_ = true;  // the first scan re-arms what replay left pending
  thread_ = std::thread([this] { run(); });
}

void Outbox::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Outbox::wake() {
  {
    std::lock_guard lk(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

EffectAttempt Outbox::perform(const Effect& e) const {
  if (e.kind == "http") return http_effect(e, o_);
  if (e.kind == "smtp") return smtp_effect(e, o_);
  EffectAttempt a;
  a.id = e.id;
  a.detail = "unknown effect kind " + e.kind;
  return a;
}

void Outbox::run() {
  int64_t next_due = INT64_MAX;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      auto pred = [&] { return stop_ || woken_; };
      if (next_due == INT64_MAX) cv_.wait(lk, pred);
      else cv_.wait_for(lk, std::chrono::milliseconds(std::max<int64_t>(0, next_due - engine_.now_ms())), pred);
      if (stop_) return;
      woken_ = false;
    }
    next_due = INT64_MAX;
    for (auto& svc : engine_.services()) {
      std::vector<Effect> pending;
      {
        std::shared_lock lk(svc->mutex());
        svc->pending_effects(pending);
      }
      for (auto& e : pending) {
        int64_t now = engine_.now_ms();
        if (e.not_before_ms > now) {
          next_due = std::min(next_due, e.not_before_ms);
          continue;
        }
        {
          std::lock_guard lk(mu_);
          if (stop_) return;
        }
        EffectAttempt a = perform(e);
        a.started_ms = now;
        a.finished_ms = engine_.now_ms();
        ++attempts_;
        if (!a.ok) spdlog::info("{} effect {} to {} failed: {}", svc->name(), e.id, e.target, a.detail);
        CallContext ctx;
        ctx.account = e.account.empty() ? ctx.account : e.account;
        ctx.region = e.region.empty() ? ctx.region : e.region;
        ctx.now_ms = a.finished_ms;
        // Its own id stream: attempts run at times no request controls, so
        // they must not draw from (and shift) the requests' streams.
        ids::Stream stream = ids::Stream::next(ids::Purpose::kBackground);
        ExecResult r;
        {
          ids::Scope seeded(stream);
          ctx.request_id = random_uuid();
          r = engine_.record_effect(*svc, a, ctx);
        }
        if (r.error) {  // e.g. recovering from a failed log write: try again later
          next_due = std::min(next_due, engine_.now_ms() + 1000);
          continue;
        }
        if (r.commit) {
          if (Status st = r.commit->wait(); !st) spdlog::error("recording effect {} failed: {}", e.id, st.to_string());
        }
        // The service may have scheduled a retry: look again.
        next_due = std::min(next_due, engine_.now_ms());
      }
    }
    ++scans_;
  }
}

}  // namespace podstack
