#pragma once
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

// The scenario set a run uses: the replayed file if one was given, else the
// configured sources, with underlyings in `underlying_ids` order.
ScenarioSet build_scenarios(const Inputs& inputs, const std::vector<std::string>& underlying_ids);

// Audit and replay (`xmargin scenarios`, `--scenarios`). CSV columns:
// scenario,source,label,weight,horizon_days, then per underlying
// <id>.price_factor (S'/S0) and, where its vol moves, <id>.vol_shift (σ' − σ0
// before the floor). Numbers are written to read back to the same double.
void write_scenario_file(const std::string& path, const ScenarioSet& scenarios);
ScenarioSet read_scenario_file(const std::string& path,
                               const std::vector<std::string>& required_underlyings);

// The same scenarios with underlyings reordered (and restricted) to `ids`.
// Throws InputError naming `source_path` when one is missing.
ScenarioSet align_scenarios(const ScenarioSet& scenarios, const std::vector<std::string>& ids,
                            const std::string& source_path);

}  // namespace xm
