#pragma once
#include <cstddef>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/instrument_value.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm {

// P&L of one unit of instrument i in scenario s: V(S', σ', T') − V(S0, σ0, T),
// SPEC §3. The one place both backends get a scenario price from.
XM_HD inline double unit_pnl(const InstrumentsView& instruments, const UnderlyingsView& underlyings,
                             const ScenariosView& scenarios, bool time_decay, std::size_t i,
                             std::size_t s) {
  const std::size_t u = static_cast<std::size_t>(instruments.underlying[i]);
  const std::size_t shock = u * scenarios.count + s;

  MarketState market;
  market.spot = underlyings.spot[u] * scenarios.price_factor[shock];
  const double base_vol = instruments.vol_annual[i];
  if (scenarios.vol_moves[u]) {
    const double shocked = base_vol + scenarios.vol_shift[shock];
    market.vol_annual = shocked > kMinScenarioVol ? shocked : kMinScenarioVol;
  } else {
    market.vol_annual = base_vol;
  }
  double years = instruments.years_to_expiry[i];
  if (time_decay) {
    years -= scenarios.horizon_days[s] / kBusinessDaysPerYear;
    if (years < 0.0) years = 0.0;
  }
  market.years_to_expiry = years;
  market.rate = underlyings.rate[u];
  market.dividend_yield = underlyings.dividend_yield[u];
  return instrument_value(instruments.terms[i], market) - instruments.base_value[i];
}

}  // namespace xm
