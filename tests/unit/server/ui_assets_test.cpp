// The web console's embedded files (server/ui_assets.h): the size budget,
// every module import resolving, no markup-from-strings API, and the
// responses of /_podstack/ui/... (types, CSP, ETag, deep links, 404, 405).
#include "server/ui_assets.h"

#include <doctest/doctest.h>

#include <regex>
#include <string>

using namespace podstack;
namespace http = boost::beast::http;

namespace {
http::response<http::string_body> get(std::string_view path, http::verb verb = http::verb::get,
                                      std::string_view if_none_match = {}) {
  http::request<http::string_body> req{verb, std::string(path), 11};
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  return ui_response(req, path, "");
}

// "assets/views/log.js" + "../api.js" -> "assets/api.js"
std::string resolve(std::string from, std::string rel) {
  std::string dir = from.substr(0, from.rfind('/') + 1);
  while (rel.rfind("../", 0) == 0) {
    dir = dir.substr(0, dir.rfind('/', dir.size() - 2) + 1);
    rel = rel.substr(3);
  }
  if (rel.rfind("./", 0) == 0) rel = rel.substr(2);
  return dir + rel;
}
}  // namespace

TEST_CASE("the console's files stay under 500 KB in all") {
  size_t total = 0;
  for (const UiAsset& a : ui_assets()) total += a.body.size();
  CHECK(total > 0);
  CHECK(total < 500 * 1024);
  REQUIRE(find_ui_asset("index.html"));
  for (const UiAsset& a : ui_assets())
    CHECK_MESSAGE((a.path == "index.html" || a.path.rfind("assets/", 0) == 0), a.path);  // what the 404 rule relies on
}

TEST_CASE("every file index.html names and every module import is embedded") {
  std::regex url(R"re((?:src|href)="/_podstack/ui/(assets/[^"]+)")re");  // files, not the views the links name
  std::string index(find_ui_asset("index.html")->body);
  int named = 0;
  for (std::sregex_iterator it(index.begin(), index.end(), url), end; it != end; ++it, ++named)
    CHECK_MESSAGE(find_ui_asset((*it)[1].str()), (*it)[1].str());
  CHECK(named >= 3);
  std::regex import(R"re((?:from |import\()"(\.\.?/[^"$]+\.js)")re");
  int imports = 0;
  for (const UiAsset& a : ui_assets()) {
    if (!a.path.ends_with(".js")) continue;
    std::string text(a.body);
    for (std::sregex_iterator it(text.begin(), text.end(), import), end; it != end; ++it, ++imports)
      CHECK_MESSAGE(find_ui_asset(resolve(std::string(a.path), (*it)[1].str())), a.path, " imports ", (*it)[1].str());
  }
  CHECK(imports >= 10);
  // The router's views: app.js names each as views/<name>.js, loaded when first shown.
  std::string app(find_ui_asset("assets/app.js")->body);
  std::regex view(R"re(\[/\^[^,]*, "([a-z]+)"\])re");
  int views = 0;
  for (std::sregex_iterator it(app.begin(), app.end(), view), end; it != end; ++it, ++views)
    CHECK_MESSAGE(find_ui_asset("assets/views/" + (*it)[1].str() + ".js"), (*it)[1].str());
  CHECK(views >= 11);
}

TEST_CASE("no console code turns strings into markup") {
  // Text from the server goes in with textContent / DOM calls only (docs/decisions.md, "Web console").
  for (const UiAsset& a : ui_assets()) {
    if (!a.path.ends_with(".js")) continue;
    for (std::string_view bad : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"})
      CHECK_MESSAGE(a.body.find(bad) == std::string_view::npos, a.path, " uses ", bad);
  }
}

TEST_CASE("files come with their type, an ETag, no-cache and the CSP; views' URLs are index.html") {
  auto index = get("/_podstack/ui/");
  CHECK(index.result() == http::status::ok);
  CHECK(index[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(index[http::field::cache_control] == "no-cache");
  std::string csp(index["Content-Security-Policy"]);
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(index.body() == find_ui_asset("index.html")->body);
  std::string etag(index[http::field::etag]);
  CHECK(etag.size() > 2);
  CHECK(etag.front() == '"');

  CHECK(get("/_podstack/ui/assets/app.js")[http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(get("/_podstack/ui/assets/style.css")[http::field::content_type] == "text/css; charset=utf-8");
  CHECK(get("/_podstack/ui/assets/favicon.svg")[http::field::content_type] == "image/svg+xml");

  auto fresh = get("/_podstack/ui/", http::verb::get, etag);
  CHECK(fresh.result() == http::status::not_modified);
  CHECK(fresh.body().empty());
  CHECK(get("/_podstack/ui/", http::verb::get, "\"other\"").result() == http::status::ok);

  for (std::string_view deep : {"/_podstack/ui/log/12", "/_podstack/ui/s3/my.bucket", "/_podstack/ui/sqs/orders.fifo", "/_podstack/ui/x/y/z.js"}) {
    auto r = get(deep);
    CHECK_MESSAGE(r.result() == http::status::ok, deep);
    CHECK_MESSAGE(r.body() == find_ui_asset("index.html")->body, deep);
  }
}

TEST_CASE("a missing file is a 404, /_podstack/ui redirects, only GET and HEAD") {
  auto missing = get("/_podstack/ui/assets/nope.js");
  CHECK(missing.result() == http::status::not_found);
  CHECK(missing.body() == R"({"error":"no such console file: assets/nope.js"})");
  auto bare = get("/_podstack/ui");
  CHECK(bare.result() == http::status::moved_permanently);
  CHECK(bare[http::field::location] == "/_podstack/ui/");
  CHECK(get("/_podstack/ui/", http::verb::post).result() == http::status::method_not_allowed);
  CHECK(get("/_podstack/ui/", http::verb::head).result() == http::status::ok);
}
