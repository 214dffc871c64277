// The daily factor model of the Monte Carlo source (SPEC §5.1): factor moves,
// sample and EWMA covariance, and the semi-definite Cholesky factor.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "io/loaders.hpp"
#include "scenarios/synthetic_history.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"
#include "xmargin/factor_model.hpp"

namespace xm {
namespace {

FactorMoves two_factors(std::vector<double> a, std::vector<double> b) {
  FactorMoves factors;
  factors.names = {"AA", "BB"};
  factors.price_factors = 2;
  factors.window = a.size();
  factors.moves = a;
  factors.moves.insert(factors.moves.end(), b.begin(), b.end());
  return factors;
}

TEST(EwmaWeights, SumToOneNewestWeightedMost) {
  for (const double lambda : {0.5, 0.94, 0.97, 0.999}) {
    for (const std::size_t window : {std::size_t{2}, std::size_t{250}, std::size_t{500}}) {
      const std::vector<double> w = ewma_weights(lambda, window);
      ASSERT_EQ(w.size(), window);
      EXPECT_NEAR(std::accumulate(w.begin(), w.end(), 0.0), 1.0, 1e-14)
          << "lambda " << lambda << " window " << window;
      // In long double, where 1 − λ^W cancels less than in double.
      const long double l = lambda;
      const auto first = static_cast<double>((1 - l) / (1 - std::pow(l, window)));
      EXPECT_NEAR(w[0], first, 1e-15 * first) << "lambda " << lambda << " window " << window;
      for (std::size_t k = 1; k < window; ++k) {
        ASSERT_LT(w[k], w[k - 1]) << k;
        ASSERT_NEAR(w[k] / w[k - 1], lambda, 1e-14) << k;
      }
    }
  }
}

TEST(FactorCovariance, SampleCovarianceRemovesTheMeanAndDividesByWMinusOne) {
  // Means 0.005 and 0.01; deviations (.005, −.025, .025, −.005) and
  // (.01, 0, −.02, .01).
  const FactorMoves factors = two_factors({0.01, -0.02, 0.03, 0.00}, {0.02, 0.01, -0.01, 0.02});
  const std::vector<double> sigma = sample_covariance(factors);
  ASSERT_EQ(sigma.size(), 4u);
  EXPECT_NEAR(sigma[0], 1.3e-3 / 3, 1e-18);
  EXPECT_NEAR(sigma[3], 6e-4 / 3, 1e-18);
  EXPECT_NEAR(sigma[1], -5e-4 / 3, 1e-18);
  EXPECT_EQ(sigma[1], sigma[2]);
}

TEST(FactorCovariance, EwmaHasZeroMeanAndWeighsTheNewestMost) {
  // λ = 0.5, W = 3: weights newest first (1 − λ)/(1 − λ³) · (1, λ, λ²) = 4/7, 2/7, 1/7.
  const FactorMoves factors = two_factors({0.01, -0.02, 0.03}, {0.00, 0.01, 0.02});
  const std::vector<double> sigma = ewma_covariance(factors, 0.5);
  EXPECT_NEAR(sigma[0], (4 * 9e-4 + 2 * 4e-4 + 1 * 1e-4) / 7, 1e-18);
  EXPECT_NEAR(sigma[3], (4 * 4e-4 + 2 * 1e-4 + 0) / 7, 1e-18);
  EXPECT_NEAR(sigma[1], (4 * 6e-4 + 2 * -2e-4 + 0) / 7, 1e-18);
}

TEST(FactorMoves, PriceFactorsThenVolFactorsOverTheLastWindow) {
  const History history = test::history_from_returns(
      {"AA", "BB", "CC"}, {{0.01, 0.02, -0.03, 0.04}, {0.0, 0.01, 0.0, -0.01}, {1, 2, 3, 4}},
      {{0.30, 0.31, 0.29, 0.33, 0.30}, {}, {0.2, 0.2, 0.2, 0.2, 0.2}});
  const FactorMoves factors = factor_moves(history, 3, true);
  EXPECT_EQ(factors.names, (std::vector<std::string>{"AA", "BB", "CC", "AA.vol", "CC.vol"}));
  EXPECT_EQ(factors.price_factors, 3u);
  EXPECT_EQ(factors.vol_factor[0], 3u);
  EXPECT_EQ(factors.vol_factor[1], std::numeric_limits<std::size_t>::max());
  EXPECT_EQ(factors.vol_factor[2], 4u);
  ASSERT_EQ(factors.window, 3u);
  // The last three returns of AA (rows 2…4), oldest first.
  EXPECT_NEAR(factors.moves[0], 0.02, 1e-15);
  EXPECT_NEAR(factors.moves[1], -0.03, 1e-15);
  EXPECT_NEAR(factors.moves[2], 0.04, 1e-15);
  // AA.vol: V[2] − V[1], V[3] − V[2], V[4] − V[3].
  EXPECT_EQ(factors.moves[3 * 3 + 0], 0.29 - 0.31);
  EXPECT_EQ(factors.moves[3 * 3 + 1], 0.33 - 0.29);
  EXPECT_EQ(factors.moves[3 * 3 + 2], 0.30 - 0.33);
  EXPECT_EQ(factors.moves[4 * 3 + 1], 0.0);

  const FactorMoves without_vols = factor_moves(history, 3, false);
  EXPECT_EQ(without_vols.names, (std::vector<std::string>{"AA", "BB", "CC"}));
}

TEST(FactorMoves, TooShortAHistoryNamesTheFileAndTheRowsNeeded) {
  const History history = test::history_from_returns({"AA"}, {{0.01, 0.02, -0.03, 0.04}});
  EXPECT_NO_THROW(factor_moves(history, 4, true));
  try {
    factor_moves(history, 5, true);
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 "history.csv: history has 5 rows; monte_carlo covariance window_days 5 needs at "
                 "least 6");
  }
}

std::vector<double> times_transpose(const std::vector<double>& lower, std::size_t d) {
  std::vector<double> product(d * d, 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k < d; ++k) product[i * d + j] += lower[i * d + k] * lower[j * d + k];
    }
  }
  return product;
}

