#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <set>
#include <thread>

namespace podstack {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

namespace {

// Waits for a commit ticket without blocking an I/O thread: the writer
// thread's completion is posted back to the session's strand.
// GCC 12 destroys some temporaries of a co_await expression twice (GCC PR
// 99576), so no class-type temporary or by-value coroutine argument appears
// in one here: parameters are references, the initiation is a named lambda
// capturing only references.
asio::awaitable<Status> wait_commit(CommitTicket& ticket) {
  auto ex = co_await asio::this_coro::executor;
  auto initiate = [&ticket, &ex](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    auto work = std::make_shared<asio::executor_work_guard<asio::any_io_executor>>(ex);
    ticket.on_complete([h, work](const Status& s) {
      asio::post(work->get_executor(), [h, s, work]() mutable {
        std::move (*h)(s);
        work->reset();
      });
    });
  };
  Status st = co_await asio::async_initiate<decltype(asio::use_awaitable), void(Status)>(initiate, asio::use_awaitable);
  co_return st;
}

}  // namespace

struct HttpServer::Impl {
  struct Conn {
    beast::tcp_stream stream;
    std::atomic<bool> busy{false};
    explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  };

  Gateway& gateway;
  HttpServerOptions opts;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::atomic<bool> stopping{false};
  std::mutex conns_mu;
  std::set<std::shared_ptr<Conn>> conns;

