// `xmargin serve` as users run it: a real server on an ephemeral port of
// 127.0.0.1, asked by cpp-httplib's client and by curl. What it serves must be
// what `xmargin run` writes for the same inputs, to the byte.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "service/server_process.hpp"
#include "support/test_support.hpp"

namespace xm {
namespace {

using Json = nlohmann::json;

class Serve : public ::testing::Test {
 protected:
  void SetUp() override { test::write_small_book(book); }

  // What `xmargin run` writes to margins.csv for the book.
  std::string run_margins_csv() {
    const test::CommandResult run =
        test::run_command(std::string(XM_BINARY) + " run --backend cpu --dir " + book.path() +
                          " --out " + book.file("out"));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return test::read_text(book.file("out/margins.csv"));
  }

  test::TempDir book;
};

TEST_F(Serve, ServesTheMarginsOfTheRunByteForByte) {
  const std::string expected = run_margins_csv();
  test::ServerProcess server({"--backend", "cpu", "--dir", book.path()});
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client client("127.0.0.1", server.port());

  const auto csv = client.Get("/v1/margins?format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body, expected);

  const auto json = client.Get("/v1/margins");
  ASSERT_TRUE(json);
  const Json margins = Json::parse(json->body);
  EXPECT_EQ(margins["state_version"], 1);
  ASSERT_EQ(margins["accounts"].size(), 2u);
  ASSERT_EQ(margins["groups"].size(), 1u);
  // Numbers read back to the doubles of margins.csv.
  const std::string a1 = expected.substr(expected.find("account,A1,") + 11);
  EXPECT_EQ(margins["accounts"][0]["id"], "A1");
  EXPECT_EQ(margins["accounts"][0]["margin"].get<double>(), std::stod(a1.substr(0, a1.find(','))));
  EXPECT_EQ(margins["accounts"][1]["components"]["margin"].get<double>(),
            margins["accounts"][1]["margin"].get<double>());

  const auto health = client.Get("/v1/health");
  ASSERT_TRUE(health);
  const Json state = Json::parse(health->body);
  EXPECT_EQ(state["status"], "ok");
  EXPECT_EQ(state["backend"], "cpu");
  EXPECT_EQ(state["accounts"], 2);
  EXPECT_EQ(state["groups"], 1);
  EXPECT_EQ(state["positions"], 3);
  EXPECT_EQ(state["scenarios"], 5);

  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("xmargin_requests_total{endpoint=\"health\",status=\"200\"} 1"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("xmargin_book_size{what=\"accounts\"} 2"), std::string::npos);
  EXPECT_NE(metrics->body.find("xmargin_state_version 1"), std::string::npos);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(Serve, AnAccountComesWithItsComponentsPositionsAndGroup) {
  test::ServerProcess server({"--backend", "cpu", "--dir", book.path()});
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client client("127.0.0.1", server.port());
  const auto reply = client.Get("/v1/accounts/A1");
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  const Json account = Json::parse(reply->body);
  EXPECT_EQ(account["account"]["id"], "A1");
  EXPECT_EQ(account["account"]["positions"], 2);
  EXPECT_EQ(account["account"]["components"]["statistical"].get<double>(),
            account["account"]["es"].get<double>());
  EXPECT_TRUE(account["account"].contains("worst_scenario_label"));
  ASSERT_EQ(account["positions"].size(), 2u);
  // In instruments.csv's order, as the book holds them.
  EXPECT_EQ(account["positions"][0]["instrument"], "FAA");
  EXPECT_EQ(account["positions"][0]["quantity"], 1.0);
  EXPECT_EQ(account["positions"][1]["instrument"], "CAA");
  EXPECT_EQ(account["positions"][1]["quantity"], -2.0);
  EXPECT_EQ(account["group"]["id"], "G1");

  const auto unknown = client.Get("/v1/accounts/NOPE");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json::parse(unknown->body)["error"], "unknown account 'NOPE'");
}

TEST_F(Serve, CurlGetsJsonErrorsForWhatIsNotThere) {
  test::ServerProcess server({"--backend", "cpu", "--dir", book.path()});
  ASSERT_NE(server.port(), 0) << server.output();
  const std::string base =
      "curl -s -w ' %{http_code}' http://127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(test::run_command(base + "/v1/nothing").output,
            "{\"error\":\"no such endpoint\"}\n 404");
  EXPECT_EQ(test::run_command(base + "/v1/margins?format=xml").output,
            "{\"error\":\"format must be \\\"json\\\" or \\\"csv\\\", found \\\"xml\\\"\"}\n 400");
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(Serve, BadInputsStopItBeforeItListens) {
  book.write("config.json", "{\"measure\": \"median\"}");
  test::ServerProcess broken({"--backend", "cpu", "--dir", book.path()});
  EXPECT_EQ(broken.port(), 0);
  EXPECT_EQ(broken.wait(), 2) << broken.output();
  EXPECT_NE(broken.output().find("config.json:1:13: '/measure': expected \"es\" or \"var\""),
            std::string::npos)
      << broken.output();
}

TEST(ServeListen, LoopbackWithoutATokenAndRealPorts) {
  const std::string serve = std::string(XM_BINARY) + " serve --listen ";
  const test::CommandResult open = test::run_command(serve + "0.0.0.0:8080");
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.output.find("--listen 0.0.0.0:8080: an address other machines reach needs "
                             "--token-file"),
            std::string::npos)
      << open.output;
  const test::CommandResult port = test::run_command(serve + "127.0.0.1:70000");
  EXPECT_EQ(port.exit_code, 2);
  EXPECT_NE(port.output.find("--listen must be HOST:PORT with a port from 0 (any free port) to "
                             "65535: got '127.0.0.1:70000'"),
            std::string::npos)
      << port.output;
}

}  // namespace
}  // namespace xm
