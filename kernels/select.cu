#include <algorithm>

#include "cuda_check.cuh"
#include "launches.cuh"
#include "xmargin/kernel/device_plan.hpp"

namespace xm::cuda_detail {
namespace {

// A block's phases on the device: each thread runs its part, then the block
// waits at a barrier (see kernel::select_row). Host-device so that
// select_row's host instantiation compiles; only the device one runs.
struct DeviceBlock {
  template <typename Phase>
  XM_HD int count(Phase&& phase) {
#if defined(__CUDA_ARCH__)
    return __syncthreads_count(phase(static_cast<int>(threadIdx.x)) ? 1 : 0);
#else
    static_cast<void>(phase);
    return 0;
#endif
  }
  template <typename Phase>
  XM_HD void each(Phase&& phase) {
#if defined(__CUDA_ARCH__)
    phase(static_cast<int>(threadIdx.x));
    __syncthreads();
#else
    static_cast<void>(phase);
#endif
  }
  template <typename Work>
  XM_HD void first(Work&& work) {
#if defined(__CUDA_ARCH__)
    if (threadIdx.x == 0) work();
#else
    static_cast<void>(work);
#endif
  }
};

// One block per portfolio row at a time (grid-stride over rows).
__global__ void __launch_bounds__(kernel::kSelectThreads)
    select_kernel(kernel::SelectLaunch launch) {
  __shared__ kernel::SelectShared<kernel::kSelectThreads> shared;
  DeviceBlock block;
  for (std::size_t row = blockIdx.x; row < launch.rows; row += gridDim.x) {
    kernel::select_row(launch, row, block, shared);
  }
}

}  // namespace

int select_blocks_per_sm() {
  int blocks = 0;
  XM_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, select_kernel,
                                                            kernel::kSelectThreads, 0));
  return blocks;
}

cudaError_t probe_kernel_image() {
  cudaFuncAttributes attributes{};
  return cudaFuncGetAttributes(&attributes, select_kernel);
}

void launch_select(const kernel::SelectLaunch& launch, int blocks, cudaStream_t stream) {
  if (launch.rows == 0 || launch.scenario_end == launch.scenario_begin) return;
  const auto needed =
      static_cast<int>(std::min<std::size_t>(launch.rows, static_cast<std::size_t>(blocks)));
  select_kernel<<<needed, kernel::kSelectThreads, 0, stream>>>(launch);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
