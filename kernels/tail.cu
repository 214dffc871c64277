#include <algorithm>

#include "cuda_check.cuh"
#include "launches.cuh"
#include "xmargin/kernel/device_plan.hpp"

namespace xm::cuda_detail {
namespace {

__global__ void __launch_bounds__(kernel::kTailThreads)
    tail_kernel(kernel::TopKView state, std::size_t rows, std::size_t listed, const double* weight,
                double confidence, TailRisk* risk) {
  for (std::size_t row = XM_GRID_THREAD_INDEX; row < rows; row += XM_GRID_THREAD_COUNT) {
    risk[row] = kernel::tail_of_row(state, row, listed, weight, confidence);
  }
}

}  // namespace

int revalue_blocks_per_sm();
int select_blocks_per_sm();

KernelGrids kernel_grids(int sm_count) {
  int tail_per_sm = 0;
  XM_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&tail_per_sm, tail_kernel,
                                                            kernel::kTailThreads, 0));
  const int sms = std::max(sm_count, 1);
  KernelGrids grids;
  grids.revalue = sms * std::max(revalue_blocks_per_sm(), 1);
  grids.select = sms * std::max(select_blocks_per_sm(), 1);
  grids.tail = sms * std::max(tail_per_sm, 1);
  return grids;
}

void launch_tail(const kernel::TopKView& state, std::size_t rows, std::size_t listed,
                 const double* weight, double confidence, TailRisk* risk, int blocks,
                 cudaStream_t stream) {
  if (rows == 0) return;
  const auto needed = static_cast<int>(std::min<std::size_t>(
      (rows + kernel::kTailThreads - 1) / kernel::kTailThreads, static_cast<std::size_t>(blocks)));
  tail_kernel<<<needed, kernel::kTailThreads, 0, stream>>>(state, rows, listed, weight, confidence,
                                                           risk);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
