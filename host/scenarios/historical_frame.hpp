#pragma once
#include <cstddef>
#include <string>

#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// What historical (SPEC §3) and filtered historical (§5.2) scenarios share:
// scenario j = 0…L−1 (oldest first) spans rows t = n − L − h + j to t + h.
// The frame holds the equal weights, horizons, the source name, the date-range
// labels, and the vol shifts V[t+h] − V[t] (vols move unfiltered in both);
// each source then fills price_factor[u * L + j] with its own price move.
struct HistoricalWindow {
  std::size_t lookback = 0;
  std::size_t mpor = 0;
  std::size_t first_row = 0;  // t of scenario 0

  std::size_t start_row(std::size_t scenario) const { return first_row + scenario; }
};

// Throws InputError naming the history file when it has fewer than
// `rows_needed` rows; `why` says what needs them.
HistoricalWindow historical_window(const History& history, int lookback_days, int mpor_days,
                                   std::size_t rows_needed, const std::string& why);

ScenarioSet historical_frame(const History& history, const HistoricalWindow& window,
                             const char* source_name);

// SPEC §3's scenarios for the window's rows: the frame with S' / S0 = P[t+h] / P[t].
ScenarioSet historical_scenarios(const History& history, const HistoricalWindow& window);

}  // namespace xm
