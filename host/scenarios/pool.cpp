#include <algorithm>
#include <functional>
#include <numeric>

#include "xmargin/error.hpp"
#include "xmargin/margin_scenarios.hpp"
#include "xmargin/scenario_checks.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/vol_tenors.hpp"

namespace xm {

std::vector<double> source_shares(const std::vector<double>& weights) {
  XM_EXPECTS(!weights.empty(), "no weights to share");
  // Divided by the largest first, each ratio is in (0, 1] and the sum at most
  // the number of sources: weights of 1e308 cannot overflow the sum, and
  // proportional weights give the same ratios (each an exact quotient rounded
  // once), hence the same shares to the bit.
  const double largest = *std::max_element(weights.begin(), weights.end());
  std::vector<double> shares;
  double total = 0.0;
  for (const double weight : weights) {
    XM_EXPECTS(weight > 0.0 && weight <= largest, "a weight that is not positive and finite");
    shares.push_back(weight / largest);
    total += shares.back();
  }
  for (double& share : shares) share /= total;
  return shares;
}

ScenarioSet pool_scenarios(const std::vector<WeightedScenarios>& parts) {
  XM_EXPECTS(!parts.empty(), "a pool needs at least one source");
  ScenarioSet pooled;
  pooled.underlying_ids = parts.front().scenarios.underlying_ids;
  pooled.vol_moves.assign(pooled.underlying_ids.size(), 0);
  std::vector<double> weights;
  std::size_t count = 0;
  for (const WeightedScenarios& part : parts) {
    XM_EXPECTS(part.scenarios.underlying_ids == pooled.underlying_ids,
               "pooled sources must cover the same underlyings in the same order");
    XM_EXPECTS(part.scenarios.count() > 0, "an empty source");
    weights.push_back(part.weight);
    count += part.scenarios.count();
    for (std::size_t u = 0; u < pooled.vol_moves.size(); ++u) {
      pooled.vol_moves[u] |= part.scenarios.vol_moves[u];
    }
  }
  const std::size_t underlyings = pooled.underlying_ids.size();
  pooled.price_factor.reserve(underlyings * count);
  pooled.vol_shift.reserve(underlyings * count);
  // Underlying-major storage: each underlying's row is its sources' rows in turn.
  for (std::size_t u = 0; u < underlyings; ++u) {
    for (const WeightedScenarios& part : parts) {
      const ScenarioSet& set = part.scenarios;
      const auto begin = static_cast<std::ptrdiff_t>(u * set.count());
      const auto end = begin + static_cast<std::ptrdiff_t>(set.count());
      pooled.price_factor.insert(pooled.price_factor.end(), set.price_factor.begin() + begin,
                                 set.price_factor.begin() + end);
      pooled.vol_shift.insert(pooled.vol_shift.end(), set.vol_shift.begin() + begin,
                              set.vol_shift.begin() + end);
    }
  }
  const std::vector<double> shares = source_shares(weights);
  std::size_t first = 0;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const ScenarioSet& set = parts[p].scenarios;
    if (set.monte_carlo) {
      XM_EXPECTS(!pooled.monte_carlo, "at most one Monte Carlo source");
      pooled.monte_carlo = set.monte_carlo;
      pooled.monte_carlo->first += first;
    }
    first += set.count();
    // SPEC §5: the source's weight split equally among its scenarios, then
    // normalised over all sources. One source of weight w gives exactly 1/N.
    const double weight = shares[p] / static_cast<double>(set.count());
    pooled.weight.insert(pooled.weight.end(), set.count(), weight);
    pooled.horizon_days.insert(pooled.horizon_days.end(), set.horizon_days.begin(),
                               set.horizon_days.end());
    pooled.source.insert(pooled.source.end(), set.source.begin(), set.source.end());
    pooled.label.insert(pooled.label.end(), set.label.begin(), set.label.end());
  }
  std::vector<const ScenarioSet*> sets;
  for (const WeightedScenarios& part : parts) sets.push_back(&part.scenarios);
  pool_vol_tenors(sets, pooled);
  return pooled;
}

std::vector<ConfiguredSource> configured_sources(const History& history, const Config& config,
                                                 bool draw_monte_carlo_on_host) {
  std::vector<ConfiguredSource> parts;
  // Each set is checked as it is built (include/xmargin/scenario_checks.hpp);
  // Monte Carlo draws left to the device are checked there.
  if (config.historical) {
    const AntiProcyclicality& apc = config.anti_procyclicality;
    ScenarioSet set = apc.stressed_weight
                          ? generate_stressed_historical(history, *config.historical, apc)
                          : generate_historical(history, *config.historical);
    check_scenario_bounds(set, historical_origin(*config.historical, history));
    parts.push_back({0, {std::move(set), config.historical->weight}});
  }
  if (config.filtered_historical) {
    ScenarioSet set = generate_filtered_historical(history, *config.filtered_historical);
    check_scenario_bounds(set, filtered_historical_origin(*config.filtered_historical, history));
    parts.push_back({1, {std::move(set), config.filtered_historical->weight}});
  }
  if (config.monte_carlo) {
    ScenarioSet set = generate_monte_carlo(history, *config.monte_carlo, draw_monte_carlo_on_host);
    if (draw_monte_carlo_on_host) {
      check_scenario_bounds(set, monte_carlo_origin(*config.monte_carlo, history));
    }
    parts.push_back({2, {std::move(set), config.monte_carlo->weight}});
  }
  XM_EXPECTS(!parts.empty(), "the config names no scenario source");
  return parts;
}

