// The service under load (docs/service.md "Limits"): a bounded pool that
// answers 503 with Retry-After when it is full, a deadline that drops slow
// clients, and a body limit. Servers are real processes, saturated with raw
// sockets that send half a request; the pool is also tested on its own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "service/bounded_pool.hpp"
#include "service/guarded_server.hpp"
#include "service/http_server.hpp"
#include "service/server_process.hpp"
#include "support/test_support.hpp"

namespace xm {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using service::Admission;
using service::BoundedPool;
using std::chrono::milliseconds;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------- the pool

// A door tasks wait at until the test opens it, and a count of those that
// reached it.
class Gate {
 public:
  void arrive_and_wait() {
    std::unique_lock lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  // False when fewer than `count` tasks arrive within a generous bound.
  bool wait_for_arrivals(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= count; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
  bool open_ = false;
};

// A pool whose tasks wait at a gate. The gate opens before the pool joins its
// threads, so that a failed assertion ends the test rather than hanging it.
struct GatedPool {
  GatedPool(std::size_t workers, std::size_t queue, std::size_t shed_queue)
      : pool(workers, queue, shed_queue) {}
  ~GatedPool() { gate.open(); }
  Gate gate;
  BoundedPool pool;
};

TEST(BoundedPool, NeverHoldsMoreThanItsQueueAndRunsEveryTaskOnce) {
  constexpr int kTasks = 11;
  std::vector<std::atomic<int>> runs(kTasks);
  std::vector<Admission> admissions(kTasks);
  GatedPool gated(2, 3, 2);
  BoundedPool& pool = gated.pool;
  Gate& gate = gated.gate;
  const auto enqueue = [&](int task) {
    pool.enqueue([&, task] {
      admissions[task] = BoundedPool::admission();
      ++runs[task];
      // A refused task runs on the enqueuing thread: it must not wait.
      if (admissions[task] != Admission::refused) gate.arrive_and_wait();
    });
  };
  // Two workers take two tasks; three wait for them.
  enqueue(0);
  enqueue(1);
  ASSERT_TRUE(gate.wait_for_arrivals(2));
  for (int task = 2; task < 5; ++task) enqueue(task);
  EXPECT_EQ(pool.waiting(), 3u);
  // The shedding thread takes one and two wait for it.
  enqueue(5);
  ASSERT_TRUE(gate.wait_for_arrivals(3)) << "nothing reached the shedding thread";
  enqueue(6);
  enqueue(7);
  // Then each runs at once, refused, before enqueue returns.
  for (int task = 8; task < kTasks; ++task) {
    enqueue(task);
    EXPECT_EQ(runs[task], 1) << task;
    EXPECT_EQ(admissions[task], Admission::refused) << task;
  }
  EXPECT_EQ(pool.waiting(), 3u);
  for (int task = 0; task < 5; ++task) EXPECT_EQ(runs[task], task < 2 ? 1 : 0) << task;

  gate.open();
  pool.shutdown();
  for (int task = 0; task < kTasks; ++task) {
    EXPECT_EQ(runs[task], 1) << task;
    const Admission expected = task < 5   ? Admission::served
                               : task < 8 ? Admission::shed
                                          : Admission::refused;
    EXPECT_EQ(admissions[task], expected) << task;
  }
  EXPECT_EQ(pool.waiting(), 0u);
}

TEST(BoundedPool, ShutdownRunsWhatIsQueuedThenJoins) {
  std::atomic<int> done = 0;
  GatedPool gated(1, 8, 0);
  BoundedPool& pool = gated.pool;
  Gate& gate = gated.gate;
  pool.enqueue([&] {
    gate.arrive_and_wait();
    ++done;
  });
  ASSERT_TRUE(gate.wait_for_arrivals(1));
  for (int task = 0; task < 8; ++task) pool.enqueue([&] { ++done; });
  EXPECT_EQ(pool.waiting(), 8u);
  gate.open();
  pool.shutdown();
  // Every task ran, and no thread is left to run one after shutdown returns.
  EXPECT_EQ(done, 9);
  pool.shutdown();  // again: nothing to do
  // After shutdown nothing waits: a task runs at once, refused.
  Admission late = Admission::served;
  pool.enqueue([&] { late = BoundedPool::admission(); });
  EXPECT_EQ(late, Admission::refused);
}

TEST(BoundedPool, AWorkerSeesConnectionsWaitingForIt) {
  EXPECT_FALSE(BoundedPool::others_waiting());  // not on a worker
  EXPECT_EQ(BoundedPool::admission(), Admission::served);
  std::atomic<int> first_saw = -1, second_saw = -1;
  GatedPool gated(1, 1, 0);
  BoundedPool& pool = gated.pool;
  Gate& gate = gated.gate;
  pool.enqueue([&] {
    gate.arrive_and_wait();
    first_saw = BoundedPool::others_waiting();
  });
  ASSERT_TRUE(gate.wait_for_arrivals(1));
  pool.enqueue([&] { second_saw = BoundedPool::others_waiting(); });
  gate.open();
  pool.shutdown();
  EXPECT_EQ(first_saw, 1);
  EXPECT_EQ(second_saw, 0);
}

// ---------------------------------------------------------------- the server

// Connections waiting to be accepted by the server listening on
// 127.0.0.1:port: a listening socket's rx_queue in /proc/net/tcp. −1 when it
// cannot be told.
int accept_backlog(int port) {
  std::ifstream table("/proc/net/tcp");
  char local[16];
  std::snprintf(local, sizeof local, "0100007F:%04X", static_cast<unsigned>(port));
  std::string line;
  std::getline(table, line);  // the column names
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, address, remote, state, queues;
    fields >> slot >> address >> remote >> state >> queues;
    if (address == local && state == "0A") {
      return std::stoi(queues.substr(queues.find(':') + 1), nullptr, 16);
    }
  }
  return -1;
}

// A TCP connection the test drives byte by byte.
class RawConnection {
 public:
  // Returns once the server has accepted the connection. Two connections made
  // one after the other may reach the accept queue in either order; the
  // tests need theirs to reach the pool in the order they are made.
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address)) {
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    const auto connected = Clock::now();
    while (accept_backlog(port) > 0 && seconds_since(connected) < 5.0) {
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool send(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // What the server has written so far, without waiting.
  std::string read_now() {
    char buffer[4096];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
  }
  // Whether the server wrote or closed within `wait`.
  bool answered_within(milliseconds wait) {
    pollfd fd{fd_, POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(wait.count())) > 0;
  }
  // What the server writes until it closes; "<open>" appended when it has not
  // closed within `wait`.
  std::string read_to_close(milliseconds wait) {
    std::string text;
    const auto until = Clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (left.count() <= 0 || !answered_within(left)) return text + "<open>";
      char buffer[4096];
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) return text;
      text.append(buffer, static_cast<std::size_t>(got));
    }
  }

 private:
  int fd_;
};

// Half a request: the server waits for the rest.
std::unique_ptr<RawConnection> half_request(int port) {
  auto connection = std::make_unique<RawConnection>(port);
  connection->send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  return connection;
}

std::string body_of(const std::string& answer) {
  const std::size_t end = answer.find("\r\n\r\n");
  return end == std::string::npos ? "" : answer.substr(end + 4);
}

// A counter's value in Prometheus text; −1 when the series is not there.
double metric(const std::string& text, const std::string& series) {
  const std::size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1.0;
  return std::stod(text.substr(at + series.size() + 2));
}

const std::string kBusyBody = std::string("{\"error\":\"") + service::kBusyMessage + "\"}\n";

class ServeLimits : public ::testing::Test {
 protected:
  void SetUp() override { test::write_small_book(book); }