TEST(CholeskyLower, ReconstructsTheCovarianceAndIsLower) {
  // Daily log-return and vol-point scales side by side.
  const std::vector<double> sigma = {4e-4,   1.2e-4, -3e-5, 2e-5,   //
                                     1.2e-4, 2.5e-4, 1e-5,  0.0,    //
                                     -3e-5,  1e-5,   9e-4,  -4e-5,  //
                                     2e-5,   0.0,    -4e-5, 1e-4};
  const std::vector<double> lower = cholesky_lower(sigma, {"A", "B", "C", "A.vol"}, {"h.csv"}, "");
  const std::vector<double> product = times_transpose(lower, 4);
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      EXPECT_NEAR(product[i * 4 + j], sigma[i * 4 + j], 1e-18) << i << "," << j;
      if (j > i) {
        EXPECT_EQ(lower[i * 4 + j], 0.0);
      }
    }
  }
}

TEST(CholeskyLower, ZeroVarianceFactorsGetZeroRowsAndColumns) {
  const std::vector<double> sigma = {4e-4, 0.0, 1e-4,  //
                                     0.0,  0.0, 0.0,   //
                                     1e-4, 0.0, 9e-4};
  const std::vector<double> lower = cholesky_lower(sigma, {"A", "FLAT", "C"}, {"h.csv"}, "");
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(lower[1 * 3 + k], 0.0);
    EXPECT_EQ(lower[k * 3 + 1], 0.0);
  }
  const std::vector<double> product = times_transpose(lower, 3);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(product[i], sigma[i], 1e-18) << i;
}

TEST(CholeskyLower, AFactorSpannedByEarlierOnesGetsAZeroColumn) {
  // B = 2A exactly (doubling is exact): Σ has rank 1.
  const FactorMoves factors = two_factors({0.01, -0.02, 0.03, 0.005}, {0.02, -0.04, 0.06, 0.01});
  const std::vector<double> sigma = sample_covariance(factors);
  const std::vector<double> lower = cholesky_lower(sigma, factors.names, {"h.csv"}, "");
  EXPECT_EQ(lower[1 * 2 + 1], 0.0);
  EXPECT_NEAR(lower[1 * 2 + 0], 2 * lower[0], 1e-15);
}

