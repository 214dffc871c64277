#pragma once
// The margin service's HTTP/1.1 endpoints (README "Intraday service",
// docs/service.md) over cpp-httplib, with Prometheus metrics from
// prometheus-cpp. Every request reads the one ServiceState current when it
// starts.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "service/margin_service.hpp"

namespace xm::service {

// The bounds --workers, --queue and --deadline may take. Every worker and
// waiting connection holds a socket, and cpp-httplib 0.11 (built on select)
// answers 500 on a socket numbered 1024 or more: these keep well below.
inline constexpr std::size_t kMostWorkers = 256;
inline constexpr std::size_t kMostQueue = 512;
inline constexpr std::chrono::seconds kMostDeadline{3600};

// max(32, 4 × the hardware threads): handlers are fast, but a worker also
// waits on its client, and each kept-alive client holds one. Idle threads
// cost little; too few make kept-alive connections give their workers up,
// and a client whose idle connection is closed just as it sends a request
// sees the connection fail (the benchmark's 8 clients did, with 8 workers).
inline std::size_t default_workers() {
  return std::clamp<std::size_t>(4 * std::size_t{std::thread::hardware_concurrency()}, 32,
                                 kMostWorkers);
}

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: an ephemeral port, chosen by the system
  std::size_t max_body_bytes = std::size_t{1} << 20;
  // When not empty, every request must carry "Authorization: Bearer <token>"
  // (compared in constant time), else 401.
  std::string token;
  // Both given: HTTPS with this certificate and private key (PEM files).
  std::string tls_cert, tls_key;
  // Threads serving connections, and connections that may wait for one;
  // beyond them the answer is 503 with Retry-After: 1 (docs/service.md
  // "Limits").
  std::size_t workers = default_workers();
  std::size_t queue = 64;
  // Connections that may wait for the one thread answering those 503s; beyond
  // them too, the accepting thread writes the 503 without reading the request.
  std::size_t shed_queue = 16;
  // The most a request may spend waiting on its client: to arrive in full and
  // for its answer to be taken. Time computing the answer is not counted.
  std::chrono::seconds deadline{10};
};

class MarginServer {
 public:
  MarginServer(MarginService& service, const ServerOptions& options);
  ~MarginServer();
  MarginServer(const MarginServer&) = delete;
  MarginServer& operator=(const MarginServer&) = delete;

  // Binds the address; returns the port (the chosen one for port 0). A port
  // that cannot be bound is an InputError naming the address.
  int bind();
  // Serves until stop(); requests in flight finish first.
  void run();
  void stop();
  bool is_running() const;

 private:
  struct Impl;
  MarginService& service_;
  ServerOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xm::service
