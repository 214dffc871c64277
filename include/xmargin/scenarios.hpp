#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// Historical scenarios of SPEC §3: scenario j = 0…L−1 (oldest first) takes the
// overlapping h-day move from row t = n − L − h + j to row t + h, for all
// underlyings at once.
ScenarioSet generate_historical(const History& history, const HistoricalSource& source);

// Filtered historical scenarios of SPEC §5.2: the historical scenario j with its
// log price move R rescaled to today's EWMA volatility, exp(R · σ_{n−1}/σ_{t+h});
// vols move as in §3. Labels are the same date ranges, source
// "filtered_historical".
ScenarioSet generate_filtered_historical(const History& history,
                                         const FilteredHistoricalSource& source);

// The EWMA variance σ²_t of one series' daily log returns r_t = ln(P[t]/P[t−1]):
// σ²_seed = mean(r_1² … r_seed²), then σ²_t = λ σ²_{t−1} + (1 − λ) r_t². Indexed
// by row t; rows before seed_days are 0.
std::vector<double> ewma_variances(const std::vector<double>& levels, double lambda,
                                   std::size_t seed_days);

// Monte Carlo scenarios of SPEC §5.1, drawn from the Philox4x32-10 stream of
// include/xmargin/philox.hpp (cuRAND's host generator's, in every build) in the
// order of draws of include/xmargin/monte_carlo.hpp. Labels "mc#000000" … (the
// draw), source "monte_carlo".
// `draw_on_host` false: the set describes its draws (ScenarioSet::monte_carlo)
// and leaves price_factor at 1 and vol_shift at 0, for the cuda backend to draw.
ScenarioSet generate_monte_carlo(const History& history, const MonteCarloSource& source,
                                 bool draw_on_host = true);

// One source's scenarios and its weight in the pool (SPEC §5).
struct WeightedScenarios {
  ScenarioSet scenarios;
  double weight = 1.0;
};

// Each source's share of the pool, w_i / Σ w_j, computed as (w_i / max w) /
// Σ (w_j / max w): no sum of user weights can overflow, and proportional
// weights give the same shares to the last bit.
std::vector<double> source_shares(const std::vector<double>& weights);

// The sources' scenarios one after another, in the order given; scenario i of
// a source of weight w and N scenarios weighs its share (source_shares) / N. An underlying's vol
// moves in the pool where it moves in any source (its shift is 0 elsewhere).
ScenarioSet pool_scenarios(const std::vector<WeightedScenarios>& parts);

// One configured statistical source: which (0 historical, 1
// filtered_historical, 2 monte_carlo) and its scenarios and weight. The
// historical source carries the stressed-period weights when configured
// (SPEC §5.4 b).
struct ConfiguredSource {
  int which = 0;
  WeightedScenarios part;
};
std::vector<ConfiguredSource> configured_sources(const History& history, const Config& config,
                                                 bool draw_monte_carlo_on_host = true);
// The sources pooled (pool_scenarios; a lone source as it is).
ScenarioSet pool_configured(std::vector<ConfiguredSource> parts);

// The configured sources pooled in a fixed order: historical,
// filtered_historical, monte_carlo.
ScenarioSet generate_configured_scenarios(const History& history, const Config& config,
                                          bool draw_monte_carlo_on_host = true);

// The scenario set a run uses: the replayed file if one was given, else the
// configured sources, with underlyings in `underlying_ids` order.
ScenarioSet build_scenarios(const Inputs& inputs, const std::vector<std::string>& underlying_ids,
                            bool draw_monte_carlo_on_host = true);

// Audit and replay (`xmargin scenarios`, `--scenarios`). CSV columns:
// scenario,source,label,weight,horizon_days, then per underlying
// <id>.price_factor (S'/S0) and, where its vol moves, <id>.vol_shift (σ' − σ0
// before the floor). Numbers are written to read back to the same double.
void write_scenario_file(std::ostream& out, const ScenarioSet& scenarios);
// The same into `path`, atomically (host/report/atomic_files.hpp).
void write_scenario_file(const std::string& path, const ScenarioSet& scenarios);
ScenarioSet read_scenario_file(const std::string& path,
                               const std::vector<std::string>& required_underlyings);

// The same scenarios with underlyings reordered (and restricted) to `ids`.
// Throws InputError naming `source_path` when one is missing.
ScenarioSet align_scenarios(const ScenarioSet& scenarios, const std::vector<std::string>& ids,
                            const std::string& source_path);

}  // namespace xm
