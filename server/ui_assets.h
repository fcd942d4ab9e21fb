// The web console: its files (server/ui/, plain JS and CSS, no build step),
// embedded into the binary at build time by cmake/embed_ui.cmake, and the
// responses of /_podstack/ui/... (served by the gateway's route table).
// See docs/decisions.md, "Web console".
#pragma once
#include "server/not_for_services.h"
#include <boost/beast/http.hpp>
#include <string_view>
#include <vector>

namespace podstack {

struct UiAsset {
  std::string_view path;  // relative to server/ui/: "index.html", "assets/views/log.js"
  std::string_view body;
  std::string_view etag;  // quoted: a hash of the body, fixed at build time
};

// Every embedded file, and the one at `path` (nullptr: none).
const std::vector<UiAsset>& ui_assets();
const UiAsset* find_ui_asset(std::string_view path);
// "text/javascript; charset=utf-8" for app.js, ...: by the name's extension.
std::string_view ui_content_type(std::string_view path);

// The answer to a request for /_podstack/ui or anything under it (`path`
// without the query): /_podstack/ui redirects to /_podstack/ui/; a file
// with its type, ETag (304 on If-None-Match), Cache-Control: no-cache and a
// strict Content-Security-Policy; a missing file under assets/ 404
// {"error"}; any other path index.html, so deep links load the console,
// whose own router (the History API) shows the view the path names.
boost::beast::http::response<boost::beast::http::string_body> ui_response(
    const boost::beast::http::request<boost::beast::http::string_body>& req, std::string_view path, std::string_view query);

}  // namespace podstack
