#pragma once

#include "xmargin/hd.hpp"
#include "xmargin/pricing/black_scholes.hpp"

namespace xm {

// Black-76: a European option on a forward (or future) F, discounted at r:
//
//   call = e^{−rT} [F N(d1) − K N(d2)],  put = e^{−rT} [K N(−d2) − F N(−d1)]
//   d1 = (ln(F/K) + σ²T/2) / (σ√T),  d2 = d1 − σ√T
//
// This is the generalised Black–Scholes formula with cost of carry b = 0 on the
// forward, and shares its handling of degenerate inputs (T ≤ 0: intrinsic value;
// σ√T == 0: discounted intrinsic value e^{−rT} max(±(F − K), 0)).
XM_HD inline double black76(bool is_call, double forward, double strike, double years, double rate,
                            double vol) {
  return black_scholes_generalized(is_call, forward, strike, years, rate, 0.0, vol);
}

}  // namespace xm
