#pragma once
// The scenario sets of SPEC §5.4's anti-procyclicality tools (host/scenarios/stressed_period.cpp).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/stress.hpp"

namespace xm {

// Scenarios in the stressed window chosen when no stressed_period is given.
inline constexpr std::size_t kStressedWindow = 250;

// (b) without a period: the start row t of the kStressedWindow consecutive
// scenarios (t … t + h moves over the whole history) with the largest mean
// squared log move over the history's underlyings; the first of equal windows.
std::size_t stressed_window_start(const History& history, std::size_t mpor);

// (b): the historical scenarios of `source` plus the stressed ones (ending in
// stressed_period, or the window above) that lie before its lookback, oldest
// first. The stressed scenarios share weight w equally, the others 1 − w.
// InputError at the config spot when the period holds no scenario, the history
// is too short to choose one, or nothing is left outside it.
ScenarioSet generate_stressed_historical(const History& history, const HistoricalSource& source,
                                         const AntiProcyclicality& apc);

// (c): `source`'s scenarios over floor_lookback_days instead of its lookback,
// equal weights. InputError at floor_lookback_days when the history is too short.
ScenarioSet generate_floor_historical(const History& history, const HistoricalSource& source,
                                      const AntiProcyclicality& apc);

// Every scenario set a margin run revalues, aligned with the book's underlyings.
struct MarginScenarioSets {
  ScenarioSet pooled;  // the statistical tail's scenarios (SPEC §3, §5)
  // Each statistical source alone (0 historical, 1 filtered_historical, 2
  // monte_carlo) when more than one is configured, for its own component.
  std::array<std::optional<ScenarioSet>, 3> sources;
  std::optional<ScenarioSet> floor;  // (c) the floor's longer lookback
  std::optional<StressSet> stress;   // SPEC §5.3
};

// The sets of the config (or the replayed file, whose scenarios are the pool;
// the anti-procyclicality tools then need a history and are an InputError).
MarginScenarioSets build_margin_scenarios(const Inputs& inputs,
                                          const std::vector<std::string>& underlying_ids,
                                          bool draw_monte_carlo_on_host = true);

}  // namespace xm
