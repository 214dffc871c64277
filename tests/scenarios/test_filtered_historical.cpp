// Filtered historical simulation (SPEC §5.2): historical moves rescaled to
// today's EWMA volatility.
#include <gtest/gtest.h>

#include <cmath>

#include "scenarios/synthetic_history.hpp"
#include "support/uniform.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

History six_rows() {
  History history;
  history.path = "history.csv";
  for (Date d = 10959; d < 10965; ++d) history.dates.push_back(d);
  history.series.push_back(
      {"AA", {100, 102, 99, 101, 104, 100}, {0.30, 0.32, 0.31, 0.35, 0.33, 0.34}});
  return history;
}

TEST(FilteredHistorical, ThreeScenariosByHand) {
  // n = 6, seed_days 2, L = 3, h = 1, λ = 0.5.
  // r_t = ln(P[t]/P[t−1]); σ²_2 = (r_1² + r_2²)/2; σ²_t = ½ σ²_{t−1} + ½ r_t².
  const double r1 = std::log(102.0 / 100), r2 = std::log(99.0 / 102), r3 = std::log(101.0 / 99),
               r4 = std::log(104.0 / 101), r5 = std::log(100.0 / 104);
  const double v2 = (r1 * r1 + r2 * r2) / 2;   // 6.416717283e-4
  const double v3 = 0.5 * v2 + 0.5 * r3 * r3;  // 5.208491985e-4
  const double v4 = 0.5 * v3 + 0.5 * r4 * r4;  // 6.888022393e-4
  const double v5 = 0.5 * v4 + 0.5 * r5 * r5;  // 1.113533290e-3
  // Scenario j spans t = n − L − h + j = 2 + j to 3 + j: R_j = r_{3+j}, rescaled
  // by σ_5 / σ_{3+j}. The last scenario ends today and keeps its move.
  const double expected[] = {std::exp(r3 * std::sqrt(v5 / v3)),  // 1.0296760335271036
                             std::exp(r4 * std::sqrt(v5 / v4)),  // 1.0379174561566282
                             100.0 / 104};                       // 0.9615384615384616
  const double computed_apart[] = {1.0296760335271036, 1.0379174561566282, 0.9615384615384616};

  const ScenarioSet set = generate_filtered_historical(six_rows(), {3, 1, 0.5, 2, 1.0});
  ASSERT_EQ(set.count(), 3u);
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(set.price_factor[j], expected[j], 1e-15) << j;
    EXPECT_NEAR(set.price_factor[j], computed_apart[j], 1e-14) << j;
    EXPECT_EQ(set.weight[j], 1.0 / 3.0);
    EXPECT_EQ(set.horizon_days[j], 1.0);
    EXPECT_EQ(set.source[j], "filtered_historical");
  }
  EXPECT_EQ(set.label[0], "2000-01-05/2000-01-06");
  // Vols move unfiltered, as in §3: V[t+h] − V[t].
  EXPECT_EQ(set.vol_shift[0], 0.35 - 0.31);
  EXPECT_EQ(set.vol_shift[2], 0.34 - 0.33);
  const std::vector<double> variance = ewma_variances(six_rows().series[0].levels, 0.5, 2);
  EXPECT_EQ(variance[2], v2);
  EXPECT_EQ(variance[5], v5);
}

TEST(FilteredHistorical, TooShortAHistoryNamesTheFileAndTheRowsNeeded) {
  EXPECT_NO_THROW(generate_filtered_historical(six_rows(), {3, 1, 0.5, 2, 1.0}));
  try {
    generate_filtered_historical(six_rows(), {3, 1, 0.5, 3, 1.0});
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 "history.csv: history has 6 rows; filtered_historical seed_days 3 + "
                 "lookback_days 3 + mpor_days 1 needs at least 7");
  }
}

// Returns of one size with random signs: `first` days of size a, then `second`
// of size b. With a constant |r| the EWMA variance settles to r² exactly.
std::vector<double> regimes(std::size_t first, double a, std::size_t second, double b) {
  test::Uniform uniform(3);
  std::vector<double> r;
  for (std::size_t t = 0; t < first + second; ++t) {
    r.push_back((uniform() < 0.5 ? -1.0 : 1.0) * (t < first ? a : b));
  }
  return r;
}

// R′_j / R_j for every scenario: σ_{n−1}/σ_{t+h}.
std::vector<double> rescaling(const History& history, const FilteredHistoricalSource& source) {
  const ScenarioSet filtered = generate_filtered_historical(history, source);
  const ScenarioSet plain = generate_historical(history, {source.lookback_days, source.mpor_days});
  std::vector<double> ratio;
  for (std::size_t j = 0; j < plain.count(); ++j) {
    ratio.push_back(std::log(filtered.price_factor[j]) / std::log(plain.price_factor[j]));
  }
  return ratio;
}

TEST(FilteredHistorical, CalmPastScenariosAreScaledUpToATurbulentToday) {
  // 400 calm days (0.5%) then 200 turbulent (3%); scenarios start at row 100.
  // Scenario j ends on row 101 + j: calm up to j = 299.
  const History history = test::history_from_returns({"AA"}, {regimes(400, 0.005, 200, 0.03)});
  const std::vector<double> ratio = rescaling(history, {500, 1, 0.94, 30, 1.0});
  for (std::size_t j = 0; j < 290; ++j) ASSERT_NEAR(ratio[j], 6.0, 1e-3) << j;
  for (std::size_t j = 350; j < 500; ++j) {
    ASSERT_GE(ratio[j], 1.0 - 1e-9) << j;
    ASSERT_LT(ratio[j], 1.05) << j;
  }
}

TEST(FilteredHistorical, TurbulentPastScenariosAreScaledDownToACalmToday) {
  const History history = test::history_from_returns({"AA"}, {regimes(400, 0.03, 200, 0.005)});
  const std::vector<double> ratio = rescaling(history, {500, 1, 0.94, 30, 1.0});
  for (std::size_t j = 0; j < 290; ++j) ASSERT_NEAR(ratio[j], 1.0 / 6.0, 1e-3) << j;
  for (std::size_t j = 400; j < 500; ++j) ASSERT_NEAR(ratio[j], 1.0, 0.05) << j;
}

TEST(FilteredHistorical, SeedDaysStartTheEwmaAtTheMeanSquaredReturn) {
  const std::vector<double> levels = {100, 110, 99, 99, 108.9};
  const std::vector<double> v = ewma_variances(levels, 0.9, 3);
  const double r1 = std::log(1.1), r2 = std::log(0.9), r3 = 0.0, r4 = std::log(1.1);
  EXPECT_EQ(v[0], 0.0);
  EXPECT_EQ(v[2], 0.0);
  EXPECT_NEAR(v[3], (r1 * r1 + r2 * r2 + r3 * r3) / 3, 1e-17);
  EXPECT_NEAR(v[4], 0.9 * v[3] + 0.1 * r4 * r4, 1e-17);
}

}  // namespace
}  // namespace xm
