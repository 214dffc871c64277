#include "xmargin/error.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/vol_tenors.hpp"

namespace xm {

ScenarioSet generate_historical(const History& history, const HistoricalSource& source) {
  const std::size_t rows = history.dates.size();
  const std::size_t lookback = static_cast<std::size_t>(source.lookback_days);
  const std::size_t mpor = static_cast<std::size_t>(source.mpor_days);
  if (rows < lookback + mpor) {
    throw InputError(history.path, 0, 0,
                     "history has " + std::to_string(rows) + " rows; lookback_days " +
                         std::to_string(lookback) + " + mpor_days " + std::to_string(mpor) +
                         " needs at least " + std::to_string(lookback + mpor));
  }

  ScenarioSet set;
  const std::size_t underlyings = history.series.size();
  set.price_factor.resize(underlyings * lookback);
  set.vol_shift.assign(underlyings * lookback, 0.0);
  const double weight = 1.0 / static_cast<double>(lookback);
  const std::size_t first = rows - lookback - mpor;
  for (std::size_t j = 0; j < lookback; ++j) {
    const std::size_t t = first + j;
    set.horizon_days.push_back(static_cast<double>(mpor));
    set.weight.push_back(weight);
    set.source.push_back("historical");
    set.label.push_back(format_iso_date(history.dates[t]) + "/" +
                        format_iso_date(history.dates[t + mpor]));
  }
  for (std::size_t u = 0; u < underlyings; ++u) {
    const HistorySeries& series = history.series[u];
    set.underlying_ids.push_back(series.underlying);
    set.vol_moves.push_back(series.vols.empty() ? 0 : 1);
    for (std::size_t j = 0; j < lookback; ++j) {
      const std::size_t t = first + j;
      set.price_factor[u * lookback + j] = series.levels[t + mpor] / series.levels[t];
      if (!series.vols.empty())
        set.vol_shift[u * lookback + j] = series.vols[t + mpor] - series.vols[t];
    }
  }
  lay_out_vol_tenors(set, history);
  fill_historical_tenor_shifts(set, history, first, mpor);
  return set;
}

ScenarioSet build_scenarios(const Inputs& inputs, const std::vector<std::string>& underlying_ids) {
  if (inputs.replayed_scenarios) {
    return align_scenarios(*inputs.replayed_scenarios, underlying_ids, inputs.paths.scenarios);
  }
  XM_EXPECTS(inputs.history && inputs.config.historical, "historical scenarios need a history");
  const ScenarioSet set = generate_historical(*inputs.history, *inputs.config.historical);
  return align_scenarios(set, underlying_ids, inputs.history->path);
}

ScenarioSet align_scenarios(const ScenarioSet& scenarios, const std::vector<std::string>& ids,
                            const std::string& source_path) {
  ScenarioSet aligned;
  aligned.horizon_days = scenarios.horizon_days;
  aligned.weight = scenarios.weight;
  aligned.source = scenarios.source;
  aligned.label = scenarios.label;
  const std::size_t count = scenarios.count();
  std::vector<std::size_t> picked;
  for (const std::string& id : ids) {
    std::size_t from = 0;
    while (from < scenarios.underlying_count() && scenarios.underlying_ids[from] != id) ++from;
    if (from == scenarios.underlying_count()) {
      throw InputError(source_path, 0, 0, "no scenarios for underlying '" + id + "'");
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
  select_vol_tenors(scenarios, picked, std::nullopt, aligned);
  return aligned;
}

}  // namespace xm
