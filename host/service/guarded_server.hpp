#pragma once
// cpp-httplib's Server and SSLServer with the loop that serves one connection
// replaced (docs/service.md "Limits"): its requests are read and answered
// through a ClientStream, so that each has a deadline for all the time spent
// waiting on the client, not only one per read. The rest is cpp-httplib's:
// parsing, routing, handlers and writing go through Server::process_request.
//
// How the BoundedPool admitted the connection decides how it is served:
// - served: up to the keep-alive count of requests (set_keep_alive_max_count),
//   waiting for each at most the keep-alive timeout (set_keep_alive_timeout),
//   and giving an idle connection up when another connection waits for a
//   worker;
// - shed: one request within the shed deadline, answered by the pre-routing
//   handler (503), then "Connection: close";
// - refused: no request is read and nothing waits; over HTTP the canned 503
//   below is written if the socket takes it at once, over HTTPS the
//   connection is closed (a TLS handshake would wait on the client).
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace xm::service {

// The error every busy answer carries, shed or refused.
inline constexpr const char* kBusyMessage =
    "the service is busy (every worker taken and the queue full): retry after 1 second";

struct ConnectionLimits {
  // The most a request may spend waiting on its client.
  std::chrono::seconds deadline{10};
  // The same for a connection that is only answered 503.
  std::chrono::seconds shed_deadline{1};
  // The most a request may send, line, headers and body together: past it
  // a read fails and the connection is closed (cpp-httplib 0.11 bounds
  // neither the headers nor a chunked body).
  std::size_t request_bytes = (std::size_t{1} << 20) + (std::size_t{64} << 10);
};

// Where the server counts what never reaches a handler.
struct ConnectionEvents {
  std::function<void()> refused;  // closed with the canned 503
  // A request's (or a TLS handshake's) deadline passed; told once the request
  // is over, before the connection is closed.
  std::function<void()> expired;
};

// Plain HTTP, or HTTPS with the PEM certificate and key when `tls_cert` is
// not empty (is_valid() says whether they could be used).
std::unique_ptr<httplib::Server> make_guarded_server(const std::string& tls_cert,
                                                     const std::string& tls_key,
                                                     const ConnectionLimits& limits,
                                                     ConnectionEvents events);

// While the calling thread serves a request: whether its deadline passed (the
// error handler then answers 408).
bool request_deadline_passed();
// Whether the answer to that request is the connection's last: cpp-httplib
// then writes "Connection: close" itself.
bool request_is_last();

}  // namespace xm::service
