#pragma once
#include <cstddef>

namespace xm::cli {

// The size of the last allocation that failed (0 if none), for the
// out-of-memory message: std::bad_alloc does not carry it, so the binary
// replaces operator new (allocation.cpp) by the standard behaviour plus this
// record.
std::size_t failed_allocation_bytes();

}  // namespace xm::cli
