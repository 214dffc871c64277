#include <curand_kernel.h>

#include <algorithm>

#include "cuda_check.cuh"
#include "launches.cuh"
#include "xmargin/kernel/device_plan.hpp"
#include "xmargin/monte_carlo.hpp"

namespace xm::cuda_detail {
namespace {

// Normal pairs of the stream from `seed`: pair p is normals 2p and 2p + 1,
// one Box–Muller pair of one Philox block (philox_normal_slot). Each thread
// starts its own Philox state at that block, so no state is shared or stored.
// This and the two launches below are the device-only part of Monte Carlo:
// the host emulation takes its normals from cuRAND's host generator instead.
__global__ void __launch_bounds__(kernel::kMonteCarloThreads)
    normals_kernel(unsigned long long seed, std::size_t pairs, double* normals) {
  for (std::size_t pair = XM_GRID_THREAD_INDEX; pair < pairs; pair += XM_GRID_THREAD_COUNT) {
    const PhiloxNormalSlot slot = philox_normal_slot(2 * pair);
    curandStatePhilox4_32_10_t state;
    curand_init(seed, slot.subsequence, 4 * slot.counter, &state);
    const double2 pair_of_normals = curand_normal2_double(&state);
    normals[2 * pair] = pair_of_normals.x;  // sin: the even normal
    normals[2 * pair + 1] = pair_of_normals.y;
  }
}

__global__ void __launch_bounds__(kernel::kMonteCarloThreads)
    scale_kernel(kernel::McScaleLaunch launch) {
  for (std::size_t draw = XM_GRID_THREAD_INDEX; draw < launch.count; draw += XM_GRID_THREAD_COUNT) {
    kernel::mc_scale_item(launch, draw);
  }
}

__global__ void __launch_bounds__(kernel::kMonteCarloThreads)
    moves_kernel(kernel::McMovesLaunch launch) {
  const std::size_t items = launch.items();
  for (std::size_t item = XM_GRID_THREAD_INDEX; item < items; item += XM_GRID_THREAD_COUNT) {
    kernel::mc_moves_item(launch, item);
  }
}

int blocks_for(std::size_t items, int max_blocks) {
  return static_cast<int>(std::max<std::size_t>(
      1,
      std::min<std::size_t>((items + kernel::kMonteCarloThreads - 1) / kernel::kMonteCarloThreads,
                            static_cast<std::size_t>(max_blocks))));
}

}  // namespace

void launch_monte_carlo(std::uint64_t seed, const kernel::McScaleLaunch* scale,
                        const kernel::McMovesLaunch& moves, double* normals, int max_blocks,
                        cudaStream_t stream) {
  const std::size_t pairs = moves.count * moves.normals_per_scenario / 2;
  if (pairs == 0) return;
  normals_kernel<<<blocks_for(pairs, max_blocks), kernel::kMonteCarloThreads, 0, stream>>>(
      seed, pairs, normals);
  XM_CUDA_CHECK_LAUNCH();
  if (scale != nullptr) {
    scale_kernel<<<blocks_for(scale->count, max_blocks), kernel::kMonteCarloThreads, 0, stream>>>(
        *scale);
    XM_CUDA_CHECK_LAUNCH();
  }
  moves_kernel<<<blocks_for(moves.items(), max_blocks), kernel::kMonteCarloThreads, 0, stream>>>(
      moves);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
