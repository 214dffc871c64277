#include <algorithm>
#include <functional>
#include <numeric>

#include "xmargin/error.hpp"
#include "xmargin/margin_scenarios.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/vol_tenors.hpp"

namespace xm {

ScenarioSet pool_scenarios(const std::vector<WeightedScenarios>& parts) {
  XM_EXPECTS(!parts.empty(), "a pool needs at least one source");
  ScenarioSet pooled;
  pooled.underlying_ids = parts.front().scenarios.underlying_ids;
  pooled.vol_moves.assign(pooled.underlying_ids.size(), 0);
  double total_weight = 0.0;
  std::size_t count = 0;
  for (const WeightedScenarios& part : parts) {
    XM_EXPECTS(part.scenarios.underlying_ids == pooled.underlying_ids,
               "pooled sources must cover the same underlyings in the same order");
    XM_EXPECTS(part.weight > 0.0 && part.scenarios.count() > 0, "an empty or weightless source");
    total_weight += part.weight;
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
  std::size_t first = 0;
  for (const WeightedScenarios& part : parts) {
    const ScenarioSet& set = part.scenarios;
    if (set.monte_carlo) {
      XM_EXPECTS(!pooled.monte_carlo, "at most one Monte Carlo source");
      pooled.monte_carlo = set.monte_carlo;
      pooled.monte_carlo->first += first;
    }
    first += set.count();
    // SPEC §5: the source's weight split equally among its scenarios, then
    // normalised over all sources. One source of weight w gives exactly 1/N.
    const double weight = (part.weight / total_weight) / static_cast<double>(set.count());
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
  if (config.historical) {
    const AntiProcyclicality& apc = config.anti_procyclicality;
    parts.push_back(
        {0,
         {apc.stressed_weight ? generate_stressed_historical(history, *config.historical, apc)
                              : generate_historical(history, *config.historical),
          config.historical->weight}});
  }
  if (config.filtered_historical) {
    parts.push_back({1,
                     {generate_filtered_historical(history, *config.filtered_historical),
                      config.filtered_historical->weight}});
  }
  if (config.monte_carlo) {
    parts.push_back({2,
                     {generate_monte_carlo(history, *config.monte_carlo, draw_monte_carlo_on_host),
                      config.monte_carlo->weight}});
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
  double total = 0.0;
  for (ConfiguredSource& source : parts) {
    total += source.part.weight;
    weighted.push_back(std::move(source.part));
  }
  ScenarioSet pooled = pool_scenarios(weighted);
  // A source whose own weights are not equal (stressed weights) keeps their
  // shape within its share of the pool.
  std::size_t first = 0;
  for (const WeightedScenarios& part : weighted) {
    const std::vector<double>& own = part.scenarios.weight;
    if (std::adjacent_find(own.begin(), own.end(), std::not_equal_to<>()) != own.end()) {
      for (std::size_t j = 0; j < own.size(); ++j) {
        pooled.weight[first + j] = (part.weight / total) * own[j];
      }
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
