#pragma once
#include <cstddef>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/instrument_value.hpp"
#include "xmargin/pricing/vol_surface.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm {

// ΔV of underlying u in scenario s for an instrument `days` calendar days from
// expiry (SPEC §3, §6): its tenor shifts interpolated at `days` where it has
// tenors, else its parallel shift where its vol moves. `moves` is false when
// neither applies (the vol is then left as it is, without the floor).
struct VolChange {
  bool moves;
  double shift;
};

// A stress grid's vol shock for an instrument `days` calendar days from expiry
// (SPEC §5.3): shock · (30 / max(days, min_days))^power.
XM_HD inline double term_scaled_vol_shift(double shock, double days, double min_days,
                                          double power) {
  const double floored = days > min_days ? days : min_days;
  return shock * ::pow(30.0 / floored, power);
}

XM_HD inline VolChange scenario_vol_change(const ScenariosView& scenarios, std::size_t u,
                                           std::size_t s, double days) {
  if (scenarios.tenor_offsets != nullptr) {
    const std::int32_t begin = scenarios.tenor_offsets[u];
    const std::int32_t count = scenarios.tenor_offsets[u + 1] - begin;
    if (count > 0) {
      const double* shifts =
          scenarios.tenor_shift + static_cast<std::size_t>(begin) * scenarios.count + s;
      return {true, interpolate_flat_ends(scenarios.tenor_days + begin, shifts, scenarios.count,
                                          count, days)};
    }
  }
  if (scenarios.vol_moves[u]) {
    const std::size_t at = u * scenarios.count + s;
    if (scenarios.vol_term_power != nullptr && scenarios.vol_term_power[at] != 0.0) {
      return {true,
              term_scaled_vol_shift(scenarios.vol_shift[at], days, scenarios.vol_term_min_days[at],
                                    scenarios.vol_term_power[at])};
    }
    return {true, scenarios.vol_shift[at]};
  }
  return {false, 0.0};
}

// P&L of one unit of instrument i in scenario s: V(S', σ', T') − V(S0, σ0, T),
// SPEC §3 and §6. The one place both backends get a scenario price from.
XM_HD inline double unit_pnl(const InstrumentsView& instruments, const UnderlyingsView& underlyings,
                             const ScenariosView& scenarios, bool time_decay, std::size_t i,
                             std::size_t s) {
  const std::size_t u = static_cast<std::size_t>(instruments.underlying[i]);
  const std::size_t shock = u * scenarios.count + s;

  MarketState market;
  market.spot = underlyings.spot[u] * scenarios.price_factor[shock];
  market.rate = underlyings.rate[u];
  market.dividend_yield = underlyings.dividend_yield[u];
  const double base_years = instruments.years_to_expiry[i];

  // σ(m′, T) + ΔV, floored, for an option on a surface; σ₀ + ΔV, floored, for
  // a flat vol that moves; σ₀ otherwise. Sticky moneyness reads the surface at
  // the scenario's forward with the undecayed T, m′ = K/F′ = K·e^{−(r−q)T}/S′
  // (the numerator precomputed, as for σ₀); sticky strike keeps σ₀ = σ(K/F₀, T).
  const VolRule rule = instruments.vol_rule[i];
  double vol = instruments.vol_annual[i];
  if (rule == VolRule::sticky_moneyness) {
    vol = surface_vol(underlyings.surfaces, u, instruments.moneyness_strike[i] / market.spot,
                      base_years);
  }
  const VolChange change = scenario_vol_change(scenarios, u, s, instruments.days_to_expiry[i]);
  if (change.moves) vol += change.shift;
  if (change.moves || rule != VolRule::flat) vol = vol > kMinScenarioVol ? vol : kMinScenarioVol;
  market.vol_annual = vol;

  double years = base_years;
  if (time_decay) {
    years -= scenarios.horizon_days[s] / kBusinessDaysPerYear;
    if (years < 0.0) years = 0.0;
  }
  market.years_to_expiry = years;
  return instrument_value(instruments.terms[i], market) - instruments.base_value[i];
}

}  // namespace xm
