#pragma once
#include <cmath>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/black_scholes.hpp"
#include "xmargin/pricing/intrinsic.hpp"
#include "xmargin/pricing/normal.hpp"

// Barone-Adesi–Whaley (1987) quadratic approximation for American options with a
// cost of carry b, as published in Barone-Adesi & Whaley, "Efficient Analytic
// Approximation of American Option Values", J. Finance 42 (1987), and in Haug,
// "The Complete Guide to Option Pricing Formulas", §3.3.3 (BAW). QuantLib's
// BaroneAdesiWhaleyApproximationEngine implements the same method and is the
// test oracle (tests/pricing/test_pricing_vs_quantlib.cpp).
//
// With N = 2b/σ², M = 2r/σ², and k = 2r / (σ²(1 − e^{−rT})) (whose r → 0 limit is
// 2/(σ²T)), the early-exercise premium is written with the roots
//   q₂ = (−(N−1) + √((N−1)² + 4k)) / 2   (call),
//   q₁ = (−(N−1) − √((N−1)² + 4k)) / 2   (put),
// and, with c, p the generalised Black–Scholes values and S* the critical price,
//   call: C = c + A₂ (S/S*)^{q₂} for S < S*,  C = S − K otherwise,
//         A₂ = (S*/q₂) (1 − e^{(b−r)T} N(d₁(S*)))
//   put:  P = p + A₁ (S/S*)^{q₁} for S > S*,  P = K − S otherwise,
//         A₁ = −(S*/q₁) (1 − e^{(b−r)T} N(−d₁(S*))).
// The critical price S* solves the value-matching condition
//   call: S* − K = c(S*) + (1 − e^{(b−r)T} N(d₁(S*))) S*/q₂
//   put:  K − S* = p(S*) − (1 − e^{(b−r)T} N(−d₁(S*))) S*/q₁
// by Newton–Raphson from the published seed (the infinite-maturity boundary
// S∞ = K / (1 − 1/q∞), with q∞ the root with M in place of k, and
// h = ∓(bT ± 2σ√T)·K/|S∞ − K|), stopping once |LHS − RHS| / K ≤ 1e-6, the published
// and QuantLib tolerance. The iteration is also capped at kBawMaxIterations
// steps, so device code can never spin forever; if the cap is hit, the last
// iterate is used (the tests check that it is never reached on realistic inputs).
//
// Cases outside the method:
//  * T ≤ 0: intrinsic value. S ≤ 0 or K ≤ 0: intrinsic value (exercising now is
//    optimal: a call struck at 0 is worth S, a put on a worthless spot K).
//  * Call with b ≥ r (no dividend yield): early exercise is never optimal, the
//    value is the European (generalised Black–Scholes) value, as in QuantLib.
//  * Negative rates are not supported by BAW (QuantLib refuses them). Here:
//    - put with r < 0: early exercise is never optimal (by McDonald–Schroder
//      put–call symmetry P(S, K, r, q) = C(K, S, q, r), and a call whose yield r
//      is ≤ 0 is never exercised early), so the value is the European value;
//    - call with r < 0 and b < r (i.e. q = r − b > 0): valued through the same
//      symmetry as a BAW put with spot K, strike S, rate q > 0 and carry −b, which
//      keeps the method in its valid range (r′ = q > 0).
//    A put with r = 0 exactly still goes through BAW, matching QuantLib; the BAW
//    approximation gives it a small early-exercise premium although the exact
//    American value equals the European one there.
//  * σ√T below kBawMinStdDev (zero or near-zero vol): the quadratic terms N, M
//    and k overflow, so the value is max(European, intrinsic), the deterministic
//    limit at the two ends of the exercise window.
namespace xm {

inline constexpr int kBawMaxIterations = 200;
inline constexpr double kBawTolerance = 1e-6;
inline constexpr double kBawMinStdDev = 1e-12;

struct BawCriticalPrice {
  double price = 0.0;     // S*
  double exponent = 0.0;  // q₂ (call) or q₁ (put)
  int iterations = 0;     // Newton steps taken
};

namespace baw_detail {

// Root of q² + (n − 1) q − k = 0 (k ≥ 0): the positive one for a call, the
// negative one for a put, each written in the form that does not cancel (n and k
// grow like 1/σ², and the textbook form loses every digit at tiny vols).
XM_HD inline double quadratic_root(bool is_call, double n, double k) {
  const double a = n - 1.0;
  const double root = ::sqrt(a * a + 4.0 * k);
  if (is_call) return a > 0.0 ? 2.0 * k / (a + root) : 0.5 * (root - a);
  return a < 0.0 ? 2.0 * k / (a - root) : -0.5 * (a + root);
}

// 2r/(σ²(1 − e^{−rT})) written as (2/σ²T)·rT/(1 − e^{−rT}), with the r → 0 limit
// 2/(σ²T); expm1 keeps 1 − e^{−rT} accurate for small rT.
XM_HD inline double k_term(double rate, double years, double variance) {
  const double rt = rate * years;
  const double one_minus_discount = -::expm1(-rt);
  if (one_minus_discount == 0.0) return 2.0 / variance;
  return 2.0 * rt / (variance * one_minus_discount);
}

}  // namespace baw_detail

// Critical price S* of the BAW approximation (see the file comment), with the
// exponent q of its premium term. Expects T > 0, K > 0, σ√T ≥ kBawMinStdDev,
// r ≥ 0 and, for a call, b < r.
XM_HD inline BawCriticalPrice baw_critical_price(bool is_call, double strike, double years,
                                                 double rate, double carry, double vol) {
  const double std_dev = vol * ::sqrt(years);
  const double variance = std_dev * std_dev;
  const double carry_discount = ::exp((carry - rate) * years);  // e^{(b−r)T}
  const double n = 2.0 * carry * years / variance;
  const double q =
      baw_detail::quadratic_root(is_call, n, baw_detail::k_term(rate, years, variance));

  // Seed: the perpetual (T → ∞) boundary S∞, pulled towards K for finite T.
  const double m = 2.0 * rate * years / variance;
  const double q_inf = baw_detail::quadratic_root(is_call, n, m);
  const double s_inf = strike / (1.0 - 1.0 / q_inf);
  double s;
  if (is_call) {
    const double h = -(carry * years + 2.0 * std_dev) * strike / (s_inf - strike);
    s = strike + (s_inf - strike) * (1.0 - ::exp(h));
  } else {
    const double h = (carry * years - 2.0 * std_dev) * strike / (strike - s_inf);
    s = s_inf + (strike - s_inf) * ::exp(h);
  }

  // Newton–Raphson on f(S) = LHS(S) − RHS(S); `slope` is dRHS/dS. The root lies
  // in (K, ∞) for a call (f < 0 below it) and in (0, K) for a put (f > 0 below
  // it); [lo, hi] is that bracket, narrowed by the sign of f at each iterate. The
  // plain method fails at low vol: the seed leaves the bracket when
  // bT + 2σ√T < 0 (call) or bT − 2σ√T > 0 (put), and Newton steps can overshoot
  // it. Then the seed is replaced by S∞ (inside the bracket: S∞ > K for a call,
  // 0 < S∞ < K for a put) and a step by bisection, or by doubling while a call has
  // no upper bound yet. Wherever the published iteration stays in the bracket,
  // its iterates are used unchanged.
  double lo = is_call ? strike : 0.0;
  double hi = is_call ? HUGE_VAL : strike;
  if (!(s > 0.0 && s < HUGE_VAL)) s = s_inf;
  BawCriticalPrice result;
  result.exponent = q;
  for (;;) {
    const double d1 = (::log(s / strike) + carry * years) / std_dev + 0.5 * std_dev;
    const double european = black_scholes_generalized(is_call, s, strike, years, rate, carry, vol);
    double lhs, rhs, slope;
    if (is_call) {
      const double nd1 = carry_discount * norm_cdf(d1);
      lhs = s - strike;
      rhs = european + (1.0 - nd1) * s / q;
      slope = nd1 * (1.0 - 1.0 / q) + (1.0 - carry_discount * norm_pdf(d1) / std_dev) / q;
    } else {
      const double nd1 = carry_discount * norm_cdf(-d1);
      lhs = strike - s;
      rhs = european - (1.0 - nd1) * s / q;
      slope = -nd1 * (1.0 - 1.0 / q) - (1.0 + carry_discount * norm_pdf(d1) / std_dev) / q;
    }
    // A NaN residual fails the comparison and stops the loop too.
    if (!(::fabs(lhs - rhs) / strike > kBawTolerance)) break;
    if (result.iterations >= kBawMaxIterations) break;
    ++result.iterations;

    const bool root_above = is_call ? lhs < rhs : lhs > rhs;
    if (root_above) {
      if (s > lo) lo = s;
    } else if (s < hi) {
      hi = s;
    }
    const double newton = is_call ? (strike + rhs - slope * s) / (1.0 - slope)
                                  : (strike - rhs + slope * s) / (1.0 + slope);
    if (newton > 0.0 && newton < HUGE_VAL) {
      s = newton;  // also rejects NaN
    } else if (hi < HUGE_VAL) {
      s = 0.5 * (lo + hi);
    } else {
      s = 2.0 * lo;
    }
  }
  result.price = s;
  return result;
}

namespace baw_detail {

// BAW value where early exercise can be optimal: r ≥ 0, and b < r for a call.
XM_HD inline double baw_value(bool is_call, double spot, double strike, double years, double rate,
                              double carry, double vol) {
  const double european = black_scholes_generalized(is_call, spot, strike, years, rate, carry, vol);
  const double std_dev = vol * ::sqrt(years);
  if (!(std_dev >= kBawMinStdDev)) {
    const double exercised = intrinsic_value(is_call, spot, strike);
    return european > exercised ? european : exercised;
  }
  const BawCriticalPrice boundary = baw_critical_price(is_call, strike, years, rate, carry, vol);
  const double critical = boundary.price;
  const double q = boundary.exponent;

  const double d1 = (::log(critical / strike) + carry * years) / std_dev + 0.5 * std_dev;
  const double carry_discount = ::exp((carry - rate) * years);
  if (is_call) {
    if (spot >= critical) return spot - strike;
    const double a2 = (critical / q) * (1.0 - carry_discount * norm_cdf(d1));
    return european + a2 * ::pow(spot / critical, q);
  }
  if (spot <= critical) return strike - spot;
  const double a1 = -(critical / q) * (1.0 - carry_discount * norm_cdf(-d1));
  return european + a1 * ::pow(spot / critical, q);
}

}  // namespace baw_detail

// Value of an American option by the Barone-Adesi–Whaley approximation, with
// cost of carry b = `carry` (b = r − q on a spot, b = 0 on a future); see the file
// comment for the method and for the cases outside it.
XM_HD inline double barone_adesi_whaley(bool is_call, double spot, double strike, double years,
                                        double rate, double carry, double vol) {
  if (years <= 0.0 || spot <= 0.0 || strike <= 0.0) {
    return intrinsic_value(is_call, spot, strike);
  }
  if (is_call) {
    if (carry >= rate) {
      return black_scholes_generalized(true, spot, strike, years, rate, carry, vol);
    }
    if (rate < 0.0) {
      // McDonald–Schroder symmetry: C(S, K, r, b) = P(K, S, r − b, −b), r − b > 0.
      return baw_detail::baw_value(false, strike, spot, years, rate - carry, -carry, vol);
    }
    return baw_detail::baw_value(true, spot, strike, years, rate, carry, vol);
  }
  if (rate < 0.0) {
    return black_scholes_generalized(false, spot, strike, years, rate, carry, vol);
  }
  return baw_detail::baw_value(false, spot, strike, years, rate, carry, vol);
}

}  // namespace xm
