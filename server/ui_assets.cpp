// The web console's embedded files and their HTTP responses (ui_assets.h).
#include "server/ui_assets.h"

#include <boost/json.hpp>

namespace podstack {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPrefix = "/_podstack/ui";

// No inline script or style, nothing from another origin; a mail's HTML body
// is shown only in a sandboxed srcdoc frame (no scripts, no same origin),
// which inherits this policy, so its remote images are not fetched either.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

http::response<http::string_body> json_error(unsigned version, http::status status, std::string message) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::content_type, "application/json");
  res.body() = boost::json::serialize(boost::json::object{{"error", std::move(message)}});
  return res;
}

}  // namespace

const std::vector<UiAsset>& ui_assets() {
  static const std::vector<UiAsset> assets = {
#include "ui_embedded.inc"
  };
  return assets;
}

const UiAsset* find_ui_asset(std::string_view path) {
  for (const UiAsset& a : ui_assets())
    if (a.path == path) return &a;
  return nullptr;
}

std::string_view ui_content_type(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

http::response<http::string_body> ui_response(const http::request<http::string_body>& req, std::string_view path,
                                              std::string_view query) {
  const unsigned version = req.version();
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return json_error(version, http::status::method_not_allowed, "use GET");
  if (path == kPrefix) {
    http::response<http::string_body> res{http::status::moved_permanently, version};
    res.set(http::field::location, std::string(kPrefix) + "/" + (query.empty() ? "" : "?" + std::string(query)));
    return res;
  }
  std::string_view rel = path.substr(kPrefix.size() + 1);
  const UiAsset* asset = find_ui_asset(rel.empty() ? "index.html" : rel);
  if (!asset) {
    // Every file but index.html is under assets/: a missing one there is a
    // 404 a browser shows as a failed load. Any other path is a view's URL
    // (it may hold a bucket, key or queue name, dots and all).
    if (rel.rfind("assets/", 0) == 0)
      return json_error(version, http::status::not_found, "no such console file: " + std::string(rel));
    asset = find_ui_asset("index.html");
  }
  auto if_none_match = req.find(http::field::if_none_match);
  const bool fresh = if_none_match != req.end() && std::string_view(if_none_match->value()) == asset->etag;
  http::response<http::string_body> res{fresh ? http::status::not_modified : http::status::ok, version};
  res.set(http::field::content_type, ui_content_type(asset->path));
  res.set(http::field::etag, asset->etag);
  res.set(http::field::cache_control, "no-cache");  // revalidate (cheap: the ETag) so a new binary's files are seen
  res.set("Content-Security-Policy", kCsp);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  if (!fresh) res.body() = std::string(asset->body);
  return res;
}

}  // namespace podstack
