#include "tools/cli_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/config.h"

namespace podstack::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

std::optional<HttpResult> http_call(const std::string& endpoint, const std::string& method, const std::string& target,
                                    const std::string& body) {
  std::string hostport = endpoint;
  if (auto p = hostport.find("://"); p != std::string::npos) hostport = hostport.substr(p + 3);
  if (auto p = hostport.find('/'); p != std::string::npos) hostport = hostport.substr(0, p);
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  if (!parse_listen(hostport, host, port)) return std::nullopt;
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  try {
    asio::ip::tcp::resolver resolver(ioc);
    stream.expires_after(std::chrono::seconds(3));
    stream.connect(resolver.resolve(host, std::to_string(port)));
  } catch (const std::exception&) {
    return std::nullopt;  // nothing listens: the caller works offline
  }
  try {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.body() = body;
    req.prepare_payload();
    stream.expires_after(std::chrono::seconds(300));
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(stream, buf, parser);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return HttpResult{static_cast<int>(parser.get().result_int()), parser.get().body()};
  } catch (const boost::system::system_error& e) {
    return HttpResult{0, "the server at " + endpoint + " did not answer (" + e.code().message() + ")"};
  } catch (const std::exception& e) {
    // The server was there and went away mid-request: an error, never a
    // silent fallback to offline work on the same DATA_DIR.
    return HttpResult{0, "the server at " + endpoint + " did not answer (" + e.what() + ")"};
  }
}

}  // namespace podstack::cli
