#include "cuda_check.cuh"
#include "launch.cuh"
#include "revalue.cuh"
#include "tuning.cuh"

namespace xm::cuda_detail {
namespace {

__global__ void __launch_bounds__(cuda_tuning::kRevalueBlockThreads)
    revalue_kernel(InstrumentsView instruments, UnderlyingsView underlyings,
                   ScenariosView scenarios, bool time_decay, ScenarioRange range, std::size_t items,
                   double* unit) {
  for (std::size_t item = XM_GRID_THREAD_INDEX; item < items; item += XM_GRID_THREAD_COUNT) {
    revalue_item(instruments, underlyings, scenarios, time_decay, range, item, unit);
  }
}

}  // namespace

void launch_revalue(const InstrumentsView& instruments, const UnderlyingsView& underlyings,
                    const ScenariosView& scenarios, bool time_decay, ScenarioRange range,
                    double* unit, int max_blocks, cudaStream_t stream) {
  const std::size_t items = instruments.count * (range.end - range.begin);
  if (items == 0) return;
  constexpr int kBlock = cuda_tuning::kRevalueBlockThreads;
  revalue_kernel<<<grid_blocks(items, kBlock, max_blocks), kBlock, 0, stream>>>(
      instruments, underlyings, scenarios, time_decay, range, items, unit);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
