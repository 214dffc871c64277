#pragma once
// The machine a benchmark ran on, for its report.
#include <nlohmann/json.hpp>

namespace xm::bench {

// The host: {cpu, cores, memory_bytes, load_average (1 minute, at the call)}.
nlohmann::ordered_json describe_host();

// The 1-minute load average now (/proc/loadavg), or -1 when it cannot be read.
double load_average();

}  // namespace xm::bench
