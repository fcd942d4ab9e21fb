// SES template rendering (ses_render.cpp): Handlebars blocks as SES's
// renderer takes them (https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-advanced.html).
#include <doctest/doctest.h>

#include "server/services/ses/ses_mail.h"

using namespace podstack::ses;
namespace json = boost::json;

namespace {
std::optional<std::string> r(std::string_view tmpl, std::string_view data, std::string* missing_out = nullptr) {
  std::string missing;
  auto out = render(tmpl, json::parse(data).as_object(), missing);
  if (missing_out) *missing_out = missing;
  return out;
}
}  // namespace

TEST_CASE("each iterates arrays and objects with this, @index, @key, @first, @last and else") {
  CHECK(r("{{#each a}}{{@index}}{{this}}{{#if @last}}.{{else}},{{/if}}{{/each}}", R"({"a":["x","y"]})") == "0x,1y.");
  CHECK(r("{{#each a}}{{name}}/{{this.n}} {{/each}}", R"({"a":[{"name":"p","n":1},{"name":"q","n":2}]})") == "p/1 q/2 ");
  CHECK(r("{{#each o}}{{@key}}={{this}};{{/each}}", R"({"o":{"k":"v"}})") == "k=v;");
  CHECK(r("{{#each a}}x{{else}}empty{{/each}}", R"({"a":[]})") == "empty");
  CHECK(r("{{#each nothing}}x{{else}}none{{/each}}", "{}") == "none");
  CHECK(r("{{#each a}}{{../title}}:{{this}} {{/each}}", R"({"title":"T","a":[1,2]})") == "T:1 T:2 ");
}

TEST_CASE("if / unless follow Handlebars truthiness; with changes the context") {
  CHECK(r("{{#if v}}yes{{else}}no{{/if}}", R"({"v":true})") == "yes");
  for (auto falsy : {R"({"v":false})", R"({"v":0})", R"({"v":""})", R"({"v":[]})", R"({"v":null})", "{}"})
    CHECK(r("{{#if v}}yes{{else}}no{{/if}}", falsy) == "no");
  CHECK(r("{{#unless v}}off{{/unless}}", R"({"v":false})") == "off");
  CHECK(r("{{#with user}}{{name}} {{@root.site}}{{/with}}", R"({"user":{"name":"Ana"},"site":"S"})") == "Ana S");
  CHECK(r("{{#if a}}{{#if b}}ab{{else}}a{{/if}}{{/if}}", R"({"a":1,"b":0})") == "a");
  CHECK(r("x{{! a comment }}{{!-- another }} --}}y", "{}") == "xy");
}

TEST_CASE("a name the data lacks fails, inside blocks too; unbalanced blocks fail") {
  std::string missing;
  CHECK_FALSE(r("{{#each a}}{{nope}}{{/each}}", R"({"a":[{}]})", &missing));
  CHECK(missing == "nope");
  CHECK_FALSE(r("{{#if a}}x", R"({"a":1})"));
  CHECK_FALSE(r("{{/if}}", "{}"));
}
