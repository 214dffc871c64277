#pragma once
// What the CUDA backend allocates in device memory for a run, shared with its
// host emulation so that both plan the same chunks.
#include <cstddef>
#include <cstdint>

#include "xmargin/chunk_plan.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/stress.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm::kernel {

// Threads per block of each kernel. The select kernel keeps one tile of
// kSelectThreads losses in shared memory, so its block size is fixed at compile
// time; the grids come from the occupancy API (kernels/cuda_backend.cu).
inline constexpr int kRevalueThreads = 128;
inline constexpr int kSelectThreads = 128;
inline constexpr int kTailThreads = 128;
inline constexpr int kMonteCarloThreads = 128;
inline constexpr int kStressThreads = 128;

// Alignment of every buffer carved from the run's device pool: what cudaMalloc
// guarantees, enough for coalesced access to any element type.
inline constexpr std::size_t kPoolAlignment = 256;

inline std::size_t pool_bytes(std::size_t bytes) {
  return (bytes + kPoolAlignment - 1) / kPoolAlignment * kPoolAlignment;
}

// What drawing a set's Monte Carlo scenarios on the device takes: the normals,
// the Student-t scales, √h·L and the factors' targets.
inline std::size_t monte_carlo_device_bytes(const ScenarioSet& scenarios) {
  if (!scenarios.monte_carlo) return 0;
  const MonteCarloDraws& mc = *scenarios.monte_carlo;
  return pool_bytes(mc.count * mc.normals_per_scenario * sizeof(double)) +
         (mc.student_t ? pool_bytes(mc.count * sizeof(double)) : 0) +
         pool_bytes(mc.root.size() * sizeof(double)) +
         2 * pool_bytes(mc.factors * sizeof(std::int32_t));  // factor_underlying, factor_target
}

// The resident inputs: the packed book and the scenario shocks.
inline std::size_t resident_device_bytes(const PackedBook& book, const ScenarioSet& scenarios) {
  const std::size_t u = book.underlying_count(), i = book.instrument_count();
  const std::size_t entries = book.entry_instrument.size(), n = scenarios.count();
  std::size_t bytes = 0;
  bytes += 3 * pool_bytes(u * sizeof(double));  // spot, rate, dividend_yield
  bytes += pool_bytes(book.surface_shape.size() * sizeof(SurfaceShape));
  bytes += pool_bytes(book.surface_expiry_years.size() * sizeof(double));
  bytes += pool_bytes(book.surface_moneyness.size() * sizeof(double));
  bytes += pool_bytes(book.surface_vols.size() * sizeof(double));
  bytes += pool_bytes(i * sizeof(ContractTerms));
  bytes += pool_bytes(i * sizeof(std::int32_t));
  bytes += 3 * pool_bytes(i * sizeof(double));  // years_to_expiry, vol_annual, base_value
  bytes += pool_bytes(i * sizeof(VolRule));
  bytes += 2 * pool_bytes(i * sizeof(double));  // days_to_expiry, moneyness_strike
  bytes += pool_bytes(book.row_offsets.size() * sizeof(std::int64_t));
  bytes += pool_bytes(entries * sizeof(std::int32_t));
  bytes += pool_bytes(entries * sizeof(double));
  bytes += 2 * pool_bytes(u * n * sizeof(double));  // price_factor, vol_shift
  bytes += pool_bytes(u);                           // vol_moves
  bytes += pool_bytes(n * sizeof(double));          // horizon_days
  bytes += pool_bytes(scenarios.tenor_offsets.size() * sizeof(std::int32_t));
  bytes += pool_bytes(scenarios.tenor_days.size() * sizeof(double));
  bytes += pool_bytes(scenarios.tenor_shift.size() * sizeof(double));
  bytes += pool_bytes(scenarios.vol_term_power.size() * sizeof(double));
  bytes += pool_bytes(scenarios.vol_term_min_days.size() * sizeof(double));
  bytes += pool_bytes(n * sizeof(double));              // weight
  bytes += pool_bytes(3 * sizeof(unsigned long long));  // the non-finite and out-of-bounds codes
  bytes += monte_carlo_device_bytes(scenarios);
  return bytes;
}

// A stress run (kernels/stress.cu): the book and the stress shocks, the unit
// tile [I × N], the rows sorted by underlying, the covered shares, the charges
// and the two non-finite codes, carved in that order.
inline std::size_t stress_device_bytes(const PackedBook& book, const StressSet& stress) {
  const std::size_t entries = book.entry_instrument.size();
  return resident_device_bytes(book, stress.scenarios) +
         pool_bytes(book.instrument_count() * stress.count() * sizeof(double)) +
         pool_bytes(entries * sizeof(std::int32_t)) + pool_bytes(entries * sizeof(double)) +
         pool_bytes(stress.covered.size() * sizeof(double)) +
         pool_bytes(book.portfolio_count() * kStressKinds * sizeof(double));
}

// Per portfolio row: two ranked lists of `ranks`, the current-buffer byte and
// the tail. Per scenario column: the unit P&L tile and two P&L row buffers
// (one filled while the other is copied out). Each buffer may round up by one
// alignment unit; that slack is in `fixed`.
inline ChunkCosts device_chunk_costs(const PackedBook& book, const ScenarioSet& scenarios,
                                     std::size_t ranks, std::size_t pnl_rows) {
  constexpr std::size_t kRunBuffers = 9;  // tile, 4 lists, current, tails, 2 P&L buffers
  ChunkCosts costs;
  costs.fixed = resident_device_bytes(book, scenarios) + kRunBuffers * kPoolAlignment;
  costs.per_row = 2 * ranks * (sizeof(double) + sizeof(std::int32_t)) + 1 + sizeof(TailRisk);
  costs.per_column = book.instrument_count() * sizeof(double) + 2 * pnl_rows * sizeof(double);
  return costs;
}

}  // namespace xm::kernel
