#pragma once
// The kernel launches: the only code of the cuda backend that a host cannot
// run. Each kernel is a grid-stride loop around a body in
// include/xmargin/kernel/, which the host emulation
// (host/backends/emulated_cuda_backend.cpp) runs as well.
#include <cuda_runtime_api.h>

#include <cstddef>

#include "device_pool.cuh"
#include "stage_events.cuh"
#include "xmargin/backend.hpp"
#include "xmargin/kernel/monte_carlo_tile.hpp"
#include "xmargin/kernel/revalue_tile.hpp"
#include "xmargin/kernel/select_tile.hpp"
#include "xmargin/kernel/top_k.hpp"

namespace xm::cuda_detail {

// Blocks per launch: the SM count times the blocks of the kernel that fit on
// one SM at once, from the occupancy API (the kernel's measured registers and
// shared memory at its block size). More would only queue behind those.
struct KernelGrids {
  int revalue = 1;
  int select = 1;
  int tail = 1;
};
KernelGrids kernel_grids(int sm_count);

// The select kernel's attributes; fails with cudaErrorNoKernelImageForDevice
// (or cudaErrorInvalidDeviceFunction) when the binary has no code the current
// device can run.
cudaError_t probe_kernel_image();

// Blocks of `threads` a grid-stride launch over `items` needs, at most
// `max_blocks` and at least one.
inline int grid_blocks(std::size_t items, int threads, int max_blocks) {
  const std::size_t wanted =
      (items + static_cast<std::size_t>(threads) - 1) / static_cast<std::size_t>(threads);
  const std::size_t capped =
      wanted < static_cast<std::size_t>(max_blocks) ? wanted : static_cast<std::size_t>(max_blocks);
  return static_cast<int>(capped > 0 ? capped : 1);
}

void launch_revalue(const kernel::RevalueLaunch& launch, int blocks, cudaStream_t stream);
void launch_select(const kernel::SelectLaunch& launch, int blocks, cudaStream_t stream);
// Draws a set's Monte Carlo scenarios into the device shocks: the normals of
// the stream from `seed` into `normals` ([count × B]), the Student-t scales
// when `scale` is given, then the moves. The grids cover the items, at most
// max_blocks blocks.
void launch_monte_carlo(std::uint64_t seed, const kernel::McScaleLaunch* scale,
                        const kernel::McMovesLaunch& moves, double* normals, int max_blocks,
                        cudaStream_t stream);
// The stress run (kernels/stress.cu): uploads the book and the stress set into
// `pool` (reserved for kernel::stress_device_bytes), revalues, reduces, and
// returns the charges; NonFiniteValue for a non-finite P&L. `blocks` caps the grids.
StressResult run_stress_on_device(DevicePool& pool, const StressRequest& request, int blocks,
                                  cudaStream_t stream, StageEvents& events);

void launch_tail(const kernel::TopKView& state, std::size_t rows, std::size_t listed,
                 const double* weight, double confidence, TailRisk* risk, int blocks,
                 cudaStream_t stream);

}  // namespace xm::cuda_detail

#if defined(__CUDACC__)
// Index of this thread in a 1-D grid, and the grid's size, in 64 bits so that
// grid-stride loops over more than 2^31 items do not wrap.
#define XM_GRID_THREAD_INDEX (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x)
#define XM_GRID_THREAD_COUNT (static_cast<std::size_t>(gridDim.x) * blockDim.x)
#endif
