// The χ² draw of the Student-t Monte Carlo: one normal through the χ²_ν
// quantile (include/xmargin/chi_square.hpp), checked against closed forms,
// Boost.Math's inverse incomplete gamma, and the distribution's moments.
#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <vector>

#include "scenarios/philox_normals.hpp"
#include "xmargin/chi_square.hpp"
#include "xmargin/monte_carlo.hpp"

namespace xm {
namespace {

constexpr double kPi = 3.14159265358979323846;

TEST(IncompleteGamma, MatchesClosedFormsAtHalfAndWholeShapes) {
  for (double x = 0.01; x < 60.0; x *= 1.3) {
    // a = 2: P = 1 − e^{−x}(1 + x).
    EXPECT_NEAR(gamma_p(2.0, x), 1.0 - std::exp(-x) * (1.0 + x), 2e-15) << x;
    // Q keeps its relative accuracy in the far tail, up to the rounding of the
    // exponent a ln x − x − ln Γ(a) (≈ x · 2⁻⁵³).
    EXPECT_NEAR(gamma_q(2.0, x), std::exp(-x) * (1.0 + x), 1e-13 * std::exp(-x) * (1 + x)) << x;
    // a = 3/2: P = erf(√x) − 2√(x/π) e^{−x}; a = 5/2 adds the term 4x/3 · √(x/π) e^{−x}.
    const double root = std::sqrt(x / kPi) * std::exp(-x);
    EXPECT_NEAR(gamma_p(1.5, x), std::erf(std::sqrt(x)) - 2.0 * root, 2e-15) << x;
    EXPECT_NEAR(gamma_p(2.5, x), std::erf(std::sqrt(x)) - 2.0 * root * (1.0 + 2.0 * x / 3.0), 2e-15)
        << x;
  }
}

TEST(ChiSquareOfNormal, IsTheChiSquareQuantileAtTheNormalsProbability) {
  for (const double nu : {2.001, 2.5, 3.0, 4.0, 5.0, 7.5, 30.0, 1000.0}) {
    double worst = 0.0;
    for (double z = -8.6; z <= 8.6; z += 0.05) {
      const double p = 0.5 * std::erfc(-z / std::sqrt(2.0));
      const double q = 0.5 * std::erfc(z / std::sqrt(2.0));
      // Boost from the smaller tail, as the inversion does.
      const double expected =
          2.0 * (z < 0 ? boost::math::gamma_p_inv(nu / 2, p) : boost::math::gamma_q_inv(nu / 2, q));
      worst = std::max(worst, std::fabs(chi_square_of_normal(nu, z) / expected - 1.0));
    }
    EXPECT_LT(worst, 1e-12) << "nu " << nu;
  }
}

TEST(ChiSquareOfNormal, IsIncreasingInTheNormal) {
  for (const double nu : {2.2, 5.0, 60.0}) {
    double previous = 0.0;
    for (double z = -8.5; z <= 8.5; z += 0.01) {
      const double x = chi_square_of_normal(nu, z);
      ASSERT_GT(x, previous) << "nu " << nu << " z " << z;
      previous = x;
    }
  }
}

TEST(ChiSquareOfNormal, DrawsHaveTheChiSquareMomentsAndQuantiles) {
  constexpr std::size_t kDraws = 200000;
  std::vector<double> z(kDraws);
  PhiloxNormals(99).next(z.data(), kDraws);
  const double n = static_cast<double>(kDraws);
  for (const double nu : {3.0, 5.0, 12.5}) {
    std::vector<double> x(kDraws);
    double sum = 0.0, scale_squares = 0.0;
    for (std::size_t i = 0; i < kDraws; ++i) {
      x[i] = chi_square_of_normal(nu, z[i]);
      sum += x[i];
      const double scale = student_t_scale(nu, z[i]);
      scale_squares += scale * scale;
    }
    const double mean = sum / n;
    double squares = 0.0;
    for (const double v : x) squares += (v - mean) * (v - mean);
    const double variance = squares / (n - 1);
    // χ²_ν: mean ν, variance 2ν, fourth central moment 12ν² + 48ν.
    EXPECT_NEAR(mean, nu, 4.0 * std::sqrt(2.0 * nu / n)) << "nu " << nu;
    EXPECT_NEAR(variance, 2.0 * nu, 4.0 * std::sqrt((8.0 * nu * nu + 48.0 * nu) / n)) << nu;
    // E[(ν − 2)/χ²_ν] = 1: the t factors have unit variance. Its own variance
    // is (ν − 2)/(ν − 4) − 1 for ν > 4.
    if (nu > 4.0) {
      EXPECT_NEAR(scale_squares / n, 1.0, 4.0 * std::sqrt((2.0 / (nu - 4.0)) / n)) << nu;
    }
    const boost::math::chi_squared_distribution<double> exact(nu);
    for (const double p : {0.01, 0.1, 0.5, 0.9, 0.99}) {
      const double quantile = boost::math::quantile(exact, p);
      double below = 0.0;
      for (const double v : x) below += v <= quantile ? 1.0 : 0.0;
      EXPECT_NEAR(below / n, p, 4.0 * std::sqrt(p * (1 - p) / n)) << "nu " << nu << " p " << p;
    }
  }
}

}  // namespace
}  // namespace xm
