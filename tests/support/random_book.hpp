#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "support/uniform.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/pricing/instrument_value.hpp"
#include "xmargin/pricing/vol_surface.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm::test {

// A packed book of every contract kind over a few underlyings, random
// portfolios (some empty, some large), and a matching random scenario set.
struct RandomCase {
  PackedBook book;
  ScenarioSet scenarios;
};

// Vol surfaces (SPEC §6) on underlyings 0–2 of a random case: random grids (one or more
// expiries and nodes; calendar arbitrage allowed, the engine does not care), sticky moneyness on
// 0 and 2 and sticky strike on 1, read by about 70% of their options (the others keep their own
// vol). Times to expiry become whole days, and underlyings 0 and 3 move by tenor shifts
// instead of their parallel shift.
inline void add_surfaces(RandomCase& c, Uniform& u) {
  PackedBook& b = c.book;
  b.surface_shape.clear();
  for (std::size_t k = 0; k < b.underlying_count(); ++k) {
    SurfaceShape shape;
    shape.expiry_begin = static_cast<std::int32_t>(b.surface_expiry_years.size());
    shape.node_begin = static_cast<std::int32_t>(b.surface_moneyness.size());
    shape.vol_begin = static_cast<std::int32_t>(b.surface_vols.size());
    if (k < 3) {
      shape.expiry_count = static_cast<std::int32_t>(1 + u.index(4));
      shape.node_count = static_cast<std::int32_t>(1 + u.index(7));
      double years = 0.0, node = u(0.6, 0.9);
      for (std::int32_t e = 0; e < shape.expiry_count; ++e) {
        years += u(0.05, 0.6);
        b.surface_expiry_years.push_back(years);
      }
      for (std::int32_t j = 0; j < shape.node_count; ++j) {
        b.surface_moneyness.push_back(node);
        node += u(0.05, 0.2);
      }
      for (std::int32_t v = 0; v < shape.expiry_count * shape.node_count; ++v) {
        b.surface_vols.push_back(u(0.1, 0.7));
      }
    }
    b.surface_shape.push_back(shape);
  }
  const VolSurfacesView surfaces{b.surface_shape.data(), b.surface_expiry_years.data(),
                                 b.surface_moneyness.data(), b.surface_vols.data()};
  for (std::size_t i = 0; i < b.instrument_count(); ++i) {
    const auto k = static_cast<std::size_t>(b.underlying[i]);
    b.days_to_expiry[i] = std::max(1.0, std::round(b.years_to_expiry[i] * 365.0));
    b.years_to_expiry[i] = b.days_to_expiry[i] / 365.0;
    MarketState base{b.spot[k], b.vol_annual[i], b.years_to_expiry[i], b.rate[k],
                     b.dividend_yield[k]};
    if (b.terms[i].payoff != Payoff::forward && k < 3 && u(0, 1) < 0.7) {
      b.vol_rule[i] = k == 1 ? VolRule::sticky_strike : VolRule::sticky_moneyness;
      b.moneyness_strike[i] =
          b.terms[i].strike / std::exp((base.rate - base.dividend_yield) * base.years_to_expiry);
      b.vol_annual[i] = base.vol_annual =
          surface_vol(surfaces, k, b.moneyness_strike[i] / base.spot, base.years_to_expiry);
    }
    b.base_value[i] = instrument_value(b.terms[i], base);
  }

  ScenarioSet& s = c.scenarios;
  const std::size_t n = s.count();
  const std::vector<std::vector<double>> tenors{{7, 60, 400}, {}, {}, {30}};
  s.tenor_offsets = {0};
  for (std::size_t k = 0; k < tenors.size(); ++k) {
    for (const double days : tenors[k]) {
      s.tenor_days.push_back(days);
      for (std::size_t j = 0; j < n; ++j) s.tenor_shift.push_back(u(-0.2, 0.2));
    }
    s.tenor_offsets.push_back(static_cast<std::int32_t>(s.tenor_days.size()));
    if (tenors[k].empty()) continue;
    s.vol_moves[k] = 0;
    std::fill_n(s.vol_shift.begin() + static_cast<std::ptrdiff_t>(k * n), n, 0.0);
  }
}

