#include "service/client_stream.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>

namespace xm::service {
namespace {

// How often a wait for the next request asks whether to give up: the server
// stopping, or another connection waiting, is noticed within this.
constexpr Clock::duration kGiveUpCheck = std::chrono::milliseconds(50);

// poll's timeout: whole milliseconds, rounded up so that a wait never ends
// before its time and spins.
int poll_milliseconds(Clock::duration wait) {
  if (wait <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
}

void address_of(int (*get)(int, sockaddr*, socklen_t*), socket_t sock, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (get(sock, reinterpret_cast<sockaddr*>(&address), &length) != 0) return;
  char host[NI_MAXHOST], service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, service,
                  sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return;
  }
  ip = host;
  std::from_chars(service, service + std::strlen(service), port);
}

bool would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

}  // namespace

bool ClientStream::await_request(Clock::duration idle, const std::function<bool()>& give_up) {
  const auto until = Clock::now() + idle;
  pollfd fd{sock_, POLLIN, 0};
  for (;;) {
    // A pipelined request may already be buffered.
    if (has_buffered()) return true;
    const auto now = Clock::now();
    if (now >= until || give_up()) return false;
    const int ready = ::poll(&fd, 1, poll_milliseconds(std::min(until - now, kGiveUpCheck)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

void ClientStream::start_request(Clock::duration deadline, std::size_t bytes) {
  left_ = deadline;
  expired_ = false;
  bytes_left_ = bytes;
}

bool ClientStream::wait_for(short events, Clock::duration timeout) const {
  pollfd fd{sock_, events, 0};
  for (;;) {
    if (left_ <= Clock::duration::zero()) {
      expired_ = true;
      return false;
    }
    if (timeout <= Clock::duration::zero()) return false;
    const auto start = Clock::now();
    const int ready = ::poll(&fd, 1, poll_milliseconds(std::min(timeout, left_)));
    const auto waited = Clock::now() - start;
    left_ -= waited;
    timeout -= waited;
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

void ClientStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  address_of(getpeername, sock_, ip, port);
}

void ClientStream::get_local_ip_and_port(std::string& ip, int& port) const {
  address_of(getsockname, sock_, ip, port);
}

bool PlainStream::is_readable() const {
  return has_buffered() || wait_for(POLLIN, timeouts_.read);
}

bool PlainStream::is_writable() const {
  return wait_for(POLLOUT, timeouts_.write);
}

ssize_t PlainStream::read(char* ptr, size_t size) {
  while (next_ == end_) {
    const ssize_t got = ::recv(sock_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (got == 0) return 0;
    if (got > 0) {
      next_ = 0;
      end_ = static_cast<std::size_t>(got);
    } else if (errno != EINTR && (!would_block() || !wait_for(POLLIN, timeouts_.read))) {
      return -1;
    }
  }
  const std::size_t count = take_bytes(std::min(size, end_ - next_));
  if (count == 0) return -1;  // the request is larger than any the service takes
  std::memcpy(ptr, buffer_.data() + next_, count);
  next_ += count;
  return static_cast<ssize_t>(count);
}

ssize_t PlainStream::write(const char* ptr, size_t size) {
  // All of it or fail: cpp-httplib writes the status line and headers in one
  // call and does not look at how much went.
  for (std::size_t done = 0; done < size;) {
    const ssize_t sent = ::send(sock_, ptr + done, size - done, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) {
      done += static_cast<std::size_t>(sent);
    } else if (sent < 0 && errno != EINTR &&
               (!would_block() || !wait_for(POLLOUT, timeouts_.write))) {
      return -1;
    }
  }
  return static_cast<ssize_t>(size);
}

TlsStream::TlsStream(socket_t sock, OperationTimeouts timeouts, SSL_CTX* context)
    : ClientStream(sock, timeouts), ssl_(SSL_new(context)) {
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  // The socket stays the server's to close (SSL_set_fd does not take it).
  if (ssl_ != nullptr) SSL_set_fd(ssl_, sock);
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

bool TlsStream::handshake(Clock::duration deadline) {
  if (ssl_ == nullptr) return false;
  start_request(deadline, 0);  // OpenSSL reads the handshake itself, not through read()
  for (;;) {
    ERR_clear_error();
    const int result = SSL_accept(ssl_);
    if (result == 1) return true;
    if (!wait_after(result, timeouts_.read)) return false;
  }
}

void TlsStream::close_notify() {
  ERR_clear_error();
  SSL_shutdown(ssl_);
}

bool TlsStream::wait_after(int result, Clock::duration timeout) const {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return wait_for(POLLIN, timeout);
    case SSL_ERROR_WANT_WRITE:
      return wait_for(POLLOUT, timeout);
    default:
      return false;
  }
}

bool TlsStream::has_buffered() const {
  return SSL_pending(ssl_) > 0;
}

bool TlsStream::is_readable() const {
  return has_buffered() || wait_for(POLLIN, timeouts_.read);
}

bool TlsStream::is_writable() const {
  return wait_for(POLLOUT, timeouts_.write);
}

ssize_t TlsStream::read(char* ptr, size_t size) {
  // Reads no more than the byte budget allows; what it does not read is not taken from it.
  const std::size_t allowed = take_bytes(size);
  if (allowed == 0) return -1;  // the request is larger than any the service takes
  const int most = static_cast<int>(std::min<size_t>(allowed, INT_MAX));
  for (;;) {
    ERR_clear_error();
    const int got = SSL_read(ssl_, ptr, most);
    if (got > 0) {
      give_back_bytes(allowed - static_cast<std::size_t>(got));
      return got;
    }
    if (SSL_get_error(ssl_, got) == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
    if (!wait_after(got, timeouts_.read)) return -1;
  }
}

ssize_t TlsStream::write(const char* ptr, size_t size) {
  for (std::size_t done = 0; done < size;) {
    // A write retried after WANT_WRITE must pass the same buffer and length.
    const int chunk = static_cast<int>(std::min<size_t>(size - done, INT_MAX));
    ERR_clear_error();
    const int sent = SSL_write(ssl_, ptr + done, chunk);
    if (sent > 0) {
      done += static_cast<std::size_t>(sent);
    } else if (!wait_after(sent, timeouts_.write)) {
      return -1;
    }
  }
  return static_cast<ssize_t>(size);
}

}  // namespace xm::service
