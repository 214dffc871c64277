#include "scenarios/historical_frame.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/vol_tenors.hpp"

namespace xm {

HistoricalWindow historical_window(const History& history, int lookback_days, int mpor_days,
                                   std::size_t rows_needed, const std::string& why) {
  const std::size_t rows = history.dates.size();
  if (rows < rows_needed) {
    throw InputError(history.path, 0, 0,
                     "history has " + std::to_string(rows) + " rows; " + why + " needs at least " +
                         std::to_string(rows_needed));
  }
  HistoricalWindow window;
  window.lookback = static_cast<std::size_t>(lookback_days);
  window.mpor = static_cast<std::size_t>(mpor_days);
  window.first_row = rows - window.lookback - window.mpor;
  return window;
}

ScenarioSet historical_frame(const History& history, const HistoricalWindow& window,
                             const char* source_name) {
  ScenarioSet set;
  const std::size_t lookback = window.lookback, mpor = window.mpor;
  const std::size_t underlyings = history.series.size();
  set.price_factor.resize(underlyings * lookback);
  set.vol_shift.assign(underlyings * lookback, 0.0);
  const double weight = 1.0 / static_cast<double>(lookback);
  for (std::size_t j = 0; j < lookback; ++j) {
    const std::size_t t = window.start_row(j);
    set.horizon_days.push_back(static_cast<double>(mpor));
    set.weight.push_back(weight);
    set.source.push_back(source_name);
    set.label.push_back(format_iso_date(history.dates[t]) + "/" +
                        format_iso_date(history.dates[t + mpor]));
  }
  for (std::size_t u = 0; u < underlyings; ++u) {
    const HistorySeries& series = history.series[u];
    set.underlying_ids.push_back(series.underlying);
    set.vol_moves.push_back(series.vols.empty() ? 0 : 1);
    if (series.vols.empty()) continue;
    for (std::size_t j = 0; j < lookback; ++j) {
      const std::size_t t = window.start_row(j);
      set.vol_shift[u * lookback + j] = series.vols[t + mpor] - series.vols[t];
    }
  }
  // Tenor columns move vols as the .vol column does (SPEC §6), in historical
  // and filtered historical scenarios alike.
  lay_out_vol_tenors(set, history);
  fill_historical_tenor_shifts(set, history, window.first_row, mpor);
  return set;
}

ScenarioSet historical_scenarios(const History& history, const HistoricalWindow& window) {
  ScenarioSet set = historical_frame(history, window, "historical");
  const std::size_t lookback = window.lookback, mpor = window.mpor;
  for (std::size_t u = 0; u < history.series.size(); ++u) {
    const std::vector<double>& levels = history.series[u].levels;
    for (std::size_t j = 0; j < lookback; ++j) {
      const std::size_t t = window.start_row(j);
      set.price_factor[u * lookback + j] = levels[t + mpor] / levels[t];
    }
  }
  return set;
}

ScenarioSet generate_historical(const History& history, const HistoricalSource& source) {
  const auto lookback = static_cast<std::size_t>(source.lookback_days);
  const auto mpor = static_cast<std::size_t>(source.mpor_days);
  const HistoricalWindow window = historical_window(
      history, source.lookback_days, source.mpor_days, lookback + mpor,
      "lookback_days " + std::to_string(lookback) + " + mpor_days " + std::to_string(mpor));
  return historical_scenarios(history, window);
}

}  // namespace xm
