#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "xmargin/hd.hpp"
#include "xmargin/tail_measure.hpp"
#include "xmargin/views.hpp"

namespace xm::cuda_detail {

// One aggregation launch: portfolios [portfolio_begin, portfolio_begin +
// portfolio_count) over scenarios [scenario_begin, scenario_end), reading unit
// P&L from an [I × (scenario_end − scenario_begin)] buffer. The outputs are
// [portfolio_count × scenario_count] chunk buffers (row = portfolio of the chunk,
// column = scenario), of which this launch fills its scenario columns.
struct AggregateChunk {
  std::size_t portfolio_begin = 0;
  std::size_t portfolio_count = 0;
  std::size_t scenario_count = 0;  // N, the row length of the outputs
  std::size_t scenario_begin = 0;
  std::size_t scenario_end = 0;
  std::size_t pnl_rows = 0;  // rows [0, pnl_rows) of the chunk also store their P&L
};

// a·b and a + b rounded once each, as the reference backend computes them: nvcc
// would otherwise contract `sum += w * u` into a fused multiply-add, whose single
// rounding differs from the host's in the last bit.
XM_HD inline double multiply_rounded(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
XM_HD inline double add_rounded(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// Item `item` of a launch: chunk row item / width, column item % width. The P&L
// sums the portfolio's CSR row in entry order starting from 0.0, exactly the
// reference backend's order, so the result is the same whatever the chunking.
XM_HD inline void aggregate_item(const PortfoliosView& portfolios, const double* unit,
                                 const AggregateChunk& chunk, std::size_t item, double* loss,
                                 std::int32_t* scenario, double* pnl) {
  const std::size_t width = chunk.scenario_end - chunk.scenario_begin;
  const std::size_t row = item / width;
  const std::size_t column = item - row * width;
  const std::size_t portfolio = chunk.portfolio_begin + row;
  double sum = 0.0;
  const std::int64_t end = portfolios.row_offsets[portfolio + 1];
  for (std::int64_t e = portfolios.row_offsets[portfolio]; e < end; ++e) {
    const std::size_t instrument = static_cast<std::size_t>(portfolios.entry_instrument[e]);
    sum = add_rounded(
        sum, multiply_rounded(portfolios.entry_weight[e], unit[instrument * width + column]));
  }
  const std::size_t s = chunk.scenario_begin + column;
  const std::size_t out = row * chunk.scenario_count + s;
  loss[out] = loss_from_pnl(sum);
  scenario[out] = static_cast<std::int32_t>(s);
  if (row < chunk.pnl_rows) pnl[out] = sum;
}

// Writes loss (loss_from_pnl of the P&L) and the scenario index of every (row,
// scenario) of the launch, and the P&L itself into `pnl` for rows < pnl_rows
// (pnl may be null when pnl_rows is 0). Views hold device pointers.
void launch_aggregate(const PortfoliosView& portfolios, const double* unit,
                      const AggregateChunk& chunk, double* loss, std::int32_t* scenario,
                      double* pnl, int max_blocks, cudaStream_t stream);

}  // namespace xm::cuda_detail
