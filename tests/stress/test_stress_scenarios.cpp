// The stress scenarios themselves (SPEC §5.3), cell by cell: how an underlying
// with fewer grid steps than the grid maps onto it, and the vol move of a named
// scenario read from two history dates.
#include <gtest/gtest.h>

#include <cmath>

#include "scenarios/synthetic_history.hpp"
#include "xmargin/stress.hpp"

namespace xm {
namespace {

// A grid of `steps` over U0, U1 where U1 asks for `own_steps` over its own range.
StressSet two_grids(int steps, int own_steps) {
  StressConfig config;
  PerUnderlying<GridParams> grid;
  grid.defaults = {0.12, steps, 0.2, 0.3, 7.0, {}};
  grid.underlyings.push_back({"U1", {}, {0.2, own_steps, 0.1, 0.3, 7.0, {}}});
  config.grid = grid;
  return generate_stress(config, {"U0", "U1"}, nullptr);
}

// Underlying u's price factor at grid step j (vol unchanged: the middle of its three).
double grid_factor(const StressSet& set, std::size_t u, int j) {
  const std::size_t s = set.kind_offsets[1] + 3 * static_cast<std::size_t>(j) + 1;
  return set.scenarios.price_factor[u * set.count() + s];
}

TEST(GridSteps, AnUnderlyingWithFewerStepsTakesItsNearestOwnPoint) {
  // A 6-step grid over U1's 4 steps: grid step j sits at 4j/6 of U1's steps,
  // whose nearest whole step (never a tie here) is 0, 1, 1, 2, 3, 3, 4.
  const StressSet set = two_grids(6, 4);
  ASSERT_EQ(set.count(), 7u * 3u);
  const int nearest[7] = {0, 1, 1, 2, 3, 3, 4};
  for (int j = 0; j <= 6; ++j) {
    EXPECT_DOUBLE_EQ(grid_factor(set, 0, j), 1.0 + (2.0 * j - 6.0) / 6.0 * 0.12) << "U0 step " << j;
    EXPECT_DOUBLE_EQ(grid_factor(set, 1, j), 1.0 + (2.0 * nearest[j] - 4.0) / 4.0 * 0.2)
        << "U1 at grid step " << j << " is its own step " << nearest[j];
  }
  EXPECT_EQ(set.scenarios.label[3 * 1 + 1], "grid step 1/6, vol 0");
}

TEST(GridSteps, AHalfwayStepRoundsAwayFromTheLowerPoint) {
  // The case: a 4-step grid over 2 steps. Grid step 1 is halfway
  // between U1's steps 0 and 1 and takes step 1 (the unmoved price), step 3
  // halfway between 1 and 2 takes step 2 (+range): halves round up.
  const StressSet set = two_grids(4, 2);
  EXPECT_EQ(grid_factor(set, 1, 0), 1.0 - 0.2);
  EXPECT_EQ(grid_factor(set, 1, 1), 1.0);
  EXPECT_EQ(grid_factor(set, 1, 2), 1.0);
  EXPECT_EQ(grid_factor(set, 1, 3), 1.0 + 0.2);
  EXPECT_EQ(grid_factor(set, 1, 4), 1.0 + 0.2);
}

TEST(NamedHistoryDates, EachUnderlyingMovesItsPriceAndItsVolColumnBetweenTheRows) {
  // AA has a .vol column, BB none: AA's vol moves by V[d1] − V[d0], BB's not at all.
  History history = test::history_from_returns(
      {"AA", "BB"}, {{0.01, -0.03, 0.02, -0.05, 0.01}, {0.0, 0.02, -0.01, 0.01, 0.03}},
      {{0.21, 0.22, 0.25, 0.24, 0.33, 0.3}});
  StressConfig config;
  NamedScenario named;
  named.name = "sell-off";
  named.history_dates = {history.dates[1], history.dates[4]};
  config.named.push_back(named);
  const StressSet set = generate_stress(config, {"AA", "BB"}, &history);
  ASSERT_EQ(set.count(), 1u);
  EXPECT_EQ(set.scenarios.label[0], "named sell-off");
  const std::vector<double>& aa = history.series[0].levels;
  const std::vector<double>& bb = history.series[1].levels;
  EXPECT_EQ(set.scenarios.price_factor[0], aa[4] / aa[1]);
  EXPECT_EQ(set.scenarios.price_factor[1], bb[4] / bb[1]);
  EXPECT_EQ(set.scenarios.vol_shift[0], 0.33 - 0.22) << "V[d1] − V[d0] of AA.vol";
  EXPECT_EQ(set.scenarios.vol_shift[1], 0.0) << "BB has no .vol column";
}

}  // namespace
}  // namespace xm
