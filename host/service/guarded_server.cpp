#include "service/guarded_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "service/bounded_pool.hpp"
#include "service/client_stream.hpp"

namespace xm::service {
namespace {

thread_local const ClientStream* current_stream = nullptr;
thread_local bool current_is_last = false;

// Marks the request the calling thread serves, for request_deadline_passed
// and request_is_last.
class Serving {
 public:
  Serving(const ClientStream& stream, bool last) {
    current_stream = &stream;
    current_is_last = last;
  }
  ~Serving() {
    current_stream = nullptr;
    current_is_last = false;
  }
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;
};

void close_socket(socket_t sock) {
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

// Reads and drops what the client sends, up to `most` bytes, until `wait`
// passes without any, or for one second in all (a client trickling bytes
// cannot hold the thread). Closing a socket with unread data resets the
// connection, and a reset may reach the client before it has read the answer.
void drain(socket_t sock, std::size_t most, int wait_ms) {
  char scratch[4096];
  pollfd fd{sock, POLLIN, 0};
  const auto until = Clock::now() + std::chrono::seconds(1);
  for (std::size_t drained = 0; drained < most && Clock::now() < until;) {
    if (wait_ms > 0 && ::poll(&fd, 1, wait_ms) <= 0) return;
    const ssize_t got = ::recv(sock, scratch, sizeof scratch, MSG_DONTWAIT);
    if (got <= 0) return;
    drained += static_cast<std::size_t>(got);
  }
}

// A shed answer is written before the request's body is read, and a body
// over the limit is answered 413 unread: read what follows for a moment (the
// answer says Connection: close), then close, so that the client reads the
// answer instead of a reset. `most` bounds what is read.
void close_lingering(socket_t sock, std::size_t most) {
  ::shutdown(sock, SHUT_WR);
  drain(sock, most, 100);
  ::close(sock);
}

const std::string& busy_answer() {
  static const std::string answer = [] {
    const std::string body = std::string("{\"error\":\"") + kBusyMessage + "\"}\n";
    return "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) +
           "\r\nContent-Type: application/json\r\nRetry-After: 1\r\n\r\n" + body;
  }();
  return answer;
}

// Everything is full and this runs on the accepting thread: nothing may wait.
// The answer goes if the socket takes it at once (a fresh socket does), and
// only what the client has already sent is read.
void refuse_plain(socket_t sock) {
  const std::string& answer = busy_answer();
  ::send(sock, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(sock, SHUT_WR);
  drain(sock, std::size_t{64} << 10, 0);
  ::close(sock);
}

// What a guarded server reads from cpp-httplib's settings for each
// connection.
struct Settings {
  OperationTimeouts timeouts;
  Clock::duration idle;  // keep-alive timeout
  std::size_t requests;  // keep-alive count
};

// Serves the requests of one connection until the client closes it, a request
// fails, its count is served, the server stops, or the worker is wanted.
// `run(stream, last, closed)` is Server::process_request.
template <typename Run>
bool serve_requests(ClientStream& stream, const Settings& settings, const ConnectionLimits& limits,
                    const ConnectionEvents& events, const std::atomic<socket_t>& listener,
                    Run run) {
  const bool shed = BoundedPool::admission() == Admission::shed;
  const std::size_t most = shed ? 1 : std::max<std::size_t>(settings.requests, 1);
  const Clock::duration idle =
      shed ? std::min<Clock::duration>(settings.idle, limits.shed_deadline) : settings.idle;
  const auto stopped = [&] { return listener == INVALID_SOCKET; };
  bool ok = false;
  for (std::size_t served = 0; served < most; ++served) {
    // The first request was waited for in the queue already; later ones give
    // the worker up to a connection waiting for one.
    if (!stream.await_request(
            idle, [&] { return stopped() || (served > 0 && BoundedPool::others_waiting()); })) {
      break;
    }
    stream.start_request(shed ? limits.shed_deadline : limits.deadline, limits.request_bytes);
    // The answer says "Connection: close" when it is the last.
    const bool last = served + 1 == most || stopped() || BoundedPool::others_waiting();
    bool closed = false;
    {
      Serving serving(stream, last);
      ok = run(stream, last, closed);
    }
    if (stream.expired()) {
      // Too slow once: not waited on again.
      if (events.expired) events.expired();
      break;
    }
    if (!ok || closed || last) break;
  }
  return ok;
}

Clock::duration duration_of(time_t seconds, time_t microseconds) {
  return std::chrono::seconds(seconds) + std::chrono::microseconds(microseconds);
}

// Both servers below read these protected members of httplib::Server, which
// set_read_timeout, set_write_timeout, set_keep_alive_timeout and
// set_keep_alive_max_count write.
template <typename Server>
class Guarded : public Server {
 public:
  template <typename... Args>
  Guarded(const ConnectionLimits& limits, ConnectionEvents events, Args&&... args)
      : Server(std::forward<Args>(args)...), limits_(limits), events_(std::move(events)) {}

 protected:
  Settings settings() const {
    return {{duration_of(this->read_timeout_sec_, this->read_timeout_usec_),
             duration_of(this->write_timeout_sec_, this->write_timeout_usec_)},
            std::chrono::seconds(this->keep_alive_timeout_sec_),
            this->keep_alive_max_count_};
  }
  void count_refused() const {
    if (events_.refused) events_.refused();
  }

  ConnectionLimits limits_;
  ConnectionEvents events_;
};

class GuardedServer final : public Guarded<httplib::Server> {
 public:
  using Guarded::Guarded;

 private:
  bool process_and_close_socket(socket_t sock) override {
    const Admission admission = BoundedPool::admission();
    if (admission == Admission::refused) {
      count_refused();  // before the client can see the answer
      refuse_plain(sock);
      return false;
    }
    bool ok = false;
    {
      const Settings settings = this->settings();
      PlainStream stream(sock, settings.timeouts);
      ok = serve_requests(stream, settings, limits_, events_, svr_sock_,
                          [this](httplib::Stream& strm, bool last, bool& closed) {
                            return process_request(strm, last, closed, nullptr);
                          });
    }
    // A served connection may have left a refused body unread: up to twice
    // what a request may send is drained (a client sends no more once it
    // has its answer).
    close_lingering(
        sock, admission == Admission::shed ? std::size_t{256} << 10 : 2 * limits_.request_bytes);
    return ok;
  }
};

class GuardedSslServer final : public Guarded<httplib::SSLServer> {
 public:
  using Guarded::Guarded;

 private:
  bool process_and_close_socket(socket_t sock) override {
    if (BoundedPool::admission() == Admission::refused) {
      count_refused();
      close_socket(sock);
      return false;
    }
    const bool shed = BoundedPool::admission() == Admission::shed;
    bool ok = false;
    {
      const Settings settings = this->settings();
      TlsStream stream(sock, settings.timeouts, ssl_context());
      if (stream.handshake(shed ? limits_.shed_deadline : limits_.deadline)) {
        ok = serve_requests(stream, settings, limits_, events_, svr_sock_,
                            [this, &stream](httplib::Stream& strm, bool last, bool& closed) {
                              return process_request(strm, last, closed,
                                                     [&stream](httplib::Request& request) {
                                                       request.ssl = stream.ssl();
                                                     });
                            });
        if (ok) stream.close_notify();
      } else if (stream.expired() && events_.expired) {
        events_.expired();
      }
    }
    close_socket(sock);
    return ok;
  }
};

}  // namespace

std::unique_ptr<httplib::Server> make_guarded_server(const std::string& tls_cert,
                                                     const std::string& tls_key,
                                                     const ConnectionLimits& limits,
                                                     ConnectionEvents events) {
  if (tls_cert.empty()) return std::make_unique<GuardedServer>(limits, std::move(events));
  return std::make_unique<GuardedSslServer>(limits, std::move(events), tls_cert.c_str(),
                                            tls_key.c_str());
}

bool request_deadline_passed() {
  return current_stream != nullptr && current_stream->expired();
}

bool request_is_last() {
  return current_is_last;
}

}  // namespace xm::service
