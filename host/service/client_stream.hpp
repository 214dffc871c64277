#pragma once
// The service's side of one client connection, plain or TLS, as the
// httplib::Stream that Server::process_request reads a request from and writes
// its answer to (docs/service.md "Limits").
//
// cpp-httplib's own streams bound each read and write by its timeout, so a
// client sending a byte just within every timeout holds a worker as long as
// it likes. These also bound the sum: each request has a budget, the
// deadline, for all the time spent waiting on the client, to read it and to
// write its answer. Time spent computing is not counted, so an answer that
// took long to compute is still sent. Once the budget is spent, nothing waits
// on the client any longer: a read or write goes only as far as the socket
// allows at once (a short error answer still goes out).
#include <httplib.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace xm::service {

using Clock = std::chrono::steady_clock;

// Per-operation bounds as cpp-httplib keeps them (set_read_timeout,
// set_write_timeout).
struct OperationTimeouts {
  Clock::duration read, write;
};

class ClientStream : public httplib::Stream {
 public:
  ClientStream(socket_t sock, OperationTimeouts timeouts) : sock_(sock), timeouts_(timeouts) {}

  // Waits at most `idle` for a request to start. False when none comes, or
  // when `give_up` (asked every few milliseconds) says to stop waiting.
  bool await_request(Clock::duration idle, const std::function<bool()>& give_up);
  // Gives the next request its budgets: `deadline` of waiting on the client,
  // and `bytes` of what it may send (its line, headers and body together);
  // past them a read fails.
  void start_request(Clock::duration deadline, std::size_t bytes);
  // Whether the current request's budget ran out.
  bool expired() const { return expired_; }

  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 protected:
  // What a read of `size` bytes may take of the byte budget: 0 when it is spent.
  std::size_t take_bytes(std::size_t size) {
    const std::size_t granted = std::min(size, bytes_left_);
    bytes_left_ -= granted;
    return granted;
  }
  void give_back_bytes(std::size_t unused) { bytes_left_ += unused; }
  // Waits for `events` (poll) for at most `timeout` and what is left of the
  // budget, which the wait uses up. False on a timeout or a spent budget.
  bool wait_for(short events, Clock::duration timeout) const;
  // Data already read from the socket and not yet handed out.
  virtual bool has_buffered() const = 0;

  socket_t sock_;
  OperationTimeouts timeouts_;

 private:
  mutable Clock::duration left_{};
  mutable bool expired_ = false;
  std::size_t bytes_left_ = 0;
};

// Plain TCP.
class PlainStream final : public ClientStream {
 public:
  using ClientStream::ClientStream;
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;

 private:
  bool has_buffered() const override { return next_ < end_; }
  // The request line and headers are read a byte at a time: one recv each
  // would be slow.
  std::vector<char> buffer_ = std::vector<char>(4096);
  std::size_t next_ = 0, end_ = 0;
};

// TLS over a socket it makes non-blocking, so that no OpenSSL call waits:
// every wait is a wait_for within the budget.
class TlsStream final : public ClientStream {
 public:
  TlsStream(socket_t sock, OperationTimeouts timeouts, SSL_CTX* context);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // The TLS handshake, within a budget of its own.
  bool handshake(Clock::duration deadline);
  // Sends close_notify when the socket takes it at once.
  void close_notify();
  SSL* ssl() const { return ssl_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;

 private:
  bool has_buffered() const override;
  // After an OpenSSL call returned `result`: waits for what it wants. False
  // when it failed or the wait did.
  bool wait_after(int result, Clock::duration timeout) const;

  SSL* ssl_;
};

}  // namespace xm::service
