#include <cub/device/device_segmented_sort.cuh>

#include <climits>
#include <string>

#include "cuda_check.cuh"
#include "launch.cuh"
#include "tail_measure.cuh"
#include "tuning.cuh"
#include "xmargin/error.hpp"

namespace xm::cuda_detail {
namespace {

__global__ void __launch_bounds__(cuda_tuning::kTailBlockThreads)
    tail_kernel(RankedLosses ranked, const double* weight, std::size_t rows,
                std::size_t scenario_count, double confidence, TailRisk* risk) {
  for (std::size_t row = XM_GRID_THREAD_INDEX; row < rows; row += XM_GRID_THREAD_COUNT) {
    tail_item(ranked, weight, scenario_count, confidence, row, risk);
  }
}

void expect_int_items(std::size_t rows, std::size_t scenario_count) {
  if (scenario_count != 0 && rows > static_cast<std::size_t>(INT_MAX) / scenario_count) {
    throw LogicError("a ranking chunk of " + std::to_string(rows) + " × " +
                     std::to_string(scenario_count) + " losses exceeds INT_MAX items");
  }
}

}  // namespace

std::size_t rank_losses_temp_bytes(std::size_t rows, std::size_t scenario_count) {
  expect_int_items(rows, scenario_count);
  cub::DoubleBuffer<double> keys(nullptr, nullptr);
  cub::DoubleBuffer<std::int32_t> values(nullptr, nullptr);
  const int* offsets = nullptr;
  std::size_t bytes = 0;
  XM_CUDA_TRY(cub::DeviceSegmentedSort::StableSortPairsDescending(
      nullptr, bytes, keys, values, static_cast<std::int64_t>(rows * scenario_count),
      static_cast<std::int64_t>(rows), offsets, offsets + 1));
  return bytes > 0 ? bytes : 1;
}

RankedLosses rank_losses(void* temp, std::size_t temp_bytes, double* loss, double* loss_spare,
                         std::int32_t* scenario, std::int32_t* scenario_spare,
                         const int* row_offsets, std::size_t rows, std::size_t scenario_count,
                         cudaStream_t stream) {
  expect_int_items(rows, scenario_count);
  cub::DoubleBuffer<double> keys(loss, loss_spare);
  cub::DoubleBuffer<std::int32_t> values(scenario, scenario_spare);
  if (rows == 0 || scenario_count == 0) return {keys.Current(), values.Current()};
  if (temp == nullptr) throw LogicError("rank_losses needs temporary storage");
  // The DoubleBuffer form sorts between the two buffers of each pair, so CUB's
  // temporary storage stays small (no copy of the keys and values).
  XM_CUDA_TRY(cub::DeviceSegmentedSort::StableSortPairsDescending(
      temp, temp_bytes, keys, values, static_cast<std::int64_t>(rows * scenario_count),
      static_cast<std::int64_t>(rows), row_offsets, row_offsets + 1, stream));
  XM_CUDA_CHECK_LAUNCH();
  return {keys.Current(), values.Current()};
}

void launch_tail_risk(RankedLosses ranked, const double* weight, std::size_t rows,
                      std::size_t scenario_count, double confidence, TailRisk* risk, int max_blocks,
                      cudaStream_t stream) {
  if (rows == 0) return;
  constexpr int kBlock = cuda_tuning::kTailBlockThreads;
  tail_kernel<<<grid_blocks(rows, kBlock, max_blocks), kBlock, 0, stream>>>(
      ranked, weight, rows, scenario_count, confidence, risk);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail
