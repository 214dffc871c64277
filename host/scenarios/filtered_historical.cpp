#include <cmath>

#include "scenarios/historical_frame.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {

std::vector<double> ewma_variances(const std::vector<double>& levels, double lambda,
                                   std::size_t seed_days) {
  std::vector<double> variance(levels.size(), 0.0);
  if (seed_days == 0 || seed_days >= levels.size()) return variance;
  auto squared_return = [&](std::size_t t) {
    const double r = std::log(levels[t] / levels[t - 1]);
    return r * r;
  };
  double seed_sum = 0.0;
  for (std::size_t t = 1; t <= seed_days; ++t) seed_sum += squared_return(t);
  variance[seed_days] = seed_sum / static_cast<double>(seed_days);
  for (std::size_t t = seed_days + 1; t < levels.size(); ++t) {
    variance[t] = lambda * variance[t - 1] + (1.0 - lambda) * squared_return(t);
  }
  return variance;
}

ScenarioSet generate_filtered_historical(const History& history,
                                         const FilteredHistoricalSource& source) {
  const auto lookback = static_cast<std::size_t>(source.lookback_days);
  const auto mpor = static_cast<std::size_t>(source.mpor_days);
  const auto seed_days = static_cast<std::size_t>(source.seed_days);
  const HistoricalWindow window = historical_window(
      history, source.lookback_days, source.mpor_days, seed_days + lookback + mpor,
      "filtered_historical seed_days " + std::to_string(seed_days) + " + lookback_days " +
          std::to_string(lookback) + " + mpor_days " + std::to_string(mpor));
  ScenarioSet set = historical_frame(history, window, "filtered_historical");
  const std::size_t today = history.dates.size() - 1;
  for (std::size_t u = 0; u < history.series.size(); ++u) {
    const std::vector<double>& levels = history.series[u].levels;
    const std::vector<double> variance = ewma_variances(levels, source.lambda, seed_days);
    const double vol_today = std::sqrt(variance[today]);
    for (std::size_t j = 0; j < lookback; ++j) {
      const std::size_t t = window.start_row(j);
      const double move = std::log(levels[t + mpor] / levels[t]);
      const double vol_then = std::sqrt(variance[t + mpor]);
      // A zero EWMA variance means no return up to t + h moved, so R is 0 as well.
      const double filtered = vol_then > 0.0 ? move * (vol_today / vol_then) : 0.0;
      set.price_factor[u * lookback + j] = std::exp(filtered);
    }
  }
  return set;
}

}  // namespace xm
