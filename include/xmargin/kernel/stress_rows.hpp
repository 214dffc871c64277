#pragma once
// The body of the stress kernel (kernels/stress.cu): one portfolio row's span,
// grid and named charges (SPEC §5.3) from the stress scenarios' unit P&L,
// shared with the CPU backend and the kernel's host emulation.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xmargin/hd.hpp"
#include "xmargin/kernel/arithmetic.hpp"
#include "xmargin/views.hpp"

namespace xm::kernel {

inline constexpr std::size_t kStressCharges = 3;  // span, grid, named (StressKind order)

struct StressLaunch {
  // The book's rows with each row's entries sorted by (underlying, instrument),
  // so that an underlying's positions are one run (stress_rows_by_underlying).
  PortfoliosView rows;
  const std::int32_t* instrument_underlying;
  const double* unit;     // [I × columns], instrument-major unit P&L
  std::size_t columns;    // N stress scenarios
  const double* covered;  // [U × N]
  std::size_t kind_offsets[kStressCharges + 1];
  double* charges;  // [P × 3]
  // Smallest row · N + s whose portfolio P&L is not finite.
  unsigned long long* first_non_finite;
};
static_assert(std::is_trivially_copyable_v<StressLaunch>, "kernel parameters are copied bytewise");

// P&L of entries [begin, end) of the sorted rows in scenario s, in entry order.
XM_HD inline double stress_run_pnl(const StressLaunch& launch, std::int64_t begin, std::int64_t end,
                                   std::size_t s) {
  double pnl = 0.0;
  for (std::int64_t e = begin; e < end; ++e) {
    const auto instrument = static_cast<std::size_t>(launch.rows.entry_instrument[e]);
    pnl += launch.rows.entry_weight[e] * launch.unit[instrument * launch.columns + s];
  }
  return pnl;
}

XM_HD inline void note_if_not_finite(const StressLaunch& launch, std::size_t row, std::size_t s,
                                     double pnl) {
  if (!is_finite(pnl)) keep_smallest(launch.first_non_finite, row * launch.columns + s);
}

// Span and grid: Σ over the row's underlyings of the largest covered loss of
// the underlying's own positions over the kind's scenarios (0 if all gain).
XM_HD inline double per_underlying_charge(const StressLaunch& launch, std::size_t row,
                                          std::size_t first, std::size_t last) {
  const std::int64_t begin = launch.rows.row_offsets[row], end = launch.rows.row_offsets[row + 1];
  double charge = 0.0;
  for (std::int64_t run = begin; run < end;) {
    const std::int32_t u = launch.instrument_underlying[launch.rows.entry_instrument[run]];
    std::int64_t run_end = run + 1;
    while (run_end < end &&
           launch.instrument_underlying[launch.rows.entry_instrument[run_end]] == u) {
      ++run_end;
    }
    double worst = 0.0;
    for (std::size_t s = first; s < last; ++s) {
      const double pnl = stress_run_pnl(launch, run, run_end, s);
      note_if_not_finite(launch, row, s, pnl);
      const double loss =
          launch.covered[static_cast<std::size_t>(u) * launch.columns + s] * (0.0 - pnl);
      if (loss > worst) worst = loss;
    }
    charge += worst;
    run = run_end;
  }
  return charge;
}

// Named: the largest loss of the whole row (0 if all gain).
XM_HD inline double whole_row_charge(const StressLaunch& launch, std::size_t row, std::size_t first,
                                     std::size_t last) {
  const std::int64_t begin = launch.rows.row_offsets[row], end = launch.rows.row_offsets[row + 1];
  double worst = 0.0;
  for (std::size_t s = first; s < last; ++s) {
    const double pnl = stress_run_pnl(launch, begin, end, s);
    note_if_not_finite(launch, row, s, pnl);
    const double loss = 0.0 - pnl;
    if (loss > worst) worst = loss;
  }
  return worst;
}

XM_HD inline void stress_row(const StressLaunch& launch, std::size_t row) {
  const std::size_t* k = launch.kind_offsets;
  double* out = launch.charges + row * kStressCharges;
  out[0] = per_underlying_charge(launch, row, k[0], k[1]);
  out[1] = per_underlying_charge(launch, row, k[1], k[2]);
  out[2] = whole_row_charge(launch, row, k[2], k[3]);
}

}  // namespace xm::kernel
