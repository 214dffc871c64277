#include "aggregate.cuh"
#include "cuda_check.cuh"
#include "launch.cuh"
#include "tuning.cuh"

namespace xm::cuda_detail {
namespace {

__global__ void __launch_bounds__(cuda_tuning::kAggregateBlockThreads)
    aggregate_kernel(PortfoliosView portfolios, const double* unit, AggregateChunk chunk,
                     std::size_t items, double* loss, std::int32_t* scenario, double* pnl) {
  for (std::size_t item = XM_GRID_THREAD_INDEX; item < items; item += XM_GRID_THREAD_COUNT) {
    aggregate_item(portfolios, unit, chunk, item, loss, scenario, pnl);
  }
}

}  // namespace

void launch_aggregate(const PortfoliosView& portfolios, const double* unit,
                      const AggregateChunk& chunk, double* loss, std::int32_t* scenario,
                      double* pnl, int max_blocks, cudaStream_t stream) {
  const std::size_t items = chunk.portfolio_count * (chunk.scenario_end - chunk.scenario_begin);
  if (items == 0) return;
  constexpr int kBlock = cuda_tuning::kAggregateBlockThreads;
  aggregate_kernel<<<grid_blocks(items, kBlock, max_blocks), kBlock, 0, stream>>>(
      portfolios, unit, chunk, items, loss, scenario, pnl);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
