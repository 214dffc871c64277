#pragma once
// Checks of a generated scenario set against the bounds every scenario keeps
// (include/xmargin/scenario_bounds.hpp), made as the set is built so that a
// move no scenario file could replay, or one that is not finite, stops the
// run at the config key that asked for it (exit 2) before anything is written.
#include <cstddef>
#include <optional>
#include <string>

#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// What made a set, for the error that names it.
struct ScenarioOrigin {
  ConfigSpot spot;      // the config key; no file: a default source (then `history`)
  std::string key;      // "scenarios.historical"
  std::string cause;    // what makes the moves large, and what to change
  std::string history;  // the history file, named when there is no config key
};

ScenarioOrigin historical_origin(const HistoricalSource& source, const History& history);
ScenarioOrigin filtered_historical_origin(const FilteredHistoricalSource& source,
                                          const History& history);
ScenarioOrigin monte_carlo_origin(const MonteCarloSource& source, const History& history);
ScenarioOrigin floor_origin(const HistoricalSource& source, const AntiProcyclicality& apc,
                            const History& history);
ScenarioOrigin named_origin(const NamedScenario& named, const History& history);

// The first move out of bounds (lowest scenario, then underlying, price
// before vol before tenors): its scenario, underlying, what it moves and by how much.
struct OutOfBounds {
  std::size_t scenario = 0;
  std::size_t underlying = 0;
  std::string what;  // "price", "vol", "vol@30d"
  double value = 0.0;
};
std::optional<OutOfBounds> first_out_of_bounds(const ScenarioSet& set);

// InputError at the origin naming the scenario, its label, the underlying and
// the value.
[[noreturn]] void fail_out_of_bounds(const ScenarioSet& set, const OutOfBounds& bad,
                                     const ScenarioOrigin& origin);

inline void check_scenario_bounds(const ScenarioSet& set, const ScenarioOrigin& origin) {
  if (const auto bad = first_out_of_bounds(set)) fail_out_of_bounds(set, *bad, origin);
}

}  // namespace xm
