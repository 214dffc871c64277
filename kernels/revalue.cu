#include "cuda_check.cuh"
#include "launches.cuh"
#include "xmargin/kernel/device_plan.hpp"

namespace xm::cuda_detail {
namespace {

__global__ void __launch_bounds__(kernel::kRevalueThreads)
    revalue_kernel(kernel::RevalueLaunch launch, std::size_t items) {
  for (std::size_t item = XM_GRID_THREAD_INDEX; item < items; item += XM_GRID_THREAD_COUNT) {
    kernel::revalue_item(launch, item);
  }
}

}  // namespace

int revalue_blocks_per_sm() {
  int blocks = 0;
  XM_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, revalue_kernel,
                                                            kernel::kRevalueThreads, 0));
  return blocks;
}

void launch_revalue(const kernel::RevalueLaunch& launch, int blocks, cudaStream_t stream) {
  const std::size_t items = launch.items();
  if (items == 0) return;
  revalue_kernel<<<grid_blocks(items, kernel::kRevalueThreads, blocks), kernel::kRevalueThreads, 0,
                   stream>>>(launch, items);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
