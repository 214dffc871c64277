#pragma once
// The margin service's HTTP/1.1 endpoints (README "Intraday service",
// docs/service.md) over cpp-httplib, with Prometheus metrics from
// prometheus-cpp. Every request reads the one ServiceState current when it
// starts.
#include <atomic>
#include <memory>
#include <string>

#include "service/margin_service.hpp"

namespace xm::service {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: an ephemeral port, chosen by the system
  std::size_t max_body_bytes = std::size_t{1} << 20;
  // When not empty, every request must carry "Authorization: Bearer <token>"
  // (compared in constant time), else 401.
  std::string token;
  // Both given: HTTPS with this certificate and private key (PEM files).
  std::string tls_cert, tls_key;
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
