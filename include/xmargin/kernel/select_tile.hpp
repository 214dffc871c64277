#pragma once
// The body of the fused aggregate-and-select kernel (kernels/select.cu), shared
// with its host emulation.
//
// One block handles one portfolio row at a time and walks the launch's
// scenarios in tiles of one scenario per thread:
//   load   each thread sums its scenario's portfolio P&L over the row's
//          positions, reading the unit P&L tile in place (a one-position
//          portfolio just reads its instrument's row, scaled), and marks it a
//          candidate when it ranks before the k-th listed loss;
//   rank   (only when the block has candidates) each candidate counts the
//          candidates that rank before it: its place in the tile's ranked list;
//   merge  every listed loss and every candidate finds its place in the merged
//          list by a binary search in the other list, and the first k are
//          written to the row's other buffer.
// Phases are separated by block barriers. The account × scenario loss matrix
// never exists; a portfolio's losses live one tile at a time in shared memory.
// The selected set is the k first losses by ranks_before, which is unique, so
// the result does not depend on tiles, blocks or chunks.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xmargin/hd.hpp"
#include "xmargin/kernel/arithmetic.hpp"
#include "xmargin/kernel/top_k.hpp"
#include "xmargin/tail_measure.hpp"
#include "xmargin/views.hpp"

namespace xm::kernel {

struct SelectLaunch {
  PortfoliosView portfolios;
  // Unit P&L tile of scenarios [scenario_begin, scenario_end): [I × width].
  const double* unit;
  std::size_t scenario_begin;
  std::size_t scenario_end;
  std::size_t scenario_count;  // N of the whole run, for the non-finite code
  // Chunk rows [0, rows) are portfolios portfolio_begin + row.
  std::size_t portfolio_begin;
  std::size_t rows;
  std::size_t seen;  // scenarios merged into the lists before this launch
  TopKView state;
  // Portfolios [0, pnl_rows) also write their P&L to pnl[p * width + column].
  double* pnl;
  std::size_t pnl_rows;
  // Smallest p · N + s whose P&L is not finite.
  unsigned long long* first_non_finite;

