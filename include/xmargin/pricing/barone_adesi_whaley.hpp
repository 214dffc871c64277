#pragma once
#include <cmath>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/black_scholes.hpp"
#include "xmargin/pricing/intrinsic.hpp"
#include "xmargin/pricing/normal.hpp"

// Barone-Adesi–Whaley (1987) quadratic approximation for American options with a
// cost of carry b: G. Barone-Adesi & R. E. Whaley, "Efficient Analytic
// Approximation of American Option Values", J. Finance 42 (1987) 301–320, as
// given in E. G. Haug, "The Complete Guide to Option Pricing Formulas" (BAW
// section). QuantLib's BaroneAdesiWhaleyApproximationEngine implements the same
// method and is the test oracle (tests/pricing/test_pricing_vs_quantlib.cpp).
//
// With N = 2b/σ², M = 2r/σ² and k = 2r / (σ²(1 − e^{−rT})) (r → 0 limit 2/(σ²T)),
// the early-exercise premium uses the roots of q² + (N − 1) q − k = 0:
//   q₂ = (−(N−1) + √((N−1)² + 4k)) / 2 > 1   (call),
//   q₁ = (−(N−1) − √((N−1)² + 4k)) / 2 < 0   (put),
// and, with c, p the generalised Black–Scholes values and S* the critical price,
//   call: C = c + A₂ (S/S*)^{q₂} for S < S*,  C = S − K otherwise,
//         A₂ = (S*/q₂) (1 − e^{(b−r)T} N(d₁(S*)))
//   put:  P = p + A₁ (S/S*)^{q₁} for S > S*,  P = K − S otherwise,
//         A₁ = −(S*/q₁) (1 − e^{(b−r)T} N(−d₁(S*))).
// S* solves the value-matching condition
//   call: S* − K = c(S*) + (1 − e^{(b−r)T} N(d₁(S*))) S*/q₂
//   put:  K − S* = p(S*) − (1 − e^{(b−r)T} N(−d₁(S*))) S*/q₁
// by Newton–Raphson from the published seed: the perpetual boundary
// S∞ = K / (1 − 1/q∞) (q∞: the root with M in place of k), pulled towards K by
// e^h with h = −(bT + 2σ√T)·K/(S∞ − K) (call) or (bT − 2σ√T)·K/(K − S∞) (put). The
// iteration stops once |LHS − RHS| / K ≤ kBawTolerance = 1e-6, the published and
// QuantLib tolerance.
//
// Safeguards, none of which changes a result where the published iteration works
// (so the values agree with QuantLib wherever QuantLib returns one):
//  * The roots are evaluated in their cancellation-free form (N, k ~ 1/σ²).
//  * The published iteration breaks down at low vol and long maturity (QuantLib
//    throws "forward + displacement ... must be positive" there): the seed is
//    negative when bT + 2σ√T < 0 for a call, and Newton steps can leave (0, ∞).
//    A seed outside (0, ∞) is replaced by S∞, and a step outside it by bisection
//    of the bracket that must hold S* ((K, ∞) for a call, (0, K) for a put,
//    narrowed by the sign of LHS − RHS at each iterate), or by doubling while a
//    call's bracket has no upper end yet.
//  * At most kBawMaxIterations steps, so device code can never spin forever; if
//    the cap were hit the last iterate is used (realistic inputs take < 25).
//  * The result is floored at max(European, intrinsic), the no-arbitrage bounds
//    of an American option. BAW itself can fall below them by up to ~3e-7·(S+K)
//    when the residual is O(T)-small against the 1e-6·K tolerance (T of hours or
//    less), and stop at a boundary on the wrong side of S.
//
// Cases outside the method:
//  * T ≤ 0, S ≤ 0 or K ≤ 0: intrinsic value (exercising now is optimal: a call
//    struck at 0 is worth S, a put on a worthless spot K).
//  * σ√T < kBawMinStdDev (zero or vanishing vol): max(European, intrinsic), the
//    deterministic limit at the two ends of the exercise window.
//  * Call with r ≥ 0 and b ≥ r (q ≤ 0): early exercise is never optimal; the
//    value is the European value, as in QuantLib.
//  * Negative rates are not supported by BAW (its derivation needs r > 0, and
//    QuantLib cannot price them). Here, with q = r − b and McDonald–Schroder
//    put–call symmetry C(S, K; r, q) = P(K, S; q, r):
//    - call with r < 0 < q: the BAW put with spot K, strike S, rate q > 0 and
//      carry −b, which keeps the method in its valid range;
//    - put with r < 0 ≤ q: never exercised early (its symmetric call has rate
//      q ≥ 0 and yield r < 0), so the European value;
//    - r < 0 and q ≤ 0 (call) or q < 0 (put): both symmetric forms have a
//      negative rate; the value is max(European, intrinsic), a lower bound for
//      the American value (it ignores any early-exercise premium beyond
//      immediate exercise).
//    A put with r = 0 still goes through BAW, as in QuantLib, although its exact
//    American value then equals the European one when q ≥ 0; the BAW premium
//    left there is negligible in practice (S* collapses towards 0).
namespace xm {

inline constexpr int kBawMaxIterations = 200;
inline constexpr double kBawTolerance = 1e-6;
inline constexpr double kBawMinStdDev = 1e-12;

struct BawCriticalPrice {
  double price = 0.0;     // S*
  double exponent = 0.0;  // q₂ (call) or q₁ (put)
  int iterations = 0;     // Newton steps taken
  // e^{(b−r)T} N(d1) at S* for a call, e^{(b−r)T} N(−d1) for a put: the last
  // step computed it, and the premium's coefficient needs it again.
  double discounted_n1 = 0.0;
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
// r ≥ 0 and, for a call, b < r. `terms` are black_scholes_terms(T, r, b, σ):
// the European price at each iterate shares everything but the spot.
XM_HD inline BawCriticalPrice baw_critical_price(bool is_call, double strike, double years,
                                                 double rate, double carry,
                                                 const BlackScholesTerms& terms) {
  const double std_dev = terms.std_dev;
  const double variance = std_dev * std_dev;
  const double carry_discount = terms.carry_discount;  // e^{(b−r)T}
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

  // Newton–Raphson on f(S) = LHS(S) − RHS(S); `slope` is dRHS/dS. S* lies in
  // (K, ∞) for a call (f < 0 below it) and in (0, K) for a put (f > 0 below it);
  // [lo, hi] is that bracket, narrowed by the sign of f at each iterate. The
  // published iterates are kept as long as they stay in (0, ∞), where the method
  // is defined; a seed outside it is replaced by S∞ (> K for a call, in (0, K)
  // for a put), and a step outside it (or NaN) by bisection of [lo, hi], or by
  // doubling while a call's bracket has no upper end yet.
  double lo = is_call ? strike : 0.0;
  double hi = is_call ? HUGE_VAL : strike;
  if (!(s > 0.0 && s < HUGE_VAL)) s = s_inf;
  BawCriticalPrice result;
  result.exponent = q;
  for (;;) {
    const double d1 = black_scholes_d1(s, strike, years, carry, std_dev);
    const double n1 = norm_cdf(is_call ? d1 : -d1);
    const double european = black_scholes_from_d1(is_call, s, strike, terms, d1, n1);
    double lhs, rhs, slope;
    if (is_call) {
      const double nd1 = carry_discount * n1;
      lhs = s - strike;
      rhs = european + (1.0 - nd1) * s / q;
      slope = nd1 * (1.0 - 1.0 / q) + (1.0 - carry_discount * norm_pdf(d1) / std_dev) / q;
    } else {
      const double nd1 = carry_discount * n1;
      lhs = strike - s;
      rhs = european - (1.0 - nd1) * s / q;
      slope = -nd1 * (1.0 - 1.0 / q) - (1.0 + carry_discount * norm_pdf(d1) / std_dev) / q;
    }
    // A NaN residual fails the comparison and stops the loop too.
    result.discounted_n1 = carry_discount * n1;
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

XM_HD inline BawCriticalPrice baw_critical_price(bool is_call, double strike, double years,
                                                 double rate, double carry, double vol) {
  return baw_critical_price(is_call, strike, years, rate, carry,
                            black_scholes_terms(years, rate, carry, vol));
}

namespace baw_detail {

// max(value, intrinsic value), keeping a NaN value NaN.
XM_HD inline double at_least_intrinsic(bool is_call, double value, double spot, double strike) {
  const double exercised = intrinsic_value(is_call, spot, strike);
  return value < exercised ? exercised : value;
}

// BAW value where early exercise can be optimal: r ≥ 0, and b < r for a call.
XM_HD inline double baw_value(bool is_call, double spot, double strike, double years, double rate,
                              double carry, double vol) {
  const BlackScholesTerms terms = black_scholes_terms(years, rate, carry, vol);
  const double european = black_scholes_with_terms(is_call, spot, strike, years, carry, terms);
  if (!(terms.std_dev >= kBawMinStdDev)) {
    return at_least_intrinsic(is_call, european, spot, strike);
  }
  const BawCriticalPrice boundary = baw_critical_price(is_call, strike, years, rate, carry, terms);
  const double critical = boundary.price;
  const double q = boundary.exponent;

  double value;
  if (is_call ? spot >= critical : spot <= critical) {
    value = intrinsic_value(is_call, spot, strike);  // exercise region
  } else {
    const double a = is_call ? (critical / q) * (1.0 - boundary.discounted_n1)
                             : -(critical / q) * (1.0 - boundary.discounted_n1);
    value = european + a * ::pow(spot / critical, q);
  }
  // No-arbitrage floor (see the file comment); a NaN value stays NaN.
  if (value < european) value = european;
  return at_least_intrinsic(is_call, value, spot, strike);
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
  if (rate >= 0.0) {
    if (is_call && carry >= rate) {  // q ≤ 0: never exercised early
      return black_scholes_generalized(true, spot, strike, years, rate, carry, vol);
    }
    return baw_detail::baw_value(is_call, spot, strike, years, rate, carry, vol);
  }
  // r < 0: outside BAW (see the file comment).
  const double yield = rate - carry;  // q
  if (is_call && yield > 0.0) {
    // McDonald–Schroder symmetry: C(S, K; r, q) = P(K, S; q, r), a put at rate q > 0.
    return baw_detail::baw_value(false, strike, spot, years, yield, -carry, vol);
  }
  const double european = black_scholes_generalized(is_call, spot, strike, years, rate, carry, vol);
  if (!is_call && yield >= 0.0) return european;  // r < 0 ≤ q: never exercised early
  return baw_detail::at_least_intrinsic(is_call, european, spot, strike);
}

}  // namespace xm
