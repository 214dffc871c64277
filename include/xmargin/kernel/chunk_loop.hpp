#pragma once
// The order in which every backend walks a chunk plan. The CPU backend, the
// CUDA backend and the CUDA backend's host emulation share it, so they differ
// only in how each step is carried out.
#include <cstddef>
#include <functional>

#include "xmargin/chunk_plan.hpp"

namespace xm::kernel {

// Called after each step with the share of the run done, in [0, 1].
using ChunkProgress = std::function<void(double)>;

// An Executor provides:
//   revalue(begin, end)                  the unit P&L tile of scenarios [begin, end)
//   select(first, rows, begin, end, seen) merge the losses of portfolios
//                                        [first, first + rows) in those scenarios into
//                                        their ranked lists, which hold `seen` before
//   tail(first, rows)                    the tails of those portfolios from their lists
//   finish_step()                        wait until the step is done (only called to
//                                        report progress: a device queues its work)
template <typename Executor>
void walk_chunks(Executor& executor, const ChunkPlan& plan, std::size_t portfolios,
                 std::size_t scenarios, const ChunkProgress& progress) {
  const std::size_t row_chunks = (portfolios + plan.portfolio_chunk - 1) / plan.portfolio_chunk;
  const std::size_t column_chunks = (scenarios + plan.scenario_chunk - 1) / plan.scenario_chunk;
  const double steps = static_cast<double>(row_chunks * column_chunks);
  std::size_t done = 0;
  for (std::size_t first = 0; first < portfolios; first += plan.portfolio_chunk) {
    const std::size_t rows =
        portfolios - first < plan.portfolio_chunk ? portfolios - first : plan.portfolio_chunk;
    for (std::size_t begin = 0; begin < scenarios; begin += plan.scenario_chunk) {
      const std::size_t end =
          scenarios - begin < plan.scenario_chunk ? scenarios : begin + plan.scenario_chunk;
      // A whole unit matrix, revalued once, serves every portfolio chunk.
      if (!(plan.unit_whole && first > 0)) executor.revalue(begin, end);
      executor.select(first, rows, begin, end, begin);
      ++done;
      if (progress) {
        executor.finish_step();
        progress(static_cast<double>(done) / steps);
      }
    }
    executor.tail(first, rows);
  }
}

}  // namespace xm::kernel