inline RandomCase random_case(std::uint64_t seed, std::size_t instruments, std::size_t portfolios,
                              std::size_t scenario_count, bool equal_weights,
                              bool surfaces = false) {
  Uniform u(seed);
  RandomCase c;
  PackedBook& b = c.book;
  const std::size_t underlyings = 4;
  for (std::size_t k = 0; k < underlyings; ++k) {
    b.underlying_ids.push_back("U" + std::to_string(k));
    b.spot.push_back(u(10, 200));
    b.rate.push_back(u(0, 0.08));
    b.dividend_yield.push_back(u(0, 0.04));
    b.surface_shape.emplace_back();  // none: random_surface_case adds them
  }
  for (std::size_t i = 0; i < instruments; ++i) {
    const auto k = static_cast<std::int32_t>(u.index(underlyings));
    ContractTerms terms;
    const double pick = u(0, 1);
    terms.payoff = pick < 0.15 ? Payoff::forward : pick < 0.6 ? Payoff::call : Payoff::put;
    terms.exercise = u(0, 1) < 0.5 ? Exercise::european : Exercise::american;
    terms.underlier = u(0, 1) < 0.5 ? Underlier::spot : Underlier::future;
    terms.strike = b.spot[static_cast<std::size_t>(k)] * u(0.7, 1.3);
    b.terms.push_back(terms);
    b.underlying.push_back(k);
    // Some expire inside the margin period, to exercise T' = 0.
    b.years_to_expiry.push_back(u(0, 1) < 0.1 ? u(1, 4) / 365.0 : u(0.02, 2.0));
    b.days_to_expiry.push_back(b.years_to_expiry.back() * 365.0);
    b.moneyness_strike.push_back(0.0);
    b.vol_rule.push_back(VolRule::flat);
    b.vol_annual.push_back(u(0.05, 0.8));
    MarketState base{b.spot[static_cast<std::size_t>(k)], b.vol_annual.back(),
                     b.years_to_expiry.back(), b.rate[static_cast<std::size_t>(k)],
                     b.dividend_yield[static_cast<std::size_t>(k)]};
    b.base_value.push_back(instrument_value(terms, base));
  }
  b.row_offsets.push_back(0);
  for (std::size_t p = 0; p < portfolios; ++p) {
    const std::size_t entries = p % 17 == 3 ? 0 : p % 23 == 5 ? 150 : 1 + u.index(8);
    std::vector<bool> used(instruments, false);
    for (std::size_t e = 0; e < entries; ++e) {
      const std::size_t i = u.index(instruments);
      if (used[i]) continue;
      used[i] = true;
    }
    for (std::size_t i = 0; i < instruments; ++i) {
      if (!used[i]) continue;
      b.entry_instrument.push_back(static_cast<std::int32_t>(i));
      b.entry_weight.push_back(std::round(u(-20, 20)) * 100.0 + (u(0, 1) < 0.5 ? 0 : 1));
    }
    b.row_offsets.push_back(static_cast<std::int64_t>(b.entry_instrument.size()));
  }

  ScenarioSet& s = c.scenarios;
  s.underlying_ids = b.underlying_ids;
  s.vol_moves = {1, 0, 1, 1};
  for (std::size_t k = 0; k < underlyings; ++k) {
    for (std::size_t j = 0; j < scenario_count; ++j) {
      // A few identical moves make exact ties between scenarios.
      const double factor = j % 97 == 11 ? 1.0 : std::exp(u(-0.15, 0.15));
      s.price_factor.push_back(factor);
      s.vol_shift.push_back(s.vol_moves[k] ? u(-0.2, 0.2) : 0.0);
    }
  }
  double total = 0.0;
  for (std::size_t j = 0; j < scenario_count; ++j) {
    s.horizon_days.push_back(j % 3 == 0 ? 5.0 : 2.0);
    s.weight.push_back(equal_weights ? 1.0 : u(0.5, 1.5));
    total += s.weight.back();
    s.source.push_back("test");
    s.label.push_back(std::to_string(j));
  }
  for (double& w : s.weight)
    w = equal_weights ? 1.0 / static_cast<double>(scenario_count) : w / total;
  if (surfaces) add_surfaces(c, u);
  return c;
}

}  // namespace xm::test