TEST(CholeskyLower, ACovarianceThatIsNotPsdIsAnErrorAtTheConfigKeyWithItsCause) {
  auto message_of = [](const std::vector<double>& sigma) -> std::string {
    try {
      cholesky_lower(sigma, {"AA", "BB"}, {"config.json", 3, 5}, "the cause");
    } catch (const InputError& error) {
      return error.what();
    }
    return "no error";
  };
  const std::string prefix =
      "config.json:3:5: the covariance of the Monte Carlo factors is not positive semi-definite "
      "within rounding: factor ";
  // Correlation 2 (numbers exact in binary): eigenvalues 3 and −1, pivot 1 − 2².
  EXPECT_EQ(message_of({0.25, 0.5, 0.5, 0.25}),
            prefix +
                "'BB' leaves a negative pivot -3 on the correlation scale (tolerance 1e-12); the "
                "cause");
  EXPECT_EQ(message_of({-0.25, 0.0, 0.0, 0.25}), prefix + "'AA' has variance -0.25; the cause");
  EXPECT_EQ(message_of({0.0, 0.5, 0.5, 0.25}),
            prefix + "'AA' has zero variance but covariance 0.5 with 'BB'; the cause");
  // Correlation 1 + 1e-13 is within the tolerance: a zero column, no error.
  EXPECT_EQ(message_of({1.0, 1.0 + 1e-13, 1.0 + 1e-13, 1.0}), "no error");
}

// The sample's 30 stocks and their `.vol` columns: 60 factors.
History sample_history() {
  const std::string path = std::string(XM_SOURCE_DIR) + "/scenarios/default/history.csv";
  const std::string text = test::read_text(path);
  std::vector<std::string> ids;
  std::string header = text.substr(0, text.find('\n'));
  for (std::size_t at = header.find(',') + 1, end = 0; at != 0; at = end + 1) {
    end = header.find(',', at);
    const std::string id = header.substr(at, end == std::string::npos ? end : end - at);
    if (id.find('.') == std::string::npos) ids.push_back(id);
    if (end == std::string::npos) break;
  }
  return load_history(path, ids);
}

// A sample covariance of a window shorter than the factors has rank below
// them: its zero pivots come out as rounding noise of either sign. Window 30
// (−1.4e-12 on the correlation scale) was refused before the tolerance grew
// with the rounding; every window factorises now, and L Lᵀ gives Σ back to
// that noise: at most 4e-12 on the correlation scale, except where a kept
// pivot is itself tiny (window 45 keeps one of 2e-8: the 16 zero pivots after
// it come out as noise up to 4e-7, and L Lᵀ is Σ to 1.3e-7).
TEST(MonteCarloModel, CovariancesOfWindowsShorterEqualAndLongerThanTheFactorsFactorise) {
  const History history = sample_history();
  ASSERT_EQ(monte_carlo_factor_count(history, true), 60u);
  for (const int window : {2, 20, 29, 30, 31, 45, 59, 60, 61, 250}) {
    for (const double lambda : {0.0, 0.94}) {
      MonteCarloSource source;
      source.window_days = window;
      source.mpor_days = 1;
      if (lambda > 0.0) source.ewma_lambda = lambda;
      const MonteCarloModel model = monte_carlo_model(history, source);
      const std::size_t d = model.factors.count();
      const std::vector<double> sigma =
          lambda > 0.0 ? ewma_covariance(model.factors, lambda) : sample_covariance(model.factors);
      const std::vector<double> product = times_transpose(model.root, d);
      double worst = 0.0;  // on the correlation scale
      for (std::size_t i = 0; i < d; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
          const double scale = std::sqrt(sigma[i * d + i] * sigma[j * d + j]);
          if (scale > 0.0) {
            worst = std::max(worst, std::fabs(product[i * d + j] - sigma[i * d + j]) / scale);
          }
        }
      }
      EXPECT_LT(worst, 1e-6) << "window " << window << " lambda " << lambda;
    }
  }
}

TEST(MonteCarloModel, MoreFactorsThanTheLimitAreRefusedAtTheSourceKey) {
  History history = test::history_from_returns({"AA", "BB"}, {{0.01, -0.02}, {0.0, 0.01}},
                                               {{0.2, 0.21, 0.22}, {}});
  for (int days = 1; days <= 1999; ++days) {
    history.series[0].tenor_vols.push_back(VolTenorSeries{days, {0.2, 0.21, 0.22}});
  }
  MonteCarloSource source;
  source.spot = {"config.json", 4, 7};
  EXPECT_EQ(monte_carlo_factor_count(history, true), 2001u);
  try {
    check_monte_carlo_size(history, source);
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              "config.json:4:7: scenarios.monte_carlo: the book's 2 underlyings give 2001 factors "
              "(2 prices and 1999 vols and tenor vols of history.csv), more than the 2000 a Monte "
              "Carlo model takes: its covariance grows with the square of the factors and its "
              "factorisation with the cube; \"vol_factors\": false leaves the vols out");
  }
  source.vol_factors = false;
  EXPECT_EQ(monte_carlo_factor_count(history, false), 2u);
  EXPECT_NO_THROW(check_monte_carlo_size(history, source));
}

}  // namespace
}  // namespace xm
