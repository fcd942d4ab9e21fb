// SES's mail handling without a server: header and address parsing for
// SendRawEmail, the message built for Simple/Template content, and the
// template language's substitution and missing-attribute rule.
#include "server/services/ses/ses_mail.h"

#include <doctest/doctest.h>

using namespace podstack::ses;

TEST_CASE("raw headers are unfolded and addresses parsed with display names, quotes and groups") {
  Headers h = parse_headers("From: \"Doe, J\" <j@x.com>\r\nTo: a@x.com,\r\n  B <b@x.com>\r\nSubject: s\r\n\r\nTo: not-a-header@x.com\r\n");
  CHECK(h.size() == 3);
  CHECK(header_value(h, "subject") == "s");
  CHECK(address_list(header_value(h, "To")) == std::vector<std::string>{"a@x.com", "b@x.com"});
  CHECK(address_list(header_value(h, "From")) == std::vector<std::string>{"j@x.com"});
  CHECK(address_list("team: a@x.com, b@x.com;") == std::vector<std::string>{"a@x.com", "b@x.com"});
  CHECK(address_list("c@x.com (Carl)") == std::vector<std::string>{"c@x.com"});
  CHECK(parse_headers("A: 1\nB: 2\n\nbody").size() == 2);  // LF line ends too
  CHECK(addr_spec(" Name <n@x.com> ") == "n@x.com");
  CHECK(domain_of("a@Sub.Example.COM") == "sub.example.com");
  CHECK(valid_address("a@b.c"));
  CHECK_FALSE(valid_address("a@"));
  CHECK_FALSE(valid_address("a b@c.d"));
  CHECK_FALSE(valid_address("plain"));
}

TEST_CASE("the built message has SES's headers and is multipart/alternative only with both parts") {
  MailContent m;
  m.from = "a@x.com";
  m.to = {"b@x.com", "c@x.com"};
  m.subject = "Hi";
  m.text = "line 1\nline 2";
  m.message_id = "0001-abc-000000";
  m.date_ms = 1800000000000;
  std::string single = build_message(m);
  CHECK(single.find("To: b@x.com, c@x.com\r\n") != std::string::npos);
  CHECK(single.find("Message-ID: <0001-abc-000000@email.amazonses.com>\r\n") != std::string::npos);
  CHECK(single.find("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n") != std::string::npos);
  CHECK(single.find("Content-Type: text/plain; charset=UTF-8") != std::string::npos);
  CHECK(single.find("line 1\r\nline 2") != std::string::npos);
  CHECK(single.find("multipart") == std::string::npos);
  m.html = "<p>x</p>";
  std::string both = build_message(m);
  CHECK(both.find("multipart/alternative; boundary=\"=_podstack_0001-abc-000000\"") != std::string::npos);
  CHECK(both.find("--=_podstack_0001-abc-000000--") != std::string::npos);
  m.subject = "Olá";
  CHECK(build_message(m).find("Subject: =?UTF-8?B?") != std::string::npos);
}

TEST_CASE("templates substitute names and dotted paths; a missing name fails the rendering") {
  json::object data = json::parse(R"({"name": "Ana", "n": 3, "user": {"city": "Porto"}})").as_object();
  std::string missing;
  CHECK(render("Hi {{name}}, {{ n }} in {{user.city}} {{{name}}}", data, missing) == "Hi Ana, 3 in Porto Ana");
  CHECK(render("no tags", data, missing) == "no tags");
  CHECK_FALSE(render("Hi {{nobody}}", data, missing));
  CHECK(missing == "nobody");
  CHECK_FALSE(render("{{user.zip}}", data, missing));
  CHECK(missing == "user.zip");
}
