#pragma once
// The body of the revaluation kernel (kernels/revalue.cu): one unit P&L per
// item, shared with the kernel's host emulation.
#include <cstddef>
#include <type_traits>

#include "xmargin/hd.hpp"
#include "xmargin/kernel/arithmetic.hpp"
#include "xmargin/revaluation.hpp"
#include "xmargin/views.hpp"

namespace xm::kernel {

// One revaluation launch: every instrument under scenarios [scenario_begin,
// scenario_end). The tile is instrument-major, [I × width], width = end − begin:
// unit[i * width + c] holds scenario scenario_begin + c, so neighbouring threads
// price neighbouring scenarios of one instrument (the shocks are underlying-
// major, so their loads coalesce) and write neighbouring cells.
struct RevalueLaunch {
  InstrumentsView instruments;
  UnderlyingsView underlyings;
  ScenariosView scenarios;
  bool time_decay;
  std::size_t scenario_begin;
  std::size_t scenario_end;
  double* unit;
  // Smallest i · N + s whose unit P&L is not finite (N = scenarios.count).
  unsigned long long* first_non_finite;

  XM_HD std::size_t width() const { return scenario_end - scenario_begin; }
  XM_HD std::size_t items() const { return instruments.count * width(); }
};
static_assert(std::is_trivially_copyable_v<RevalueLaunch>, "kernel parameters are copied bytewise");

XM_HD inline void revalue_item(const RevalueLaunch& launch, std::size_t item) {
  const std::size_t width = launch.scenario_end - launch.scenario_begin;
  const std::size_t instrument = item / width;
  const std::size_t scenario = launch.scenario_begin + (item - instrument * width);
  const double value = unit_pnl(launch.instruments, launch.underlyings, launch.scenarios,
                                launch.time_decay, instrument, scenario);
  if (!is_finite(value)) {
    keep_smallest(launch.first_non_finite, instrument * launch.scenarios.count + scenario);
  }
  launch.unit[item] = value;
}

}  // namespace xm::kernel
