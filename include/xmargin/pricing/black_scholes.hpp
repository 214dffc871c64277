#pragma once
#include <cmath>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/intrinsic.hpp"
#include "xmargin/pricing/normal.hpp"

namespace xm {

// Generalised Black–Scholes(–Merton) value of a European option with cost of
// carry b (Haug, "The Complete Guide to Option Pricing Formulas", §1.1.6):
//
//   call = S e^{(b−r)T} N(d1) − K e^{−rT} N(d2)
//   put  = K e^{−rT} N(−d2) − S e^{(b−r)T} N(−d1)
//   d1 = (ln(S/K) + (b + σ²/2) T) / (σ√T),  d2 = d1 − σ√T
//
// b = r − q for an option on a spot paying a continuous yield q, b = 0 for an
// option on a forward (Black-76). `years` is T, `rate` r and `vol` σ, all
// annualised and continuously compounded.
//
// Degenerate inputs: with T ≤ 0 the value is the intrinsic value max(±(S − K), 0);
// with σ√T == 0 (zero vol, or a product that underflows) it is the discounted
// intrinsic value of the forward, e^{−rT} max(±(S e^{bT} − K), 0). NaN inputs
// propagate to a NaN value.
//
// The value is split in parts so that the Barone-Adesi–Whaley iteration, which
// prices one contract at many spots, computes the spot-independent factors and
// N(±d1) once per step instead of again inside each European price. The parts
// evaluate the very same expressions, so the value is the same double either way.

// The factors of the value that do not depend on the spot.
struct BlackScholesTerms {
  double discount;        // e^{−rT}
  double carry_discount;  // e^{(b−r)T}
  double std_dev;         // σ√T
};

XM_HD inline BlackScholesTerms black_scholes_terms(double years, double rate, double carry,
                                                   double vol) {
  BlackScholesTerms terms;
  terms.discount = ::exp(-rate * years);
  terms.carry_discount = ::exp((carry - rate) * years);
  terms.std_dev = vol * ::sqrt(years);
  return terms;
}

XM_HD inline double black_scholes_d1(double spot, double strike, double years, double carry,
                                     double std_dev) {
  return (::log(spot / strike) + carry * years) / std_dev + 0.5 * std_dev;
}

// The value for T > 0 and σ√T > 0, given d1 and n1 = N(d1) for a call, N(−d1)
// for a put.
XM_HD inline double black_scholes_from_d1(bool is_call, double spot, double strike,
                                          const BlackScholesTerms& terms, double d1, double n1) {
  const double d2 = d1 - terms.std_dev;
  if (is_call) return spot * terms.carry_discount * n1 - strike * terms.discount * norm_cdf(d2);
  return strike * terms.discount * norm_cdf(-d2) - spot * terms.carry_discount * n1;
}

// The value for T > 0 from its spot-independent terms.
XM_HD inline double black_scholes_with_terms(bool is_call, double spot, double strike, double years,
                                             double carry, const BlackScholesTerms& terms) {
  if (terms.std_dev <= 0.0) {
    const double forward = spot * ::exp(carry * years);
    return terms.discount * intrinsic_value(is_call, forward, strike);
  }
  const double d1 = black_scholes_d1(spot, strike, years, carry, terms.std_dev);
  return black_scholes_from_d1(is_call, spot, strike, terms, d1, norm_cdf(is_call ? d1 : -d1));
}

XM_HD inline double black_scholes_generalized(bool is_call, double spot, double strike,
                                              double years, double rate, double carry, double vol) {
  if (years <= 0.0) return intrinsic_value(is_call, spot, strike);
  return black_scholes_with_terms(is_call, spot, strike, years, carry,
                                  black_scholes_terms(years, rate, carry, vol));
}

}  // namespace xm
