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
XM_HD inline double black_scholes_generalized(bool is_call, double spot, double strike,
                                              double years, double rate, double carry, double vol) {
  if (years <= 0.0) return intrinsic_value(is_call, spot, strike);

  const double discount = ::exp(-rate * years);                 // e^{−rT}
  const double carry_discount = ::exp((carry - rate) * years);  // e^{(b−r)T}
  const double std_dev = vol * ::sqrt(years);                   // σ√T
  if (std_dev <= 0.0) {
    const double forward = spot * ::exp(carry * years);
    return discount * intrinsic_value(is_call, forward, strike);
  }

  const double d1 = (::log(spot / strike) + carry * years) / std_dev + 0.5 * std_dev;
  const double d2 = d1 - std_dev;
  if (is_call) {
    return spot * carry_discount * norm_cdf(d1) - strike * discount * norm_cdf(d2);
  }
  return strike * discount * norm_cdf(-d2) - spot * carry_discount * norm_cdf(-d1);
}

}  // namespace xm
