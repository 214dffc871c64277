#pragma once
#include <cmath>

#include "xmargin/hd.hpp"
#include "xmargin/pricing/barone_adesi_whaley.hpp"
#include "xmargin/pricing/black76.hpp"
#include "xmargin/pricing/black_scholes.hpp"
#include "xmargin/pricing/contract.hpp"
#include "xmargin/pricing/intrinsic.hpp"

namespace xm {

// Value of one unit of an instrument (before its multiplier), SPEC §3 "Values".
// A future is worth its forward F = S·e^{(r−q)T}, undiscounted. An option on a
// future sees that same forward to its own expiry and carries b = 0. At T = 0 an
// option is worth its intrinsic value.
XM_HD inline double instrument_value(const ContractTerms& terms, const MarketState& market) {
  const double years = market.years_to_expiry;
  const bool on_future = terms.underlier == Underlier::future;
  // Only futures and options on futures need the forward: an exp saved on
  // every option on spot.
  const double forward =
      terms.payoff == Payoff::forward || on_future
          ? market.spot * exp((market.rate - market.dividend_yield) * (years > 0.0 ? years : 0.0))
          : 0.0;
  if (terms.payoff == Payoff::forward) return forward;

  const bool is_call = terms.payoff == Payoff::call;
  const double underlying = on_future ? forward : market.spot;
  if (years <= 0.0) return intrinsic_value(is_call, underlying, terms.strike);

  const double carry = on_future ? 0.0 : market.rate - market.dividend_yield;
  if (terms.exercise == Exercise::american) {
    return barone_adesi_whaley(is_call, underlying, terms.strike, years, market.rate, carry,
                               market.vol_annual);
  }
  if (on_future)
    return black76(is_call, forward, terms.strike, years, market.rate, market.vol_annual);
  return black_scholes_generalized(is_call, underlying, terms.strike, years, market.rate, carry,
                                   market.vol_annual);
}

}  // namespace xm