  XM_HD std::size_t width() const { return scenario_end - scenario_begin; }
};
static_assert(std::is_trivially_copyable_v<SelectLaunch>, "kernel parameters are copied bytewise");

// One tile of one portfolio, in the block's shared memory.
template <int kThreads>
struct SelectShared {
  double loss[kThreads];
  std::int32_t scenario[kThreads];
  std::uint8_t candidate[kThreads];
  double ranked_loss[kThreads];
  std::int32_t ranked_scenario[kThreads];
};

// Where a row's list stands; the same in every thread of the block.
struct RowCursor {
  std::size_t row = 0;
  std::size_t listed = 0;
  std::uint8_t current = 0;
};

// Portfolio P&L in one scenario column of the tile: the row's positions in CSR
// order from 0.0, each product and sum rounded once, as the reference backend.
XM_HD inline double portfolio_pnl(const PortfoliosView& portfolios, const double* unit,
                                  std::size_t width, std::size_t portfolio, std::size_t column) {
  double sum = 0.0;
  const std::int64_t end = portfolios.row_offsets[portfolio + 1];
  for (std::int64_t e = portfolios.row_offsets[portfolio]; e < end; ++e) {
    const auto instrument = static_cast<std::size_t>(portfolios.entry_instrument[e]);
    sum = add_rounded(
        sum, multiply_rounded(portfolios.entry_weight[e], unit[instrument * width + column]));
  }
  return sum;
}

// Phase load of thread `thread` for the tile starting at column tile_begin;
// returns whether its loss is a candidate. A non-finite loss is recorded and
// never a candidate, so no comparison ever sees a NaN.
template <int kThreads>
XM_HD inline bool select_load(const SelectLaunch& launch, const RowCursor& cursor,
                              std::size_t tile_begin, int thread, SelectShared<kThreads>& shared) {
  const std::size_t width = launch.scenario_end - launch.scenario_begin;
  const std::size_t column = tile_begin + static_cast<std::size_t>(thread);
  bool candidate = false;
  if (column < width) {
    const std::size_t portfolio = launch.portfolio_begin + cursor.row;
    const std::size_t scenario = launch.scenario_begin + column;
    const double pnl = portfolio_pnl(launch.portfolios, launch.unit, width, portfolio, column);
    if (portfolio < launch.pnl_rows) launch.pnl[portfolio * width + column] = pnl;
    const double loss = loss_from_pnl(pnl);
    const auto index = static_cast<std::int32_t>(scenario);
    if (!is_finite(loss)) {
      keep_smallest(launch.first_non_finite, portfolio * launch.scenario_count + scenario);
    } else if (cursor.listed < launch.state.k) {
      candidate = true;
    } else {
      const std::size_t last = cursor.row * launch.state.k + cursor.listed - 1;
      candidate = ranks_before(loss, index, launch.state.loss[cursor.current][last],
                               launch.state.scenario[cursor.current][last]);
    }
    shared.loss[thread] = loss;
    shared.scenario[thread] = index;
  }
  shared.candidate[thread] = candidate ? 1 : 0;
  return candidate;
}

// Phase rank: a candidate's place among the tile's candidates.
template <int kThreads>
XM_HD inline void select_rank(int thread, SelectShared<kThreads>& shared) {
  if (!shared.candidate[thread]) return;
  const double loss = shared.loss[thread];
  const std::int32_t scenario = shared.scenario[thread];
  int place = 0;
  for (int other = 0; other < kThreads; ++other) {
    if (shared.candidate[other] &&
        ranks_before(shared.loss[other], shared.scenario[other], loss, scenario)) {
      ++place;
    }
  }
  shared.ranked_loss[place] = loss;
  shared.ranked_scenario[place] = scenario;
}

// Phase merge: the listed losses and the tile's `candidates` ranked candidates
// into the row's other buffer, the first k of them.
template <int kThreads>
XM_HD inline void select_merge(const SelectLaunch& launch, const RowCursor& cursor, int candidates,
                               int thread, const SelectShared<kThreads>& shared) {
  const std::size_t k = launch.state.k;
  const std::size_t base = cursor.row * k;
  const double* old_loss = launch.state.loss[cursor.current] + base;
  const std::int32_t* old_scenario = launch.state.scenario[cursor.current] + base;
  double* new_loss = launch.state.loss[cursor.current ^ 1] + base;
  std::int32_t* new_scenario = launch.state.scenario[cursor.current ^ 1] + base;
  const auto count = static_cast<std::size_t>(candidates);
  for (std::size_t j = static_cast<std::size_t>(thread); j < cursor.listed; j += kThreads) {
    const std::size_t place = j + count_ranked_before(shared.ranked_loss, shared.ranked_scenario,
                                                      count, old_loss[j], old_scenario[j]);
    if (place < k) {
      new_loss[place] = old_loss[j];
      new_scenario[place] = old_scenario[j];
    }
  }
  for (std::size_t c = static_cast<std::size_t>(thread); c < count; c += kThreads) {
    const std::size_t place =
        c + count_ranked_before(old_loss, old_scenario, cursor.listed, shared.ranked_loss[c],
                                shared.ranked_scenario[c]);
    if (place < k) {
      new_loss[place] = shared.ranked_loss[c];
      new_scenario[place] = shared.ranked_scenario[c];
    }
  }
}

// One portfolio row through every tile of the launch. `Block` runs a phase on
// every thread of the block and then waits for all of them: on the device
// (kernels/select.cu) a call per thread and a barrier, in the host emulation a
// loop over the threads. count(f) also returns how many threads returned true.
template <int kThreads, typename Block>
XM_HD inline void select_row(const SelectLaunch& launch, std::size_t row, Block& block,
                             SelectShared<kThreads>& shared) {
  RowCursor cursor;
  cursor.row = row;
  cursor.listed = launch.seen < launch.state.k ? launch.seen : launch.state.k;
  cursor.current = launch.seen == 0 ? 0 : launch.state.current[row];
  const std::size_t width = launch.scenario_end - launch.scenario_begin;
  for (std::size_t tile = 0; tile < width; tile += kThreads) {
    const int candidates =
        block.count([&](int thread) { return select_load(launch, cursor, tile, thread, shared); });
    if (candidates == 0) continue;
    block.each([&](int thread) { select_rank(thread, shared); });
    block.each([&](int thread) { select_merge(launch, cursor, candidates, thread, shared); });
    cursor.current ^= 1;
    const std::size_t listed = cursor.listed + static_cast<std::size_t>(candidates);
    cursor.listed = listed < launch.state.k ? listed : launch.state.k;
  }
  block.first([&] { launch.state.current[row] = cursor.current; });
}

}  // namespace xm::kernel
