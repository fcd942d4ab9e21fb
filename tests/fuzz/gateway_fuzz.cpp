// Fuzzes the whole request path below the socket: gateway routing, every
// protocol codec, and the services' decide/apply, on an in-memory engine.
// Input: "TARGET\nCONTENT-TYPE\nBODY" (missing lines are empty).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/gateway.h"
#include "server/services/registry.h"

using namespace podstack;

namespace {
struct World {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Gateway> gateway;
  World() {
    EngineOptions o;
    o.store.in_memory = true;
    engine = std::move(*Engine::open(o, make_services()));
    gateway = std::make_unique<Gateway>(*engine, GatewayOptions{});
  }
};
std::string_view line(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view l = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return l;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view target = line(in);
  std::string_view ctype = line(in);
  HttpRequest req{http::verb::post, "/", 11};
  if (!target.empty() && target[0] == '/') {
    req.method(http::verb::get);
    req.target(std::string(target));
  } else if (!target.empty()) {
    req.set("X-Amz-Target", std::string(target));
  }
  if (!ctype.empty()) req.set(http::field::content_type, std::string(ctype));
  req.body() = std::string(in);
  req.prepare_payload();
  Reply r = world.gateway->handle(req);
  if (r.commit) r.commit->wait().ignore_error();
  // Every answer is a real HTTP status with an AWS-shaped body.
  if (r.response.result_int() < 200 || r.response.result_int() > 599) __builtin_trap();
  return 0;
}
