#pragma once
#include <cstddef>

namespace xm {

// Host memory the kernel reports available (MemAvailable in /proc/meminfo), or
// 0 where it cannot be read.
std::size_t host_available_memory_bytes();

// Share of that a cpu run plans to use when the user sets no budget: the rest
// is headroom for the inputs' growth, the report and other processes.
inline constexpr double kHostMemoryShare = 0.8;

}  // namespace xm
