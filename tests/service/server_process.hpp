#pragma once
// `xmargin serve` started by a test as a user starts it: a child process on an
// ephemeral port of 127.0.0.1, its port read from the line it prints once it
// listens, stopped with SIGTERM.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace xm::test {

// A server closes connections a client may still be writing to (a body over
// the limit, a deadline): the tests then see a failed write instead of dying
// of SIGPIPE. Set once for every test that includes this header.
inline const bool kSigpipeIgnored = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

class ServerProcess {
 public:
  // Runs `xmargin serve ARGS --listen LISTEN` and waits for its
  // "serving … on http(s)://HOST:PORT (…" line; `output()` holds what it
  // wrote if it exits first.
  explicit ServerProcess(const std::vector<std::string>& args,
                         const std::string& listen = "127.0.0.1:0") {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      dup2(pipe_fds[1], STDERR_FILENO);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      std::vector<std::string> all = {XM_BINARY, "serve"};
      all.insert(all.end(), args.begin(), args.end());
      all.insert(all.end(), {"--listen", listen});
      std::vector<char*> argv;
      for (std::string& arg : all) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(XM_BINARY, argv.data());
      _exit(127);
    }
    close(pipe_fds[1]);
    output_fd_ = pipe_fds[0];
    // Read until the serving line (or the end: the server refused to start).
    char buffer[4096];
    while (port_ == 0) {
      const ssize_t got = read(output_fd_, buffer, sizeof buffer);
      if (got <= 0) break;
      output_.append(buffer, static_cast<std::size_t>(got));
      const std::size_t at = output_.find(" (state version ");
      if (at != std::string::npos && output_.find('\n', at) != std::string::npos) {
        port_ = std::stoi(output_.substr(output_.rfind(':', at) + 1));
      }
    }
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (output_fd_ >= 0) close(output_fd_);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }  // 0 when it did not start
  const std::string& output() const { return output_; }

  // Sends `signal` and returns the exit code (−1 when killed by a signal),
  // with the rest of the output read.
  int stop(int signal = SIGTERM) {
    if (!exited_) kill(pid_, signal);
    return wait();
  }
  // Waits for the process to end by itself.
  int wait() {
    char buffer[4096];
    for (ssize_t got; (got = read(output_fd_, buffer, sizeof buffer)) > 0;) {
      output_.append(buffer, static_cast<std::size_t>(got));
    }
    if (!exited_) {
      waitpid(pid_, &status_, 0);
      exited_ = true;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  int port_ = 0;
  int status_ = 0;
  bool exited_ = false;
  std::string output_;
};

}  // namespace xm::test
