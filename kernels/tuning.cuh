#pragma once
#include <cstddef>

// Every launch and memory tuning constant of the CUDA backend, in one place.
namespace xm::cuda_tuning {

// Threads per block. Revaluation runs the Barone-Adesi–Whaley Newton loop and is
// register-heavy, so it gets smaller blocks; the other kernels are memory-bound.
inline constexpr int kRevalueBlockThreads = 128;
inline constexpr int kAggregateBlockThreads = 256;
inline constexpr int kTailBlockThreads = 128;

// Grid-stride kernels launch at most this many blocks per SM; more would only
// queue behind the resident ones.
inline constexpr int kMaxBlocksPerSm = 16;

// Share of the free device memory the backend plans to use when the caller sets
// no budget: the rest is headroom for the CUDA context, CUB's kernels and other
// processes.
inline constexpr double kFreeMemoryFraction = 0.85;

// What one allocation may cost beyond its size (cudaMalloc alignment), counted
// per buffer when planning against the budget.
inline constexpr std::size_t kAllocationSlackBytes = 512;

}  // namespace xm::cuda_tuning
