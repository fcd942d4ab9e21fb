#include "server/metrics.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace podstack;

TEST_CASE("requests are counted per service, operation and status, with a cumulative histogram") {
  Metrics m;
  m.observe("ssm.GetParameter", 200, 0.0002);
  m.observe("ssm.GetParameter", 200, 0.003);
  m.observe("ssm.GetParameter", 400, 2);
  std::string out;
  m.render(out);
  CHECK(out.find("podstack_requests_total{service=\"ssm\",operation=\"GetParameter\",status=\"200\"} 2\n") != std::string::npos);
  CHECK(out.find("podstack_requests_total{service=\"ssm\",operation=\"GetParameter\",status=\"400\"} 1\n") != std::string::npos);
  CHECK(out.find("le=\"0.0001\"} 0\n") != std::string::npos);
  CHECK(out.find("le=\"0.00025\"} 1\n") != std::string::npos);
  CHECK(out.find("le=\"0.005\"} 2\n") != std::string::npos);
  CHECK(out.find("le=\"1\"} 2\n") != std::string::npos);
  CHECK(out.find("le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(out.find("podstack_request_duration_seconds_count{service=\"ssm\",operation=\"GetParameter\"} 3\n") != std::string::npos);
}

TEST_CASE("internal endpoints are labelled by their first two path segments") {
  Metrics m;
  m.observe("/_podstack/pods/baseline/load", 200, 0.01);
  m.observe("/_podstack/pods/other", 200, 0.01);
  std::string out;
  m.render(out);
  CHECK(out.find("{service=\"internal\",operation=\"/_podstack/pods\",status=\"200\"} 2\n") != std::string::npos);
}

TEST_CASE("concurrent observers lose no count") {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 10000; ++i) m.observe(i % 2 ? "sts.GetCallerIdentity" : "ssm.PutParameter", 200 + (i + t) % 3, 0.001);
    });
  for (auto& th : threads) th.join();
  std::string out;
  m.render(out);
  CHECK(out.find("podstack_request_duration_seconds_count{service=\"ssm\",operation=\"PutParameter\"} 20000\n") != std::string::npos);
  CHECK(out.find("podstack_request_duration_seconds_count{service=\"sts\",operation=\"GetCallerIdentity\"} 20000\n") != std::string::npos);
}

TEST_CASE("label values are escaped") {
  CHECK(prom_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}
