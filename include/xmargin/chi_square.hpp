#pragma once
// The χ² quantile that turns one standard normal draw into one χ²_ν draw for the
// Student-t Monte Carlo (SPEC §5.1), written once for the host and the device.
//
// Why an inverse CDF rather than a gamma sampler: Marsaglia–Tsang and its kin
// reject a variable number of candidates, so scenario s would not know where
// its draws start in the Philox stream unless every scenario before it had run.
// χ²_ν = 2·P⁻¹(ν/2, Φ(N)) takes exactly one normal N per scenario, so the
// stream layout (README "Order of draws") stays fixed and a device thread can
// produce any scenario on its own. It is exact for every real ν > 2, not only
// whole ν (a sum of ν squared normals is not).
#include <cmath>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/normal.hpp"

namespace xm {

namespace detail {

// Enough for the series and the continued fraction to converge at
// a = ν/2 ≤ 500 (kMaxStudentNu) anywhere in the range the inversion visits;
// they stop earlier once a term no longer changes the sum.
inline constexpr int kGammaMaxTerms = 2000;
inline constexpr double kGammaEpsilon = 1e-17;
inline constexpr double kGammaTiny = 1e-300;
inline constexpr double kWilsonHilfertyFloor = 0.46;  // ∛0.1

// ln(x^a e^{−x} / Γ(a)), the prefactor both expansions share.
XM_HD inline double gamma_log_prefactor(double a, double x) {
  return a * ::log(x) - x - ::lgamma(a);
}

// P(a, x) by its series, accurate where x < a + 1:
// P = x^a e^{−x}/Γ(a) · Σ_{n≥0} x^n / (a (a+1) … (a+n)).
XM_HD inline double gamma_p_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < kGammaMaxTerms; ++n) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * kGammaEpsilon) break;
  }
  return sum * ::exp(gamma_log_prefactor(a, x));
}

// Q(a, x) by its continued fraction (modified Lentz), accurate where x ≥ a + 1.
XM_HD inline double gamma_q_fraction(double a, double x) {
  double b = x + 1.0 - a;
  double c = 1.0 / kGammaTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < kGammaMaxTerms; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (::fabs(d) < kGammaTiny) d = kGammaTiny;
    c = b + an / c;
    if (::fabs(c) < kGammaTiny) c = kGammaTiny;
    d = 1.0 / d;
    const double step = d * c;
    h *= step;
    if (::fabs(step - 1.0) < kGammaEpsilon) break;
  }
  return ::exp(gamma_log_prefactor(a, x)) * h;
}

}  // namespace detail

// Regularised lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0.
XM_HD inline double gamma_p(double a, double x) {
  if (x <= 0.0) return 0.0;
  return x < a + 1.0 ? detail::gamma_p_series(a, x) : 1.0 - detail::gamma_q_fraction(a, x);
}

// Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly so
// that a small Q keeps its relative accuracy.
XM_HD inline double gamma_q(double a, double x) {
  if (x <= 0.0) return 1.0;
  return x < a + 1.0 ? 1.0 - detail::gamma_p_series(a, x) : detail::gamma_q_fraction(a, x);
}

// The x with P(a, x) = Φ(z), a > 1: the gamma quantile at the probability of a
// standard normal z. Left of the median it solves P(a, x) = Φ(z), right of it
// Q(a, x) = Φ(−z), so both tails keep full relative accuracy. Halley's method
// (as in Numerical Recipes' invgammp) from the Wilson–Hilferty point, which is
// itself a cube of z, or, deep in the left tail where that cube fails, from
// the leading term P ≈ x^a / Γ(a + 1).
XM_HD inline double gamma_quantile_of_normal(double a, double z) {
  const bool lower = z < 0.0;
  const double target = lower ? norm_cdf(z) : norm_cdf(-z);
  const double base = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * ::sqrt(a));
  double x = a * base * base * base;
  // Where the cube is under a tenth of a the Wilson–Hilferty start is poor (and
  // from a base ≤ 0 it is no start at all): the leading term is better there.
  if (lower && base < detail::kWilsonHilfertyFloor) {
    x = ::exp((::log(target) + ::lgamma(a + 1.0)) / a);
  }
  const double log_gamma = ::lgamma(a);
  for (int iteration = 0; iteration < 64; ++iteration) {
    // P(a, x) − p, or the same with Q: q − Q(a, x) = P(a, x) − p.
    const double error = lower ? gamma_p(a, x) - target : target - gamma_q(a, x);
    const double density = ::exp((a - 1.0) * ::log(x) - x - log_gamma);
    if (!(density > 0.0)) break;
    const double newton = error / density;
    const double curvature = newton * ((a - 1.0) / x - 1.0);
    const double step = newton / (1.0 - 0.5 * (curvature < 1.0 ? curvature : 1.0));
    const double previous = x;
    x -= step;
    if (x <= 0.0) x = 0.5 * previous;
    if (::fabs(step) <= 1e-15 * x) break;
  }
  return x;
}

// One χ²_ν draw from one standard normal draw z: 2·P⁻¹(ν/2, Φ(z)).
XM_HD inline double chi_square_of_normal(double nu, double z) {
  return 2.0 * gamma_quantile_of_normal(0.5 * nu, z);
}

}  // namespace xm
