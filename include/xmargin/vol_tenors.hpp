#pragma once
// Tenor vol shifts (SPEC §6): history columns <id>.vol@<days>d move an
// underlying's vols by their changes interpolated at each option's days to
// expiry. How a ScenarioSet holds them is described beside its tenor_* arrays.
#include <cstddef>
#include <optional>
#include <vector>

#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// Lays out the tenors of the history's series in `set`, whose underlyings are
// those series in order and whose scenario count is final: tenor_offsets,
// tenor_days and a zero tenor_shift [K × N]. Where a series has tenors they
// replace its parallel shift (vol_moves 0, vol_shift row 0). Leaves the tenor
// arrays empty when no series has tenors. Every scenario source calls this,
// then fills tenor_shift[(tenor_offsets[u] + k) * N + s] with its moves of
// series u's tenor k (a Monte Carlo or filtered source: one vol factor per
// tenor column, as per `.vol` column).
void lay_out_vol_tenors(ScenarioSet& set, const History& history);

// SPEC §3 for tenor columns: scenario j's shift of each tenor is V[t+h] − V[t],
// t = first_row + j, h = mpor. After lay_out_vol_tenors.
void fill_historical_tenor_shifts(ScenarioSet& set, const History& history, std::size_t first_row,
                                  std::size_t mpor);

// The tenor shifts of pool_scenarios: the parts' scenarios one after another.
// An underlying with tenors in any part has them in the pool, where it moves
// by tenor only (vol_moves 0, vol_shift row 0); a part without them gives its
// parallel shift at every tenor (a flat curve is the same move) or 0. Parts
// with tenors for one underlying list the same ones (they share a history).
// After pooled's other shocks and weights are in place.
void pool_vol_tenors(const std::vector<const ScenarioSet*>& parts, ScenarioSet& pooled);

// The tenors of `from` for the underlyings `underlyings` (indices into from, in
// the order wanted) and the scenarios `scenarios` (indices; nullopt: all),
// written into `to`'s tenor arrays.
void select_vol_tenors(const ScenarioSet& from, const std::vector<std::size_t>& underlyings,
                       const std::optional<std::vector<std::size_t>>& scenarios, ScenarioSet& to);

}  // namespace xm
