#pragma once
// `xmargin serve` run by a benchmark as a user runs it: a child process on an
// ephemeral port of 127.0.0.1, its port read from the line it prints on
// standard output once it listens, stopped with SIGTERM.
#include <sys/types.h>

#include <string>
#include <vector>

namespace xm::bench {

class ServerProcess {
 public:
  // Runs `program` with `arguments` (which should hold `--listen HOST:0`) and
  // waits for its "xmargin: serving … on http://HOST:PORT (state version N)"
  // line. Its standard error goes to ours. Throws std::runtime_error, with
  // what it printed, when it ends before it listens.
  ServerProcess(const std::string& program, const std::vector<std::string>& arguments);
  ~ServerProcess();  // SIGKILL when still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // From the fork to the serving line: loading, checking, packing, the scenarios and the
  // first full revaluation, then binding the port.
  double start_seconds() const { return start_seconds_; }
  // What it printed on standard output so far (all of it after stop()).
  const std::string& output() const { return output_; }

  // The CPU time the server's threads have used so far, in seconds: the
  // scheduler's count (/proc/PID/task/*/schedstat), else user + system time
  // from /proc/PID/stat; -1 when neither can be read.
  double cpu_seconds() const;

  // Sends SIGTERM, reads the rest of its output and waits. Returns its exit
  // status, or −N when signal N ended it.
  int stop();

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  int port_ = 0;
  double start_seconds_ = 0.0;
  bool exited_ = false;
  int status_ = 0;
  std::string output_;

  void read_rest();
  int wait();
};

}  // namespace xm::bench
