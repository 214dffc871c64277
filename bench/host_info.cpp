#include "host_info.hpp"

#include <fstream>
#include <string>
#include <thread>

namespace xm::bench {
namespace {

using json = nlohmann::ordered_json;

// The value of `key` in /proc/cpuinfo or /proc/meminfo style files: the text
// after the colon of the first line starting with it.
std::string proc_field(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

}  // namespace

double load_average() {
  std::ifstream loadavg("/proc/loadavg");
  double load = -1.0;
  if (!(loadavg >> load)) return -1.0;
  return load;
}

json describe_host() {
  const std::string model = proc_field("/proc/cpuinfo", "model name");
  const std::string memory_kib = proc_field("/proc/meminfo", "MemTotal");
  // The load when the bench starts: on a shared machine, other jobs slow every figure.
  const double load = load_average();
  return {{"cpu", model.empty() ? "unknown processor" : model},
          {"cores", std::thread::hardware_concurrency()},
          {"memory_bytes", memory_kib.empty() ? json() : json(std::stoull(memory_kib) * 1024)},
          {"load_average", load < 0.0 ? json() : json(load)}};
}

}  // namespace xm::bench
