// The stressed-period weight (SPEC §5.4 (b)) where the margin rules tests do
// not reach: pooled with a second source, and a stressed window chosen at the
// very end of the history.
#include <gtest/gtest.h>

#include <numeric>

#include "scenarios/synthetic_history.hpp"
#include "xmargin/margin_scenarios.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

double sum(const std::vector<double>& weights, std::size_t begin, std::size_t end) {
  return std::accumulate(weights.begin() + static_cast<std::ptrdiff_t>(begin),
                         weights.begin() + static_cast<std::ptrdiff_t>(end), 0.0);
}

// 100 rows of two underlyings whose daily returns wander in [−2%, 2%].
History wandering_history() {
  std::vector<std::vector<double>> returns(2);
  for (int t = 1; t < 100; ++t) {
    returns[0].push_back(0.02 * std::sin(1.3 * t));
    returns[1].push_back(0.015 * std::cos(0.7 * t + 0.2));
  }
  return test::history_from_returns({"AA", "BB"}, returns);
}

TEST(StressedWeight, PooledWithFilteredHistoricalKeepsItsShareAndItsStressedRatio) {
  const History history = wandering_history();
  Config config;
  config.historical = HistoricalSource{40, 1, 3.0};
  FilteredHistoricalSource filtered;
  filtered.lookback_days = 30;
  filtered.mpor_days = 1;
  filtered.seed_days = 5;
  filtered.weight = 1.0;
  config.filtered_historical = filtered;
  // The 20 scenarios that start at rows 10 … 29 (they end at rows 11 … 30),
  // all before the lookback (rows 59 … 98): they are added to it.
  config.anti_procyclicality.stressed_weight = 0.25;
  config.anti_procyclicality.stressed_period = {history.dates[11], history.dates[30]};
  const ScenarioSet pooled = generate_configured_scenarios(history, config);
  ASSERT_EQ(pooled.count(), 20u + 40u + 30u);
  ASSERT_EQ(pooled.source[59], "historical");
  ASSERT_EQ(pooled.source[60], "filtered_historical");
  EXPECT_EQ(pooled.label[0],
            format_iso_date(history.dates[10]) + "/" + format_iso_date(history.dates[11]));

  // Weights 3 and 1: the historical source's 3/4, the stressed scenarios w = 1/4 of it.
  EXPECT_NEAR(sum(pooled.weight, 0, pooled.count()), 1.0, 1e-14);
  EXPECT_NEAR(sum(pooled.weight, 0, 60), 0.75, 1e-14) << "the historical source's share";
  EXPECT_NEAR(sum(pooled.weight, 0, 20), 0.75 * 0.25, 1e-14) << "its stressed scenarios";
  EXPECT_NEAR(sum(pooled.weight, 20, 60), 0.75 * 0.75, 1e-14) << "its other scenarios";
  EXPECT_NEAR(sum(pooled.weight, 60, 90), 0.25, 1e-14) << "the filtered historical share";
  for (std::size_t j = 0; j < 20; ++j) EXPECT_DOUBLE_EQ(pooled.weight[j], 0.75 * 0.25 / 20) << j;
  for (std::size_t j = 20; j < 60; ++j) EXPECT_DOUBLE_EQ(pooled.weight[j], 0.75 * 0.75 / 40) << j;
  for (std::size_t j = 60; j < 90; ++j) EXPECT_DOUBLE_EQ(pooled.weight[j], 0.25 / 30) << j;
}

TEST(StressedWeight, TheChosenWindowMayBeTheLast250Scenarios) {
  // Calm moves, then 251 large daily moves at the end: with h = 2 the last
  // 250 scenarios are the only ones made of large moves alone.
  const std::size_t rows = 400, mpor = 2;
  std::vector<double> returns;
  for (std::size_t t = 1; t < rows; ++t) returns.push_back(t + 251 >= rows ? 0.03 : 0.001);
  const History history = test::history_from_returns({"AA"}, {returns});
  const std::size_t scenarios = rows - mpor;
  EXPECT_EQ(stressed_window_start(history, mpor), scenarios - kStressedWindow);

  // In a run, the lookback's last 250 scenarios are the stressed ones and weigh w.
  AntiProcyclicality apc;
  apc.stressed_weight = 0.4;
  const ScenarioSet set = generate_stressed_historical(history, {300, 2, 1.0}, apc);
  ASSERT_EQ(set.count(), 300u) << "the window lies inside the lookback: nothing is added";
  for (std::size_t j = 0; j < 50; ++j) EXPECT_DOUBLE_EQ(set.weight[j], 0.6 / 50) << j;
  for (std::size_t j = 50; j < 300; ++j) EXPECT_DOUBLE_EQ(set.weight[j], 0.4 / 250) << j;
}

}  // namespace
}  // namespace xm
