#include "server/http_server.h"
#include "server/ids.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

namespace podstack {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

namespace {

// Streamed response bodies up to this size are read whole and sent with
// their header in one write.
constexpr uint64_t kInlineResponseBody = 128 << 10;

// A connection's read buffer. Beast reads at most the buffer's free capacity
// (and never less than 512 bytes), and a flat_buffer that starts empty grows
// only to what it had to hold: without a reserve every read was 512 bytes, a
// 1 KiB PUT took three recvmsg and a large upload one per 512 bytes. Idle
// connections keep kReadBuffer; a streamed upload reads up to kBodyReadBuffer
// at a time and gives the difference back after its request.
constexpr size_t kReadBuffer = 16 << 10;
constexpr size_t kBodyReadBuffer = 64 << 10;

// Waits for a commit ticket without blocking an I/O thread: the writer
// thread's completion is posted back to the session's strand.
// GCC 12 destroys some temporaries of a co_await expression twice (GCC PR
// 99576), so no class-type temporary or by-value coroutine argument appears
// in one here: parameters are references, the initiation is a named lambda
// capturing only references.
asio::awaitable<Status> wait_commit(CommitTicket& ticket) {
  if (std::optional<Status> done = ticket.ready()) co_return *done;
  // Commits on the I/O threads are deferred (DeferLogWrites): first let the
  // other requests already ready on this thread decide and commit (the
  // posted continuation runs after them), then write all their events with
  // one WAL write. Usually that completes the ticket here: no round trip.
  auto ex = co_await asio::this_coro::executor;
  co_await asio::post(ex, asio::use_awaitable);
  ticket.write();
  if (std::optional<Status> done = ticket.ready()) co_return *done;
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

// The Date header (RFC 9110 6.6.1; SDKs correct clock skew with it),
// formatted once per second per thread.
const std::string& http_date_now() {
  thread_local std::string cached;
  thread_local std::time_t at = 0;
  std::time_t now = std::time(nullptr);
  if (now != at) {
    at = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
  }
  return cached;
}

}  // namespace

struct HttpServer::Impl {
  struct Conn {
    beast::tcp_stream stream;
    std::atomic<bool> busy{false};
    std::string head;  // the response head being written; its capacity is reused
    explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  };

  Gateway& gateway;
  HttpServerOptions opts;
  // One io_context per I/O thread, each run by that thread alone, and every
  // connection lives on one of them (round robin at accept): a connection's
  // handlers never migrate between threads, so no strand is needed and no
  // thread wakes another to run a handler (a shared io_context did that on
  // most requests: futex wake-ups and context switches, measured in
  // docs/decisions.md "One io_context per I/O thread"). Other threads (the log
  // writer completing a commit, a long-poll wake-up) post to the
  // connection's context.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  // Keeps contexts without connections running until the stop begins.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> idle_guards;
  size_t next_context = 0;
  asio::io_context& ioc;  // contexts[0]: the acceptor and the signals
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::atomic<bool> stopping{false};
  std::mutex conns_mu;
  std::set<std::shared_ptr<Conn>> conns;
  std::thread signal_thread;  // runs opts.on_signal

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned threads) {
    unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (unsigned i = 0; i < n; ++i) v.push_back(std::make_unique<asio::io_context>(1));  // hint: one thread
    return v;
  }

  Impl(Gateway& g, HttpServerOptions o)
      : gateway(g), opts(std::move(o)), contexts(make_contexts(opts.threads)), ioc(*contexts[0]) {
    for (size_t i = 1; i < contexts.size(); ++i) idle_guards.push_back(asio::make_work_guard(*contexts[i]));
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      asio::io_context& home = *contexts[next_context++ % contexts.size()];
      auto [ec, sock] = co_await acceptor.async_accept(home.get_executor(), kTuple);
      if (ec) {
        if (!acceptor.is_open() || stopping) co_return;
        spdlog::warn("accept: {}", ec.message());
        continue;
      }
      beast::error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      sock.non_blocking(true, ignored);  // write() tries a direct send first; async operations are unaffected
      auto conn = std::make_shared<Conn>(std::move(sock));
      {
        std::lock_guard lk(conns_mu);
        conns.insert(conn);
      }
      auto ex = conn->stream.get_executor();
      asio::co_spawn(ex, session(conn), asio::detached);
    }
  }

