#include "child_process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace xm::bench {
namespace {

// A "Name:   123 kB" line of /proc/self/status, in bytes; 0 when absent.
std::size_t status_kib_field(const std::string& name) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(name + ":", 0) == 0) return std::stoull(line.substr(name.size() + 1)) * 1024;
  }
  return 0;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return;  // the parent is gone: nobody to tell
    done += static_cast<std::size_t>(wrote);
  }
}

std::string read_all(int fd) {
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(got));
  }
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "exit status " + std::to_string(WEXITSTATUS(status));
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  return status;
}

}  // namespace

std::size_t peak_resident_bytes() {
  if (const std::size_t bytes = status_kib_field("VmHWM")) return bytes;
  rusage usage{};  // without /proc: the same high-water mark, in KiB on Linux
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

std::size_t resident_bytes() {
  return status_kib_field("VmRSS");
}

nlohmann::ordered_json run_in_child(const std::function<nlohmann::ordered_json()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  // Buffered output would otherwise be written once by each process.
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    nlohmann::ordered_json result;
    int code = 0;
    try {
      result = work();
      result["peak_host_bytes"] = peak_resident_bytes();
    } catch (const std::exception& error) {
      result = {{"error", error.what()}};
      code = 1;
    }
    write_all(fds[1], result.dump());
    std::fflush(nullptr);
    // _exit: the parent's atexit handlers and static destructors are not ours to run.
    ::_exit(code);
  }
  ::close(fds[1]);
  const std::string text = read_all(fds[0]);
  ::close(fds[0]);
  const int status = wait_for(pid);
  if (text.empty()) return {{"error", "the measuring process died: " + describe_status(status)}};
  return nlohmann::ordered_json::parse(text);
}

int run_program(const std::string& program, const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::execv(program.c_str(), argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  const int status = wait_for(pid);
  if (!WIFEXITED(status)) throw std::runtime_error(program + ": " + describe_status(status));
  return WEXITSTATUS(status);
}

}  // namespace xm::bench
