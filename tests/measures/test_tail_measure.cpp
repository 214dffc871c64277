#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "xmargin/tail_measure.hpp"

namespace xm {
namespace {

// Ranks the losses the way both backends do, then takes the tail.
TailRisk tail_of(const std::vector<double>& losses, const std::vector<double>& weights,
                 double confidence) {
  std::vector<std::int32_t> order(losses.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return ranks_before(losses[a], a, losses[b], b);
  });
  std::vector<double> sorted;
  for (std::int32_t s : order) sorted.push_back(losses[s]);
  return tail_risk_from_ranked(sorted.data(), order.data(), weights.data(), losses.size(),
                               confidence);
}

TEST(TailMeasure, SpecWorkedCheck) {
  // SPEC §3: losses {10 w.p. 0.5%, 4 w.p. 1.5%, −2 w.p. 98%} give VaR99 = 4, ES99 = 7.
  const TailRisk risk = tail_of({-2, 10, 4}, {0.98, 0.005, 0.015}, 0.99);
  EXPECT_DOUBLE_EQ(risk.var, 4.0);
  EXPECT_NEAR(risk.es, 7.0, 1e-12);
  EXPECT_EQ(risk.worst_loss, 10.0);
  EXPECT_EQ(risk.worst_scenario, 1);
}

TEST(TailMeasure, EqualWeightsWholeTailIsTheMeanOfTheKWorst) {
  // N = 1000, α = 0.99: N(1 − α) = 10 exactly, so ES is the mean of the 10 worst and VaR the 10th.
  std::vector<double> losses(1000), weights(1000, 1.0 / 1000);
  for (std::size_t s = 0; s < losses.size(); ++s)
    losses[s] = static_cast<double>((s * 7919) % 1000);
  const TailRisk risk = tail_of(losses, weights, 0.99);
  EXPECT_EQ(risk.var, 990.0);
  EXPECT_NEAR(risk.es, (999 + 998 + 997 + 996 + 995 + 994 + 993 + 992 + 991 + 990) / 10.0, 1e-9);
  EXPECT_EQ(risk.worst_loss, 999.0);
  EXPECT_EQ(losses[static_cast<std::size_t>(risk.worst_scenario)], 999.0);
}

TEST(TailMeasure, NonIntegerTailCountWeightsTheLastLossPartially) {
  // N = 250, α = 0.99: N(1 − α) = 2.5, so k = 3 and the third loss counts for half a scenario.
  std::vector<double> losses(250, 0.0), weights(250, 1.0 / 250);
  losses[17] = 100;
  losses[42] = 60;
  losses[200] = 50;
  losses[3] = 40;
  const TailRisk risk = tail_of(losses, weights, 0.99);
  EXPECT_EQ(risk.var, 50.0);
  EXPECT_NEAR(risk.es, (100 + 60 + 0.5 * 50) / 2.5, 1e-12);
  EXPECT_EQ(risk.worst_scenario, 17);
}

TEST(TailMeasure, VarIsTheKthLossWithKFromTheTolerance) {
  // N = 100, α = 0.97: 1 − α is not exactly 0.03 in binary; the relative tolerance
  // of 1e-12 makes k = 3 (not 4).
  std::vector<double> losses(100), weights(100, 0.01);
  for (std::size_t s = 0; s < 100; ++s) losses[s] = static_cast<double>(s);
  const TailRisk risk = tail_of(losses, weights, 0.97);
  EXPECT_EQ(risk.var, 97.0);
  EXPECT_NEAR(risk.es, (99 + 98 + 97) / 3.0, 1e-12);
}

TEST(TailMeasure, TiesKeepTheLowerScenarioFirst) {
  const TailRisk risk = tail_of({1, 5, 3, 5, 5}, {0.2, 0.2, 0.2, 0.2, 0.2}, 0.8);
  EXPECT_EQ(risk.worst_scenario, 1);
  EXPECT_EQ(risk.var, 5.0);
}

TEST(TailMeasure, AllGainsGiveNegativeMeasures) {
  const TailRisk risk = tail_of({-1, -2, -3, -4}, {0.25, 0.25, 0.25, 0.25}, 0.5);
  EXPECT_EQ(risk.var, -2.0);
  EXPECT_EQ(risk.es, -1.5);
  EXPECT_EQ(risk.worst_loss, -1.0);
}

TEST(TailMeasure, LossesAreNeverNegativeZero) {
  EXPECT_FALSE(std::signbit(loss_from_pnl(0.0)));
  EXPECT_FALSE(std::signbit(loss_from_pnl(-0.0)));
  EXPECT_EQ(loss_from_pnl(2.5), -2.5);
}

TEST(TailMeasure, EmptyPortfolioOfZeroLossesPicksScenarioZero) {
  const TailRisk risk = tail_of(std::vector<double>(10, 0.0), std::vector<double>(10, 0.1), 0.9);
  EXPECT_EQ(risk.var, 0.0);
  EXPECT_EQ(risk.es, 0.0);
  EXPECT_EQ(risk.worst_scenario, 0);
}

}  // namespace
}  // namespace xm
