#pragma once
#include <cmath>
#include <cstdint>

#include "support/uniform.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/pricing/instrument_value.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm::test {

// A packed book of every contract kind over a few underlyings, random
// portfolios (some empty, some large), and a matching random scenario set.
struct RandomCase {
  PackedBook book;
  ScenarioSet scenarios;
};

inline RandomCase random_case(std::uint64_t seed, std::size_t instruments, std::size_t portfolios,
                              std::size_t scenario_count, bool equal_weights) {
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
  return c;
}

}  // namespace xm::test
