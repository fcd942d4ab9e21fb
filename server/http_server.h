// The Boost.Beast HTTP/1.1 server: one C++20 coroutine per connection, each
// connection on one of the per-thread io_contexts, keep-alive, a timeout on every read and write, a body-size limit,
// and graceful shutdown (stop accepting, finish in-flight requests, close
// idle connections) on SIGTERM/SIGINT.
#pragma once
#include "server/not_for_services.h"
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/gateway.h"

namespace podstack {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  unsigned threads = 0;  // 0: one per core
  std::chrono::seconds read_timeout{60};
  uint64_t body_limit = 32ull << 20;
  // Runs on its own thread when SIGTERM/SIGINT arrives, while the server
  // still answers requests (shutdown.d hooks); the stop begins when it returns.
  std::function<void()> on_signal;
};

class HttpServer {
 public:
  HttpServer(Gateway& gateway, HttpServerOptions options);
  ~HttpServer();
  // Opens and binds the listening socket; returns the bound endpoint
  // (port 0 picks a free port).
  Result<boost::asio::ip::tcp::endpoint> listen();
  // Serves until SIGTERM/SIGINT or stop(); returns after in-flight requests finished.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace podstack
