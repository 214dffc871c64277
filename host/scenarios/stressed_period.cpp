// SPEC §5.4 (b): the stressed-period weight of EMIR Art. 28, and (c)'s longer
// lookback for the floor.
#include <algorithm>
#include <cmath>

#include "scenarios/historical_frame.hpp"
#include "xmargin/error.hpp"
#include "xmargin/margin_scenarios.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

// Scenarios [first, end) by start row t (each spans t … t + h).
struct ScenarioRun {
  std::size_t first = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - first; }
};

ScenarioRun period_run(const History& history, std::size_t mpor, const AntiProcyclicality& apc) {
  const auto [from, to] = *apc.stressed_period;
  ScenarioRun run{0, 0};
  const std::size_t scenarios = history.dates.size() - mpor;
  while (run.first < scenarios && history.dates[run.first + mpor] < from) ++run.first;
  run.end = run.first;
  while (run.end < scenarios && history.dates[run.end + mpor] <= to) ++run.end;
  if (run.size() == 0) {
    apc.stressed_period_spot.fail("no historical scenario (mpor " + std::to_string(mpor) +
                                  " days) ends between " + format_iso_date(from) + " and " +
                                  format_iso_date(to) + " in " + history.path);
  }
  return run;
}

}  // namespace

std::size_t stressed_window_start(const History& history, std::size_t mpor) {
  const std::size_t scenarios = history.dates.size() > mpor ? history.dates.size() - mpor : 0;
  if (scenarios < kStressedWindow) return scenarios;  // caller reports
  // Mean over the book's underlyings of each scenario's squared log move.
  std::vector<double> score(scenarios, 0.0);
  for (const HistorySeries& series : history.series) {
    for (std::size_t t = 0; t < scenarios; ++t) {
      const double r = std::log(series.levels[t + mpor] / series.levels[t]);
      score[t] += r * r;
    }
  }
  const auto underlyings = static_cast<double>(history.series.empty() ? 1 : history.series.size());
  for (double& s : score) s /= underlyings;
  // Each window summed afresh in scenario order (no running sum to drift);
  // the first of equal windows wins.
  std::size_t best = 0;
  double best_sum = -1.0;
  for (std::size_t start = 0; start + kStressedWindow <= scenarios; ++start) {
    double sum = 0.0;
    for (std::size_t t = start; t < start + kStressedWindow; ++t) sum += score[t];
    if (sum > best_sum) {
      best_sum = sum;
      best = start;
    }
  }
  return best;
}

ScenarioSet generate_stressed_historical(const History& history, const HistoricalSource& source,
                                         const AntiProcyclicality& apc) {
  XM_EXPECTS(apc.stressed_weight.has_value(), "no stressed weight");
  const auto mpor = static_cast<std::size_t>(source.mpor_days);
  ScenarioSet lookback = generate_historical(history, source);  // checks the rows
  const std::size_t lookback_first = history.dates.size() - lookback.count() - mpor;
  ScenarioRun stressed;
  if (apc.stressed_period) {
    stressed = period_run(history, mpor, apc);
  } else {
    if (history.dates.size() < kStressedWindow + mpor) {
      apc.stressed_weight_spot.fail("choosing the stressed period takes " +
                                    std::to_string(kStressedWindow) + " scenarios of history; " +
                                    history.path + " has " + std::to_string(history.dates.size()) +
                                    " rows (give stressed_period instead)");
    }
    const std::size_t start = stressed_window_start(history, mpor);
    stressed = {start, start + kStressedWindow};
  }
  // The stressed scenarios before the lookback join it; those inside it keep their place.
  const ScenarioRun added{stressed.first,
                          std::max(stressed.first, std::min(stressed.end, lookback_first))};
  const std::size_t inside =
      stressed.end > lookback_first ? stressed.end - std::max(stressed.first, lookback_first) : 0;
  const std::size_t others = lookback.count() - inside;
  if (others == 0) {
    apc.stressed_weight_spot.fail(
        "every scenario of the lookback is in the stressed period: "
        "none is left to carry the weight 1 − stressed_weight");
  }
  ScenarioSet set = std::move(lookback);
  if (added.size() > 0) {
    HistoricalWindow window;
    window.lookback = added.size();
    window.mpor = mpor;
    window.first_row = added.first;
    // Concatenated (the weights are set below).
    set = pool_scenarios({{historical_scenarios(history, window), 1.0}, {std::move(set), 1.0}});
  }
  const double w = *apc.stressed_weight;
  const double stressed_weight = w / static_cast<double>(stressed.size());
  const double other_weight = (1.0 - w) / static_cast<double>(others);
  for (std::size_t j = 0; j < set.count(); ++j) {
    // Scenario j's start row: the added run, then the lookback.
    const std::size_t t = j < added.size() ? added.first + j : lookback_first + (j - added.size());
    set.weight[j] = t >= stressed.first && t < stressed.end ? stressed_weight : other_weight;
  }
  return set;
}

ScenarioSet generate_floor_historical(const History& history, const HistoricalSource& source,
                                      const AntiProcyclicality& apc) {
  const int days = *apc.floor_lookback_days;
  const std::size_t needed =
      static_cast<std::size_t>(days) + static_cast<std::size_t>(source.mpor_days);
  if (history.dates.size() < needed) {
    apc.floor_spot.fail("floor_lookback_days " + std::to_string(days) + " + mpor_days " +
                        std::to_string(source.mpor_days) + " needs " + std::to_string(needed) +
                        " history rows; " + history.path + " has " +
                        std::to_string(history.dates.size()));
  }
  HistoricalSource floor = source;
  floor.lookback_days = days;
  return generate_historical(history, floor);
}

}  // namespace xm