  Impl(Gateway& g, HttpServerOptions o) : gateway(g), opts(std::move(o)) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
      if (ec) {
        if (!acceptor.is_open() || stopping) co_return;
        spdlog::warn("accept: {}", ec.message());
        continue;
      }
      beast::error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      auto conn = std::make_shared<Conn>(std::move(sock));
      {
        std::lock_guard lk(conns_mu);
        conns.insert(conn);
      }
      auto ex = conn->stream.get_executor();
      asio::co_spawn(ex, session(conn), asio::detached);
    }
  }

  asio::awaitable<void> write(Conn& conn, HttpResponse& res) {
    conn.stream.expires_after(std::chrono::seconds(60));
    auto [ec, n] = co_await http::async_write(conn.stream, res, kTuple);
    if (ec) conn.stream.socket().close(ec);
  }

  // The gateway's answer; an escaped exception is a 500, never a dropped connection.
  Reply handle(const HttpRequest& req) {
    Reply reply;
    try {
      reply = gateway.handle(req);
    } catch (const std::exception& e) {
      spdlog::error("request failed: {}", e.what());
      reply.response = Gateway::plain_error(500, "InternalFailure", "internal error", req.version());
    }
    return reply;
  }

  // A long poll (SQS ReceiveMessage with WaitTimeSeconds) that found nothing:
  // wait on a timer until the poll's end or its next due time (a delay or
  // visibility timeout ending); a write that notifies the poll's key, or
  // shutdown, cancels the timer. Then run the request again. No thread blocks
  // and nothing spins; the last (empty) answer goes out when the wait ends.
  asio::awaitable<void> long_poll(const HttpRequest& req, Reply& reply) {
    const int64_t until = reply.wait->until_ms;
    auto ex = co_await asio::this_coro::executor;
    while (reply.wait && !stopping) {
      int64_t now = wall_clock_ms();
      if (now >= until) break;
      int64_t wake_at = std::min(until, std::max(now, reply.wait->wake_at_ms));
      auto timer = std::make_shared<asio::steady_timer>(ex);
      timer->expires_after(std::chrono::milliseconds(wake_at - now));
      uint64_t id = gateway.notifier().wait(reply.wait->key, reply.wait->seen, [timer] {
        asio::post(timer->get_executor(), [timer] { timer->cancel(); });
      });
      co_await timer->async_wait(kTuple);  // expired, or cancelled by a wake-up: either way, run again
      gateway.notifier().cancel(id);
      reply = handle(req);
      if (reply.commit) {
        Status st = co_await wait_commit(*reply.commit);
        if (!st) gateway.commit_failed(reply, st);
      }
    }
  }

  asio::awaitable<void> session(std::shared_ptr<Conn> conn) {
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping) break;
      http::request_parser<http::string_body> parser;
      parser.body_limit(opts.body_limit);
      parser.header_limit(64 * 1024);
      conn->stream.expires_after(opts.read_timeout);
      auto [ec, n] = co_await http::async_read(conn->stream, buffer, parser, kTuple);
      if (ec) {
        // A peer that closed, timed out or was cancelled at shutdown just goes away;
        // a malformed or oversized request gets an answer first.
        if (ec == http::error::body_limit) {
          auto res = Gateway::plain_error(413, "EntityTooLarge",
                                          "Your request body exceeds the limit of " + std::to_string(opts.body_limit) + " bytes", 11);
          res.keep_alive(false);
          res.prepare_payload();
          co_await write(*conn, res);
        } else if (&ec.category() == &beast::http::make_error_code(http::error::bad_target).category() &&
                   ec != http::error::end_of_stream && ec != http::error::partial_message) {
          auto res = Gateway::plain_error(400, "BadRequest", "Malformed HTTP request: " + ec.message(), 11);
          res.keep_alive(false);
          res.prepare_payload();
          co_await write(*conn, res);
        }
        break;
      }
      conn->busy = true;
      conn->stream.expires_never();
      HttpRequest req = parser.release();
      auto t0 = std::chrono::steady_clock::now();
      Reply reply = handle(req);
      if (reply.wait) co_await long_poll(req, reply);
      if (reply.commit) {
        Status st = co_await wait_commit(*reply.commit);
        if (!st) gateway.commit_failed(reply, st);
      }
      bool keep = req.keep_alive() && !stopping;
      reply.response.keep_alive(keep);
      if (req.method() == http::verb::head) {
        reply.response.content_length(reply.response.body().size());
        reply.response.body().clear();
        reply.response.set(http::field::content_length, std::to_string(0));
      } else {
        reply.response.prepare_payload();
      }
      if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("{} {} {} -> {} ({:.2f} ms)", req.method_string(), req.target(), reply.label,
                      reply.response.result_int(),
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      co_await write(*conn, reply.response);
      conn->busy = false;
      if (!keep || !conn->stream.socket().is_open()) break;
    }
    beast::error_code ec;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    conn->stream.socket().close(ec);
    std::lock_guard lk(conns_mu);
    conns.erase(conn);
  }

  void begin_stop() {
    if (stopping.exchange(true)) return;
    gateway.notifier().shutdown();  // long polls answer now
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    std::lock_guard lk(conns_mu);
    for (auto& c : conns) {
      // Idle connections (waiting for a next request) are closed now; busy ones
      // finish their request and close after the response.
      asio::post(c->stream.get_executor(), [c] {
        if (!c->busy) c->stream.cancel();
      });
    }
  }
};

HttpServer::HttpServer(Gateway& gateway, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(gateway, std::move(options))) {}
HttpServer::~HttpServer() = default;

Result<tcp::endpoint> HttpServer::listen() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->opts.host, ec);
  if (ec) return Status::invalid_argument("bad listen address '" + impl_->opts.host + "': " + ec.message());
  tcp::endpoint ep(addr, impl_->opts.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::io_error("cannot listen on " + impl_->opts.host + ":" + std::to_string(impl_->opts.port) + ": " + ec.message());
  return a.local_endpoint();
}

void HttpServer::run() {
  auto& im = *impl_;
  im.signals.async_wait([&im](const beast::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down: finishing in-flight requests", sig);
    im.begin_stop();
  });
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  unsigned n = im.opts.threads ? im.opts.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < n; ++i) pool.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : pool) t.join();
}

void HttpServer::stop() {
  asio::post(impl_->ioc, [im = impl_.get()] { im->begin_stop(); });
}

}  // namespace podstack
