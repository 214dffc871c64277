#pragma once
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "tuning.cuh"
#include "xmargin/error.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm::cuda_detail {

// How a run is cut to fit the device memory budget.
//
// Portfolios go in chunks of portfolio_chunk rows; each chunk holds, per
// portfolio, N losses and scenario indices twice (the sort's two buffers), its
// segment offset and its TailRisk, plus CUB's temporary storage. The unit P&L
// matrix [I × N] is computed once when it fits beside one portfolio chunk
// (unit_whole); otherwise it is computed scenario_chunk scenarios at a time
// inside each portfolio chunk, so pricing is repeated for every portfolio chunk:
// correct, only slower. A chunk never holds more than INT_MAX losses (CUB's
// segment offsets are int).
struct ChunkPlan {
  std::size_t portfolio_chunk = 0;
  std::size_t scenario_chunk = 0;
  bool unit_whole = false;
  std::size_t rank_temp_bytes = 0;  // CUB's temporary storage for a full portfolio chunk
};

struct ChunkPlanInputs {
  std::size_t budget_bytes = 0;    // everything the run may allocate
  std::size_t resident_bytes = 0;  // the uploaded book and scenarios
  std::size_t instruments = 0;
  std::size_t portfolios = 0;  // > 0
  std::size_t scenarios = 0;   // > 0, ≤ INT_MAX
};

namespace plan_detail {

inline constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

// a × b, or kUnbounded where that overflows.
inline std::size_t product(std::size_t a, std::size_t b) {
  if (a != 0 && b > kUnbounded / a) return kUnbounded;
  return a * b;
}

// Bytes of one allocation of `bytes`, counting cudaMalloc's rounding.
inline std::size_t allocation(std::size_t bytes) {
  return bytes > kUnbounded - cuda_tuning::kAllocationSlackBytes
             ? kUnbounded
             : bytes + cuda_tuning::kAllocationSlackBytes;
}

inline std::size_t sum(std::size_t a, std::size_t b) {
  return a > kUnbounded - b ? kUnbounded : a + b;
}

}  // namespace plan_detail

// Device bytes of a unit P&L buffer for `scenarios` scenarios of every instrument.
inline std::size_t unit_chunk_bytes(std::size_t instruments, std::size_t scenarios) {
  if (instruments == 0 || scenarios == 0) return 0;
  return plan_detail::allocation(
      plan_detail::product(plan_detail::product(instruments, scenarios), sizeof(double)));
}

// Device bytes of the buffers of one portfolio chunk of `rows` portfolios.
template <typename RankTempBytes>
std::size_t portfolio_chunk_bytes(std::size_t rows, std::size_t scenarios,
                                  RankTempBytes&& rank_temp_bytes) {
  using namespace plan_detail;
  const std::size_t items = product(rows, scenarios);
  std::size_t bytes = 0;
  bytes = sum(bytes, 2 * allocation(product(items, sizeof(double))));        // losses, twice
  bytes = sum(bytes, 2 * allocation(product(items, sizeof(std::int32_t))));  // scenarios, twice
  bytes = sum(bytes, allocation(product(rows + 1, sizeof(int))));            // segment offsets
  bytes = sum(bytes, allocation(product(rows, sizeof(TailRisk))));           // results
  bytes = sum(bytes, allocation(rank_temp_bytes(rows)));                     // CUB
  return bytes;
}

// The plan for `in`; rank_temp_bytes(rows) gives CUB's temporary storage for a
// chunk of `rows` portfolios. Throws RunError when not even one portfolio with
// one scenario column fits the budget.
template <typename RankTempBytes>
ChunkPlan plan_chunks(const ChunkPlanInputs& in, RankTempBytes&& rank_temp_bytes) {
  const std::size_t n = in.scenarios;
  const std::size_t max_rows =
      std::min(in.portfolios, static_cast<std::size_t>(INT_MAX) / std::max<std::size_t>(n, 1));
  if (in.portfolios == 0 || n == 0 || max_rows == 0) {
    throw LogicError("plan_chunks needs portfolios and at most INT_MAX scenarios");
  }
  const auto chunk_bytes = [&](std::size_t rows) {
    return portfolio_chunk_bytes(rows, n, rank_temp_bytes);
  };
  // The largest row count whose chunk fits `limit`, or 0. The chunk's bytes grow
  // with its rows; a binary search only ever keeps a count that fits, so a
  // non-monotone temporary size can cost rows, never overrun the limit.
  const auto largest_fitting = [&](std::size_t limit) -> std::size_t {
    if (chunk_bytes(1) > limit) return 0;
    if (chunk_bytes(max_rows) <= limit) return max_rows;
    std::size_t fits = 1, too_many = max_rows;
    while (too_many - fits > 1) {
      const std::size_t middle = fits + (too_many - fits) / 2;
      (chunk_bytes(middle) <= limit ? fits : too_many) = middle;
    }
    return fits;
  };

  const std::size_t room =
      in.budget_bytes > in.resident_bytes ? in.budget_bytes - in.resident_bytes : 0;
  ChunkPlan plan;

  const std::size_t whole_unit = unit_chunk_bytes(in.instruments, n);
  if (whole_unit <= room) {
    const std::size_t rows = largest_fitting(room - whole_unit);
    if (rows > 0) {
      plan.portfolio_chunk = rows;
      plan.scenario_chunk = n;
      plan.unit_whole = true;
      plan.rank_temp_bytes = rank_temp_bytes(rows);
      return plan;
    }
  }

  // The unit matrix does not fit: half the room to portfolios (each portfolio
  // chunk reprices every instrument, so fewer, larger chunks cost less), the rest
  // to scenario columns of the unit matrix.
  std::size_t rows = largest_fitting(room / 2);
  if (rows == 0) rows = largest_fitting(room);
  std::size_t columns = 0;
  if (rows > 0) {
    const std::size_t left = room - chunk_bytes(rows);
    const std::size_t column_bytes = plan_detail::product(in.instruments, sizeof(double));
    if (column_bytes == 0) {
      columns = n;
    } else if (left > cuda_tuning::kAllocationSlackBytes) {
      columns = std::min(n, (left - cuda_tuning::kAllocationSlackBytes) / column_bytes);
    }
  }
  if (columns == 0) {
    const std::size_t least = plan_detail::sum(chunk_bytes(1), unit_chunk_bytes(in.instruments, 1));
    throw RunError("the device memory budget of " + std::to_string(in.budget_bytes) +
                   " bytes is too small: the book and scenarios take " +
                   std::to_string(in.resident_bytes) +
                   " bytes, and one portfolio with one scenario column of unit P&L needs " +
                   std::to_string(least) + " more");
  }
  plan.portfolio_chunk = rows;
  plan.scenario_chunk = columns;
  plan.unit_whole = columns == n;
  plan.rank_temp_bytes = rank_temp_bytes(rows);
  return plan;
}

}  // namespace xm::cuda_detail