  std::vector<std::string> args(std::vector<std::string> limits) const {
    std::vector<std::string> all = {"--backend", "cpu", "--dir", book.path()};
    all.insert(all.end(), limits.begin(), limits.end());
    return all;
  }

  test::TempDir book;
};

// A busy answer: at once, 503, Retry-After: 1, the connection closed.
void expect_busy(const httplib::Result& reply, Clock::time_point asked) {
  EXPECT_LT(seconds_since(asked), 2.0);
  ASSERT_TRUE(reply) << httplib::to_string(reply.error());
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(reply->get_header_value("Retry-After"), "1");
  EXPECT_EQ(reply->get_header_value("Connection"), "close");
  EXPECT_EQ(reply->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(reply->body, kBusyBody);
  EXPECT_EQ(Json::parse(reply->body)["error"], service::kBusyMessage);
}

TEST_F(ServeLimits, AFullServerAnswers503WithRetryAfterAtOnce) {
  test::ServerProcess server(args({"--workers", "1", "--queue", "1", "--deadline", "5"}));
  ASSERT_NE(server.port(), 0) << server.output();
  // The worker waits for the rest of one request, one more waits in the queue.
  std::vector<std::unique_ptr<RawConnection>> held;
  held.push_back(half_request(server.port()));
  held.push_back(half_request(server.port()));

  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(5, 0);
  int busy = 0;
  // The shedding thread reads this request and answers it.
  auto asked = Clock::now();
  expect_busy(client.Get("/v1/health"), asked);
  ++busy;

  // The shedding thread and its queue full too: the accepting thread answers
  // without reading the request.
  const std::size_t shed_room = service::ServerOptions{}.shed_queue;
  for (std::size_t c = 0; c < 1 + shed_room; ++c) held.push_back(half_request(server.port()));
  asked = Clock::now();
  expect_busy(client.Get("/v1/margins"), asked);
  ++busy;
  // When the shedding thread was still closing the first busy connection, the
  // last of these found no room either and was answered 503 at once too.
  for (const auto& connection : held) {
    if (connection->read_now().rfind("HTTP/1.1 503 ", 0) == 0) ++busy;
  }
  EXPECT_LE(busy, 3);

  // Once the held connections go, the server answers again, as Retry-After
  // says to try.
  held.clear();
  const auto freed = Clock::now();
  int status = 0;
  while (seconds_since(freed) < 5.0) {
    const auto reply = client.Get("/v1/health");
    ASSERT_TRUE(reply);
    status = reply->status;
    if (status != 503) break;
    ++busy;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(status, 200);
  // Each busy answer is counted, shed or refused alike.
  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metric(metrics->body, R"(xmargin_requests_total{endpoint="shed",status="503"})"), busy)
      << metrics->body;
  EXPECT_EQ(metric(metrics->body, R"(xmargin_errors_total{kind="shed",status="503"})"), busy);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(ServeLimits, AnIdleKeepAliveConnectionGivesItsWorkerUp) {
  test::ServerProcess server(args({"--workers", "1", "--queue", "1"}));
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client kept("127.0.0.1", server.port());
  kept.set_keep_alive(true);
  const auto first = kept.Get("/v1/health");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Keep-Alive"), "timeout=5, max=1000");
  // The kept connection holds the only worker until another connection waits:
  // that one is then answered, not after the keep-alive timeout (5 s).
  httplib::Client other("127.0.0.1", server.port());
  const auto asked = Clock::now();
  const auto reply = other.Get("/v1/health");
  EXPECT_LT(seconds_since(asked), 2.0);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  // The kept client connects again.
  const auto again = kept.Get("/v1/health");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(ServeLimits, KeptAliveAnswersDoNotWaitForDelayedAcks) {
  test::ServerProcess server(args({}));
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  // Headers and body go in two sends; with Nagle's algorithm the body waited
  // for the client's delayed ACK, some 40 ms a request (2.6 s for these).
  const auto started = Clock::now();
  for (int request = 0; request < 100; ++request) {
    const auto reply = client.Get("/v1/health");
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->status, 200);
  }
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(ServeLimits, ASlowClientIsDroppedAtTheDeadline) {
  test::ServerProcess server(args({"--workers", "1", "--queue", "4", "--deadline", "1"}));
  ASSERT_NE(server.port(), 0) << server.output();
  const std::string expired =
      "{\"error\":\"the request did not arrive within the deadline (1 s)\"}\n";

  // Headers dribbled a byte every 50 ms: each read is quick, their sum is not.
  RawConnection slow(server.port());
  ASSERT_TRUE(slow.send("GET /v1/health HTTP/1.1\r\nX-Slow: "));
  const auto started = Clock::now();
  while (!slow.answered_within(milliseconds(50)) && seconds_since(started) < 5.0) {
    slow.send("x");
  }
  const double dropped_after = seconds_since(started);
  const std::string answer = slow.read_to_close(milliseconds(2000));
  EXPECT_GT(dropped_after, 0.9);
  EXPECT_LT(dropped_after, 3.0);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("\r\nConnection: close\r\n"), std::string::npos) << answer;
  EXPECT_EQ(body_of(answer), expired);

  // A body that never ends: dropped the same way, with others still answered.
  RawConnection unfinished(server.port());
  ASSERT_TRUE(unfinished.send(
      "POST /v1/whatif HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
      "{\"account\""));
  httplib::Client client("127.0.0.1", server.port());
  const auto queued = client.Get("/v1/health");  // waits for the worker: at most the deadline
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->status, 200);
  const std::string unfinished_answer = unfinished.read_to_close(milliseconds(3000));
  EXPECT_EQ(unfinished_answer.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u)
      << unfinished_answer;
  EXPECT_EQ(body_of(unfinished_answer), expired);

  // A connection that sends nothing holds its worker no longer than the
  // deadline either; there is no request to answer.
  RawConnection silent(server.port());
  EXPECT_EQ(silent.read_to_close(milliseconds(3000)), "");

  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metric(metrics->body, R"(xmargin_errors_total{kind="deadline",status="408"})"), 2)
      << metrics->body;
  const auto health = client.Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(ServeLimits, ABodyOverTheLimitIs413Json) {
  test::ServerProcess server(args({}));
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client client("127.0.0.1", server.port());
  const std::string body((std::size_t{1} << 20) + 1, ' ');
  const auto reply = client.Post("/v1/whatif", body, "application/json");
  ASSERT_TRUE(reply) << httplib::to_string(reply.error());
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->body, "{\"error\":\"request body over the limit\"}\n");
  const auto unknown = client.Get("/v1/nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  // Refusals are counted by status.
  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metric(metrics->body, R"(xmargin_errors_total{kind="refused",status="413"})"), 1)
      << metrics->body;
  EXPECT_EQ(metric(metrics->body, R"(xmargin_errors_total{kind="refused",status="404"})"), 1);
  const auto health = client.Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

// cpp-httplib 0.11 bounds neither a chunked body nor the headers: the
// service does, by the body's limit and by what a request may send in all.
TEST_F(ServeLimits, AChunkedBodyAndEndlessHeadersAreHeldToTheLimitToo) {
  test::ServerProcess server(args({}));
  ASSERT_NE(server.port(), 0) << server.output();
  httplib::Client client("127.0.0.1", server.port());
  // Chunked (no Content-Length): 2 MiB in 64 KiB chunks.
  const std::string chunk(std::size_t{64} << 10, ' ');
  const auto chunked = client.Post(
      "/v1/whatif",
      [&](std::size_t offset, httplib::DataSink& sink) {
        if (offset >= (std::size_t{2} << 20)) {
          sink.done();
        } else {
          sink.write(chunk.data(), chunk.size());
        }
        return true;
      },
      "application/json");
  if (chunked) {  // the server may close before the client has sent it all
    EXPECT_EQ(chunked->status, 413) << chunked->body;
  }

  // Headers without end: the connection is closed once they pass what a
  // request may send, and the server answers others meanwhile.
  RawConnection endless(server.port());
  endless.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const std::string header = "X-Filler: " + std::string(1000, 'x') + "\r\n";
  bool closed = false;
  for (int k = 0; k < 4000 && !closed; ++k) closed = !endless.send(header);
  EXPECT_TRUE(closed ||
              endless.read_to_close(milliseconds(3000)).find("<open>") == std::string::npos);
  const auto health = client.Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST_F(ServeLimits, AFullHttpsServerAnswers503OverTls) {
  const test::CommandResult made = test::run_command(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
      book.file("key.pem") + " -out " + book.file("cert.pem"));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  test::ServerProcess server(args({"--tls-cert", book.file("cert.pem"), "--tls-key",
                                   book.file("key.pem"), "--workers", "1", "--queue", "0"}));
  ASSERT_NE(server.port(), 0) << server.output();
  // The worker waits for a TLS handshake that does not come.
  auto stalled = std::make_unique<RawConnection>(server.port());
  httplib::SSLClient client("127.0.0.1", server.port());
  client.enable_server_certificate_verification(false);
  client.set_read_timeout(5, 0);
  const auto asked = Clock::now();
  expect_busy(client.Get("/v1/health"), asked);
  // Stopping waits for the worker, which waits on its client at most the
  // deadline: let it go at once.
  stalled.reset();
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST(ServeLimitFlags, BadValuesAreExitTwo) {
  const std::string serve = std::string(XM_BINARY) + " serve --listen 127.0.0.1:0 ";
  const std::pair<const char*, const char*> cases[] = {
      {"--workers 0", "--workers must be a whole number from 1 to 256: got '0'"},
      {"--workers many", "--workers must be a whole number from 1 to 256: got 'many'"},
      {"--queue -1", "--queue must be a whole number from 0 to 512: got '-1'"},
      {"--queue 513", "--queue must be a whole number from 0 to 512: got '513'"},
      {"--deadline 0", "--deadline must be a whole number of seconds from 1 to 3600: got '0'"},
      {"--deadline 1.5", "--deadline must be a whole number of seconds from 1 to 3600: got '1.5'"}};
  for (const auto& [flags, message] : cases) {
    const test::CommandResult run = test::run_command(serve + flags);
    EXPECT_EQ(run.exit_code, 2) << flags << "\n" << run.output;
    EXPECT_NE(run.output.find(message), std::string::npos) << flags << "\n" << run.output;
  }
}

}  // namespace
}  // namespace xm
