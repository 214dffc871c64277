#pragma once
#include <cmath>

#include "xmargin/hd.hpp"

namespace xm {

// Standard normal cumulative distribution N(x). Written through the
// complementary error function so that both tails keep full relative accuracy:
// N(-10) ≈ 7.6e-24 comes out right, where 0.5·(1 + erf(x/√2)) would cancel to 0.
XM_HD inline double norm_cdf(double x) {
  constexpr double kInvSqrt2 = 0.70710678118654752440;  // 1/√2
  return 0.5 * ::erfc(-x * kInvSqrt2);
}

// Standard normal density φ(x) = e^{−x²/2} / √(2π).
XM_HD inline double norm_pdf(double x) {
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1/√(2π)
  return kInvSqrt2Pi * ::exp(-0.5 * x * x);
}

}  // namespace xm
