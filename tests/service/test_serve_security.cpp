// The service's defaults are safe: 127.0.0.1 unless a bearer token guards
// every request, the token compared whole, and HTTPS with a certificate.
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "service/server_process.hpp"
#include "support/test_support.hpp"

namespace xm {
namespace {

constexpr const char* kToken = "s3cret-token-of-32-characters-00";

class ServeSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_small_book(book);
    book.write("token", std::string(kToken) + "\n");
  }
  test::TempDir book;
};

TEST_F(ServeSecurity, ATokenGuardsEveryEndpoint) {
  test::ServerProcess server(
      {"--backend", "cpu", "--dir", book.path(), "--token-file", book.file("token")});
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client client("127.0.0.1", server.port());
  for (const char* path : {"/v1/health", "/v1/margins", "/v1/accounts/A1", "/metrics"}) {
    const auto bare = client.Get(path);
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->status, 401) << path;
    EXPECT_EQ(bare->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(bare->body,
              "{\"error\":\"a bearer token is required (Authorization: Bearer <token>)\"}\n");
    // A prefix of the token, or the token and more, is not the token.
    for (const std::string& wrong : {std::string(kToken).substr(0, 20), std::string(kToken) + "x",
                                     std::string(kToken).replace(31, 1, "1")}) {
      const auto guessed = client.Get(path, {{"Authorization", "Bearer " + wrong}});
      ASSERT_TRUE(guessed);
      EXPECT_EQ(guessed->status, 401) << path << " " << wrong;
    }
    const auto right = client.Get(path, {{"Authorization", std::string("Bearer ") + kToken}});
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 200) << path;
  }
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(ServeSecurity, AnAddressOtherMachinesReachNeedsAToken) {
  test::ServerProcess open({"--backend", "cpu", "--dir", book.path()}, "0.0.0.0:0");
  EXPECT_EQ(open.port(), 0);
  EXPECT_EQ(open.wait(), 2);
  EXPECT_NE(open.output().find("--listen 0.0.0.0:0: an address other machines reach needs "
                               "--token-file"),
            std::string::npos)
      << open.output();
  // With a token it listens there (asked here through 127.0.0.1).
  test::ServerProcess guarded(
      {"--backend", "cpu", "--dir", book.path(), "--token-file", book.file("token")}, "0.0.0.0:0");
  ASSERT_NE(guarded.port(), 0) << guarded.output();
  httplib::Client client("127.0.0.1", guarded.port());
  const auto reply = client.Get("/v1/health", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(guarded.stop(), 0);
}

TEST_F(ServeSecurity, AShortTokenIsRefused) {
  book.write("short", "abc\n");
  test::ServerProcess server(
      {"--backend", "cpu", "--dir", book.path(), "--token-file", book.file("short")});
  EXPECT_EQ(server.wait(), 2);
  EXPECT_NE(server.output().find("short:1: the bearer token must be one line of at least 16 "
                                 "characters without spaces (--token-file)"),
            std::string::npos)
      << server.output();
}

TEST_F(ServeSecurity, ServesHttpsWithACertificate) {
  // A throw-away self-signed certificate for localhost.
  const test::CommandResult made = test::run_command(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
      book.file("key.pem") + " -out " + book.file("cert.pem"));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  test::ServerProcess server({"--backend", "cpu", "--dir", book.path(), "--tls-cert",
                              book.file("cert.pem"), "--tls-key", book.file("key.pem")});
  ASSERT_NE(server.port(), 0) << server.output();
  EXPECT_NE(server.output().find("on https://127.0.0.1:"), std::string::npos);
  httplib::SSLClient client("127.0.0.1", server.port());
  client.enable_server_certificate_verification(false);
  const auto reply = client.Get("/v1/margins?format=csv");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body.rfind("level,id,margin,", 0), 0u);
  // curl checks the certificate it was given.
  const test::CommandResult curl =
      test::run_command("curl -s --cacert " + book.file("cert.pem") +
                        " https://localhost:" + std::to_string(server.port()) + "/v1/health");
  EXPECT_NE(curl.output.find("\"status\":\"ok\""), std::string::npos) << curl.output;
  // Plain HTTP to the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(2, 0);
  const auto refused = plain.Get("/v1/health");
  EXPECT_TRUE(!refused || refused->status != 200);
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(ServeSecurity, ACertificateThatIsNotOneIsExitTwo) {
  book.write("cert.pem", "not a certificate\n");
  book.write("key.pem", "not a key\n");
  test::ServerProcess server({"--backend", "cpu", "--dir", book.path(), "--tls-cert",
                              book.file("cert.pem"), "--tls-key", book.file("key.pem")});
  EXPECT_EQ(server.wait(), 2);
  EXPECT_NE(server.output().find(": not a PEM certificate and its private key"), std::string::npos)
      << server.output();
}

}  // namespace
}  // namespace xm
