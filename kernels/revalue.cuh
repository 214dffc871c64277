#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>

#include "xmargin/hd.hpp"
#include "xmargin/revaluation.hpp"
#include "xmargin/views.hpp"

namespace xm::cuda_detail {

// Scenarios [begin, end) of one revaluation launch. Their unit P&L goes to an
// instrument-major [I × (end − begin)] buffer: column c holds scenario begin + c.
struct ScenarioRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Item `item` of a launch: instrument item / width, column item % width, so that
// neighbouring threads price neighbouring scenarios of one instrument (the shocks
// are underlying-major, so their loads coalesce) and write neighbouring cells.
XM_HD inline void revalue_item(const InstrumentsView& instruments,
                               const UnderlyingsView& underlyings, const ScenariosView& scenarios,
                               bool time_decay, ScenarioRange range, std::size_t item,
                               double* unit) {
  const std::size_t width = range.end - range.begin;
  const std::size_t instrument = item / width;
  const std::size_t column = item - instrument * width;
  unit[item] =
      unit_pnl(instruments, underlyings, scenarios, time_decay, instrument, range.begin + column);
}

// Fills unit[i * width + c] = unit_pnl(i, range.begin + c) for every instrument i
// and column c < width = range.end − range.begin. Views hold device pointers.
void launch_revalue(const InstrumentsView& instruments, const UnderlyingsView& underlyings,
                    const ScenariosView& scenarios, bool time_decay, ScenarioRange range,
                    double* unit, int max_blocks, cudaStream_t stream);

}  // namespace xm::cuda_detail