  // A whole response: the head formatted here, head and body handed to the
  // socket in one sendmsg without suspending the session. Only when the
  // socket cannot take it all now (a slow reader, a large body) does the rest
  // go out asynchronously, under the write timeout. Beast's serializer and
  // async write machinery took a fifth of a small request's CPU for what is
  // one gather write (docs/decisions.md "Responses written directly").
  asio::awaitable<void> write(Conn& conn, HttpResponse& res) {
    std::string& head = conn.head;
    format_head(res, head);
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(res.body())};
    const size_t total = head.size() + res.body().size();
    beast::error_code ec;
    size_t n = conn.stream.socket().write_some(bufs, ec);  // non-blocking socket (see accept_loop)
    if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {}, n = 0;
    if (ec) {
      conn.stream.socket().close(ec);
      co_return;
    }
    if (n == total) co_return;
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(bufs);
    rest.consume(n);
    conn.stream.expires_after(std::chrono::seconds(60));
    auto [wec, wn] = co_await asio::async_write(conn.stream, rest, kTuple);
    if (wec) conn.stream.socket().close(wec);
  }

  // "HTTP/1.1 200 OK\r\n", the fields as set, "\r\n": what Beast's serializer
  // writes for a response whose Content-Length is set (prepare_payload).
  static void format_head(const HttpResponse& res, std::string& out) {
    out.clear();
    out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    char code[4] = {char('0' + res.result_int() / 100 % 10), char('0' + res.result_int() / 10 % 10),
                    char('0' + res.result_int() % 10), ' '};
    out.append(code, 4);
    out += res.reason();
    out += "\r\n";
    for (const auto& f : res) {
      out += f.name_string();
      out += ": ";
      out += f.value();
      out += "\r\n";
    }
    out += "\r\n";
  }

  // Feeds what `buffer` holds to `parser` (whose header is done), as much as
  // it takes; leaves ec clear when it only needs more bytes.
  template <class Parser>
  static void parse_buffered(beast::flat_buffer& buffer, Parser& parser, beast::error_code& ec) {
    parser.eager(true);
    while (!parser.is_done() && buffer.size() > 0) {
      size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        return;
      }
      if (ec || used == 0) return;
    }
  }

  // "Expect: 100-continue": tell the client to send the body.
  asio::awaitable<bool> send_continue(Conn& conn, const HttpRequest& req) {
    auto it = req.find(http::field::expect);
    if (it == req.end() || !beast::iequals(it->value(), "100-continue")) co_return true;
    http::response<http::empty_body> cont{http::status::continue_, req.version()};
    auto [ec, n] = co_await http::async_write(conn.stream, cont, kTuple);
    co_return !ec;
  }

  // Streams a request body into `sink` as it arrives (S3 objects), in pieces.
  asio::awaitable<std::optional<protocol::ApiError>> receive_body(Conn& conn, beast::flat_buffer& buffer,
                                                                  http::request_parser<http::buffer_body>& bp,
                                                                  StreamedBody& sink, bool& broken) {
    // One read buffer per body, no larger than the body (a 1 KiB PUT must not
    // pay for a 256 KiB buffer), not zero-filled.
    size_t cap = 256 * 1024;
    if (auto len = bp.content_length(); len && *len < cap) cap = std::max<size_t>(*len, 1);
    if (cap > kReadBuffer) buffer.reserve(kBodyReadBuffer);
    std::unique_ptr<char[]> buf(new char[cap]);
    std::string_view piece(buf.get(), cap);
    while (!bp.is_done()) {
      bp.get().body().data = buf.get();
      bp.get().body().size = piece.size();
      beast::error_code ec;
      // Bytes already read (a small body arrives with its header) are parsed
      // in place; only when they gave nothing is the socket read.
      if (buffer.size() > 0) parse_buffered(buffer, bp, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (!ec && !bp.is_done() && bp.get().body().size == piece.size()) {
        conn.stream.expires_after(opts.read_timeout);
        auto [rec, n] = co_await http::async_read(conn.stream, buffer, bp, kTuple);
        ec = rec;
        if (ec == http::error::need_buffer) ec = {};
      }
      size_t got = piece.size() - bp.get().body().size;
      if (got > 0)
        if (auto e = sink.feed(piece.substr(0, got))) {
          broken = true;  // the rest of the body is not read: close after answering
          co_return e;
        }
      if (ec) {
        broken = true;
        co_return protocol::ApiError::bad_request("IncompleteBody", "The request body terminated unexpectedly");
      }
    }
    co_return sink.finish();
  }

  // Writes a response whose body comes piece by piece from `source`.
  asio::awaitable<void> write_streamed(Conn& conn, HttpResponse& head, BodySource& source) {
    http::response<http::buffer_body> res{head.result(), head.version()};
    for (auto& f : head.base()) res.set(f.name_string(), f.value());
    res.keep_alive(head.keep_alive());
    res.content_length(source.length());
    res.body().data = nullptr;
    res.body().more = true;
    http::response_serializer<http::buffer_body> sr{res};
    conn.stream.expires_after(std::chrono::seconds(60));
    auto [ec, n] = co_await http::async_write_header(conn.stream, sr, kTuple);
    if (ec) {
      conn.stream.socket().close(ec);
      co_return;
    }
    for (;;) {
      auto piece = source.next();
      if (!piece) {
        // The status is already sent: all that is left is to cut the body short.
        spdlog::error("streaming a response body failed: {}", piece.status().to_string());
        conn.stream.socket().close(ec);
        co_return;
      }
      std::string& data = *piece;
      if (data.empty()) break;
      res.body().data = data.data();
      res.body().size = data.size();
      res.body().more = true;
      conn.stream.expires_after(std::chrono::seconds(60));
      auto [wec, wn] = co_await http::async_write(conn.stream, sr, kTuple);
      if (wec == http::error::need_buffer) wec = {};
      if (wec) {
        conn.stream.socket().close(wec);
        co_return;
      }
    }
    res.body().data = nullptr;
    res.body().size = 0;
    res.body().more = false;
    auto [fec, fn] = co_await http::async_write(conn.stream, sr, kTuple);
    if (fec) conn.stream.socket().close(fec);
  }

  // The gateway's answer; an escaped exception is a 500, never a dropped
  // connection. Its ids come from `id_stream` (by value: a long poll runs the
  // request again from the same point of its stream).
  Reply handle(ids::Stream id_stream, const HttpRequest& req, std::shared_ptr<StreamedBody> streamed = nullptr,
               const std::optional<protocol::ApiError>& body_error = std::nullopt) {
    Reply reply;
    DeferLogWrites defer;  // the session writes the group in wait_commit
    ids::Scope seeded(id_stream);
    try {
      reply = body_error ? gateway.body_failed(req, *body_error) : gateway.handle(req, streamed);
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
  //
  // Times in LongPoll are on podstack's clock. The wait itself lasts its
  // length in real time (a client's 20 s wait is 20 s, frozen clock or not);
  // a due time on the clock is waited for only while the clock runs, and a
  // clock change wakes every poll (Notifier::notify_all) to look again.
  asio::awaitable<void> long_poll(const HttpRequest& req, ids::Stream id_stream, Reply& reply) {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(std::max<int64_t>(0, reply.wait->until_ms - gateway.now_ms()));
    auto ex = co_await asio::this_coro::executor;
    while (reply.wait && !stopping) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
      if (left <= 0) break;
      int64_t wake_in = left;
      if (!gateway.clock_frozen())
        wake_in = std::clamp<int64_t>(reply.wait->wake_at_ms - gateway.now_ms(), 0, left);
      auto timer = std::make_shared<asio::steady_timer>(ex);
      timer->expires_after(std::chrono::milliseconds(wake_in));
      uint64_t id = gateway.notifier().wait(reply.wait->key, reply.wait->seen, [timer] {
        asio::post(timer->get_executor(), [timer] { timer->cancel(); });
      });
      co_await timer->async_wait(kTuple);  // expired, or cancelled by a wake-up: either way, run again
      gateway.notifier().cancel(id);
      reply = handle(id_stream, req);
      if (reply.commit) {
        Status st = co_await wait_commit(*reply.commit);
        if (!st) gateway.commit_failed(reply, st);
      }
    }
  }

  // The chaos API's latency (/_localstack/chaos/effects): the request waits on
  // a timer before it is handled, so no thread blocks; shutdown ends the wait.
  asio::awaitable<void> hold(int64_t ms) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stopping) {
      auto now = std::chrono::steady_clock::now();
      if (now >= until) break;
      timer.expires_at(std::min(until, now + std::chrono::milliseconds(100)));
      co_await timer.async_wait(kTuple);
    }
  }

  // Lingering close, as nginx's lingering_close: after answering a request
  // whose body was left unread (413, 400, a body rejected midway), read and
  // drop what the client still sends, for a moment and up to a bound, before
  // closing. Closing with unread bytes makes the kernel send a reset, which
  // can reach the client before it has read the answer.
  asio::awaitable<void> linger(Conn& conn) {
    conn.stream.expires_after(std::chrono::seconds(2));
    std::unique_ptr<char[]> scratch(new char[16384]);
    size_t total = 0;
    while (total < (1u << 20)) {
      auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(scratch.get(), 16384), kTuple);
      if (ec) break;  // the client's end of stream, the timeout, or shutdown
      total += n;
    }
  }

  asio::awaitable<void> session(std::shared_ptr<Conn> conn) {
    beast::flat_buffer buffer;
    buffer.reserve(kReadBuffer);
    bool unread = false;  // the last answer left some of its request unread
    for (;;) {
      if (stopping) break;
      http::request_parser<http::empty_body> hp;
      hp.body_limit(boost::none);
      hp.header_limit(64 * 1024);
      conn->stream.expires_after(opts.read_timeout);
      auto [hec, hn] = co_await http::async_read_header(conn->stream, buffer, hp, kTuple);
      beast::error_code ec = hec;
      HttpRequest req;
      std::shared_ptr<StreamedBody> streamed;
      std::optional<protocol::ApiError> body_error;
      bool broken = false;
      // The request's id stream (server/ids.h): taken once a request has
      // arrived, never for a connection that just closes.
      ids::Stream id_stream;
      if (!ec) {
        id_stream = ids::Stream::next(ids::Purpose::kRequest);
        HttpRequest head{hp.get().base()};
        {
          ids::Scope seeded(id_stream);  // an S3 body's blob id is drawn here
          streamed = gateway.streamed_body(head);
        }
        if (!(co_await send_continue(*conn, head))) break;
        if (streamed) {
          http::request_parser<http::buffer_body> bp(std::move(hp));
          bp.body_limit(boost::none);
          body_error = co_await receive_body(*conn, buffer, bp, *streamed, broken);
          req = std::move(head);
        } else {
          http::request_parser<http::string_body> parser(std::move(hp));
          parser.body_limit(opts.body_limit);
          // The header was parsed without a limit (streamed bodies have none):
          // a declared length over the limit is refused before reading it.
          if (auto len = parser.content_length(); len && *len > opts.body_limit) {
            ec = http::error::body_limit;
          } else {
            // The body usually came with the header and is in the buffer: parse
            // it here; only the part still to come is read asynchronously.
            parse_buffered(buffer, parser, ec);
            if (!ec && !parser.is_done()) {
              conn->stream.expires_after(opts.read_timeout);
              auto [bec, bn] = co_await http::async_read(conn->stream, buffer, parser, kTuple);
              ec = bec;
            }
            if (!ec) req = parser.release();
          }
        }
      }
      if (ec) {
        // A peer that closed, timed out or was cancelled at shutdown just goes away;
        // a malformed or oversized request gets an answer first.
        if (ec == http::error::body_limit) {
          auto res = [&] {
            ids::Scope seeded(id_stream);  // not across the co_await below
            return Gateway::plain_error(413, "EntityTooLarge",
                                        "Your request body exceeds the limit of " + std::to_string(opts.body_limit) + " bytes", 11);
          }();
          res.keep_alive(false);
          res.prepare_payload();
          co_await write(*conn, res);
          unread = true;
        } else if (&ec.category() == &beast::http::make_error_code(http::error::bad_target).category() &&
                   ec != http::error::end_of_stream && ec != http::error::partial_message) {
          if (hec) id_stream = ids::Stream::next(ids::Purpose::kRequest);  // no header: no stream yet
          auto res = [&] {
            ids::Scope seeded(id_stream);
            return Gateway::plain_error(400, "BadRequest", "Malformed HTTP request: " + ec.message(), 11);
          }();
          res.keep_alive(false);
          res.prepare_payload();
          co_await write(*conn, res);
          unread = true;
        }
        break;
      }
      conn->busy = true;
      conn->stream.expires_never();
      if (int64_t ms = gateway.added_latency_ms(req); ms > 0) co_await hold(ms);
      auto t0 = std::chrono::steady_clock::now();
      Reply reply = handle(id_stream, req, streamed, body_error);
      if (streamed && !reply.received) streamed->discard();
      if (reply.received && !reply.commit) reply.received->committed();
      if (reply.wait) co_await long_poll(req, id_stream, reply);
      if (reply.commit) {
        Status st = co_await wait_commit(*reply.commit);
        if (!st) gateway.commit_failed(reply, st);
        else if (reply.received) reply.received->committed();
      }
      gateway.record(reply, reply.response.result_int(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      bool keep = req.keep_alive() && !stopping && !broken;
      reply.response.set(http::field::date, http_date_now());
      reply.response.keep_alive(keep);
      if (req.method() == http::verb::head) {
        // HEAD: the headers of the GET, no body (Content-Length as the GET's).
        if (reply.response.find(http::field::content_length) == reply.response.end())
          reply.response.content_length(reply.response.body().size());
        reply.response.body().clear();
        reply.source.reset();
      } else if (!reply.source) {
        auto st = reply.response.result();
        if (st == http::status::no_content || st == http::status::not_modified) reply.response.body().clear();
        reply.response.prepare_payload();
      }
      if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("{} {} {} -> {} ({:.2f} ms)", req.method_string(), req.target(), reply.label,
                      reply.response.result_int(),
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      // A small streamed body (most S3 GETs) goes out with its header in one
      // write: one syscall, and an error before any byte is still a clean 500.
      if (reply.source && reply.source->length() <= kInlineResponseBody) {
        std::string body;
        body.reserve(reply.source->length());
        Status failed;
        for (;;) {
          auto piece = reply.source->next();
          if (!piece) {
            failed = piece.status();
            break;
          }
          if (piece->empty()) break;
          body += *piece;
        }
        reply.source.reset();
        if (failed.is_ok()) {
          reply.response.body() = std::move(body);
          reply.response.content_length(reply.response.body().size());
        } else {
          spdlog::error("reading a response body failed: {}", failed.to_string());
          ids::Scope seeded(id_stream);
          Reply err = gateway.body_failed(req, protocol::ApiError::internal("reading the stored body failed"));
          reply.response = std::move(err.response);
          reply.response.set(http::field::date, http_date_now());
          reply.response.keep_alive(keep);
          reply.response.prepare_payload();
        }
      }
      if (reply.source) co_await write_streamed(*conn, reply.response, *reply.source);
      else co_await write(*conn, reply.response);
      conn->busy = false;
      unread = broken;
      if (!keep || !conn->stream.socket().is_open()) break;
      if (buffer.capacity() > kReadBuffer && buffer.size() <= kReadBuffer) {
        buffer.shrink_to_fit();
        buffer.reserve(kReadBuffer);
      }
    }
    beast::error_code ec;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (unread && !stopping && conn->stream.socket().is_open()) co_await linger(*conn);
    conn->stream.socket().close(ec);
    std::lock_guard lk(conns_mu);
    conns.erase(conn);
  }

  void begin_stop() {
    if (stopping.exchange(true)) return;
    for (auto& g : idle_guards) g.reset();  // each context's run() ends when its connections have
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
    if (!im.opts.on_signal) {
      spdlog::info("received signal {}, shutting down: finishing in-flight requests", sig);
      im.begin_stop();
      return;
    }
    spdlog::info("received signal {}, shutting down", sig);
    // The I/O threads keep serving (hooks may call the API) while it runs.
    im.signal_thread = std::thread([&im] {
      im.opts.on_signal();
      spdlog::info("finishing in-flight requests");
      asio::post(im.ioc, [&im] { im.begin_stop(); });
    });
  });
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  std::vector<std::thread> pool;
  for (size_t i = 1; i < im.contexts.size(); ++i) pool.emplace_back([c = im.contexts[i].get()] { c->run(); });
  im.ioc.run();
  for (auto& t : pool) t.join();
  if (im.signal_thread.joinable()) im.signal_thread.join();
}

void HttpServer::stop() {
  asio::post(impl_->ioc, [im = impl_.get()] { im->begin_stop(); });
}

}  // namespace podstack
