// A small synchronous HTTP client for the CLI's talk with a running server.
#pragma once
#include <optional>
#include <string>

namespace podstack::cli {

struct HttpResult {
  int status = 0;
  std::string body;
};

// std::nullopt when nothing listens at `endpoint` (http://host:port); status 0
// and a sentence in `body` when the server went away mid-request.
std::optional<HttpResult> http_call(const std::string& endpoint, const std::string& method, const std::string& target,
                                    const std::string& body = {});

}  // namespace podstack::cli
