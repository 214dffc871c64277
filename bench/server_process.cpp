#include "server_process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace xm::bench {

ServerProcess::ServerProcess(const std::string& program,
                             const std::vector<std::string>& arguments) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::vector<std::string> all = {program};
  all.insert(all.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : all) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  std::fflush(nullptr);
  const auto started = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // A bench that dies (killed, or an uncaught error) takes its server with it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(program.c_str(), argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  output_fd_ = fds[0];
  char buffer[4096];
  while (port_ == 0) {
    const ssize_t got = ::read(output_fd_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    output_.append(buffer, static_cast<std::size_t>(got));
    const std::size_t at = output_.find(" (state version ");
    if (at != std::string::npos && output_.find('\n', at) != std::string::npos) {
      const std::size_t colon = output_.rfind(':', at);
      port_ = colon == std::string::npos ? -1 : std::atoi(output_.c_str() + colon + 1);
      if (port_ <= 0) break;
    }
  }
  start_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (port_ <= 0) {
    ::kill(pid_, SIGKILL);
    read_rest();
    const int status = wait();
    throw std::runtime_error(program + " did not start listening (exit status " +
                             std::to_string(status) + "); it printed: " + output_);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (output_fd_ >= 0) ::close(output_fd_);
}

double ServerProcess::cpu_seconds() const {
  // The scheduler's own count, in nanoseconds, summed over the server's
  // threads (its HTTP pool and OpenMP threads live as long as it does).
  const std::string proc = "/proc/" + std::to_string(pid_);
  std::error_code error;
  unsigned long long nanoseconds = 0;
  bool counted = false;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task", error)) {
    std::ifstream in(task.path() / "schedstat");
    unsigned long long on_cpu = 0;
    if (in >> on_cpu) {
      nanoseconds += on_cpu;
      counted = true;
    }
  }
  if (!error && counted) return static_cast<double>(nanoseconds) * 1e-9;

  // Without schedstat: utime + stime of /proc/PID/stat, in clock ticks. The
  // command name, in parentheses, may hold spaces: the fields after it start
  // with the third (state); utime and stime are the 14th and 15th.
  std::ifstream in(proc + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return -1.0;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stoull(field);
    if (n == 15) stime = std::stoull(field);
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return -1.0;
  return static_cast<double>(utime + stime) / static_cast<double>(ticks);
}

void ServerProcess::read_rest() {
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(output_fd_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    output_.append(buffer, static_cast<std::size_t>(got));
  }
}

int ServerProcess::wait() {
  if (!exited_) {
    while (::waitpid(pid_, &status_, 0) < 0) {
      if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    exited_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

int ServerProcess::stop() {
  if (!exited_) ::kill(pid_, SIGTERM);
  read_rest();
  return wait();
}

}  // namespace xm::bench