ScenarioSet pool_configured(std::vector<ConfiguredSource> parts) {
  if (parts.size() == 1) {
    // Keeps the one source's own weights (1/N, or the stressed weights) without a copy.
    return std::move(parts.front().part.scenarios);
  }
  std::vector<WeightedScenarios> weighted;
  std::vector<double> weights;
  for (ConfiguredSource& source : parts) {
    weights.push_back(source.part.weight);
    weighted.push_back(std::move(source.part));
  }
  ScenarioSet pooled = pool_scenarios(weighted);
  // A source whose own weights are not equal (stressed weights) keeps their
  // shape within its share of the pool.
  const std::vector<double> shares = source_shares(weights);
  std::size_t first = 0;
  for (std::size_t p = 0; p < weighted.size(); ++p) {
    const std::vector<double>& own = weighted[p].scenarios.weight;
    if (std::adjacent_find(own.begin(), own.end(), std::not_equal_to<>()) != own.end()) {
      for (std::size_t j = 0; j < own.size(); ++j) pooled.weight[first + j] = shares[p] * own[j];
    }
    first += own.size();
  }
  return pooled;
}

ScenarioSet generate_configured_scenarios(const History& history, const Config& config,
                                          bool draw_monte_carlo_on_host) {
  return pool_configured(configured_sources(history, config, draw_monte_carlo_on_host));
}

ScenarioSet build_scenarios(const Inputs& inputs, const std::vector<std::string>& underlying_ids,
                            bool draw_monte_carlo_on_host) {
  if (inputs.replayed_scenarios) {
    return align_scenarios(*inputs.replayed_scenarios, underlying_ids, inputs.paths.scenarios);
  }
  XM_EXPECTS(inputs.history, "generated scenarios need a history");
  ScenarioSet set =
      generate_configured_scenarios(*inputs.history, inputs.config, draw_monte_carlo_on_host);
  // The history is loaded in the book's underlying order, so this is the usual
  // case, and it spares a copy of a set that may hold a million scenarios.
  if (set.underlying_ids == underlying_ids) return set;
  return align_scenarios(set, underlying_ids, inputs.history->path);
}

ScenarioSet align_scenarios(const ScenarioSet& scenarios, const std::vector<std::string>& ids,
                            const std::string& source_path) {
  ScenarioSet aligned;
  aligned.horizon_days = scenarios.horizon_days;
  aligned.weight = scenarios.weight;
  aligned.source = scenarios.source;
  aligned.label = scenarios.label;
  aligned.monte_carlo = scenarios.monte_carlo;
  const std::size_t count = scenarios.count();
  std::vector<std::size_t> picked;
  for (const std::string& id : ids) {
    std::size_t from = 0;
    while (from < scenarios.underlying_count() && scenarios.underlying_ids[from] != id) ++from;
    if (from == scenarios.underlying_count()) {
      throw InputError(source_path, 0, 0, "no scenarios for underlying '" + id + "'");
    }
    if (aligned.monte_carlo) {
      // The draws' factors follow their underlyings to their new rows.
      for (std::int32_t& u : aligned.monte_carlo->factor_underlying) {
        if (u == static_cast<std::int32_t>(from))
          u = -2 - static_cast<std::int32_t>(aligned.underlying_ids.size());
      }
    }
    picked.push_back(from);
    aligned.underlying_ids.push_back(id);
    aligned.vol_moves.push_back(scenarios.vol_moves[from]);
    const auto begin = static_cast<std::ptrdiff_t>(from * count);
    const auto end = begin + static_cast<std::ptrdiff_t>(count);
    aligned.price_factor.insert(aligned.price_factor.end(), scenarios.price_factor.begin() + begin,
                                scenarios.price_factor.begin() + end);
    aligned.vol_shift.insert(aligned.vol_shift.end(), scenarios.vol_shift.begin() + begin,
                             scenarios.vol_shift.begin() + end);
  }
  if (aligned.monte_carlo) {
    // Marked −2 − new row above; factors of underlyings left out move nothing.
    for (std::int32_t& u : aligned.monte_carlo->factor_underlying) u = u <= -2 ? -2 - u : -1;
  }
  select_vol_tenors(scenarios, picked, std::nullopt, aligned);
  return aligned;
}

}  // namespace xm
