// The stress run on the device (SPEC §5.3): the revaluation kernel over every
// stress scenario, then one thread per portfolio row reducing the unit P&L to
// its span, grid and named charges (include/xmargin/kernel/stress_rows.hpp,
// the body the host emulation runs too).
#include <vector>

#include "cuda_check.cuh"
#include "device_inputs.cuh"
#include "launches.cuh"
#include "xmargin/kernel/device_plan.hpp"
#include "xmargin/kernel/stress_rows.hpp"

namespace xm::cuda_detail {
namespace {

__global__ void __launch_bounds__(kernel::kStressThreads)
    stress_kernel(kernel::StressLaunch launch, std::size_t rows) {
  for (std::size_t row = XM_GRID_THREAD_INDEX; row < rows; row += XM_GRID_THREAD_COUNT) {
    kernel::stress_row(launch, row);
  }
}

}  // namespace

StressResult run_stress_on_device(DevicePool& pool, const StressRequest& request, int blocks,
                                  cudaStream_t stream, StageEvents& events) {
  const PackedBook& book = *request.book;
  const StressSet& stress = *request.stress;
  const std::size_t rows = book.portfolio_count(), columns = stress.count();
  StressResult result;
  result.charges.assign(rows * kernel::kStressCharges, 0.0);
  // Carved in the order kernel::stress_device_bytes counts.
  DeviceInputs inputs;
  double* unit = nullptr;
  kernel::StressLaunch launch{};
  events.time(StageEvents::upload, stream, [&] {
    inputs = DeviceInputs::upload(pool, book, stress.scenarios, stream);
    unit = pool.carve<double>(book.instrument_count() * columns);
    launch.rows = {rows, inputs.portfolios.row_offsets,
                   upload_array(pool, request.rows->entry_instrument, stream),
                   upload_array(pool, request.rows->entry_weight, stream)};
    launch.covered = upload_array(pool, stress.covered, stream);
    launch.charges = pool.carve<double>(rows * kernel::kStressCharges);
  });
  launch.instrument_underlying = inputs.instruments.underlying;
  launch.unit = unit;
  launch.columns = columns;
  for (std::size_t k = 0; k <= kStressKinds; ++k) launch.kind_offsets[k] = stress.kind_offsets[k];
  launch.first_non_finite = inputs.first_non_finite + 1;
  const kernel::RevalueLaunch revalue{inputs.instruments,
                                      inputs.underlyings,
                                      inputs.scenarios,
                                      request.settings.time_decay,
                                      0,
                                      columns,
                                      unit,
                                      inputs.first_non_finite};
  events.time(StageEvents::revalue, stream, [&] { launch_revalue(revalue, blocks, stream); });
  events.time(StageEvents::select, stream, [&] {
    if (rows == 0) return;
    stress_kernel<<<grid_blocks(rows, kernel::kStressThreads, blocks), kernel::kStressThreads, 0,
                    stream>>>(launch, rows);
    XM_CUDA_CHECK_LAUNCH();
  });
  unsigned long long first_bad[2] = {0, 0};
  events.time(StageEvents::download, stream, [&] {
    XM_CUDA_TRY(cudaMemcpyAsync(result.charges.data(), launch.charges,
                                result.charges.size() * sizeof(double), cudaMemcpyDeviceToHost,
                                stream));
    XM_CUDA_TRY(cudaMemcpyAsync(first_bad, inputs.first_non_finite, sizeof(first_bad),
                                cudaMemcpyDeviceToHost, stream));
  });
  XM_CUDA_TRY(cudaStreamSynchronize(stream));
  for (int which = 0; which < 2; ++which) {
    if (first_bad[which] != kernel::kNoNonFinite) {
      throw NonFiniteValue(which == 1, first_bad[which] / columns, first_bad[which] % columns);
    }
  }
  result.timings = events.timings();
  for (StageTiming& timing : result.timings) timing.stage = "stress " + timing.stage;
  return result;
}

}  // namespace xm::cuda_detail
