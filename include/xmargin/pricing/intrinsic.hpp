#pragma once

#include "xmargin/hd.hpp"

namespace xm {

// Value of exercising now: max(S − K, 0) for a call, max(K − S, 0) for a put.
XM_HD inline double intrinsic_value(bool is_call, double underlying, double strike) {
  const double payoff = is_call ? underlying - strike : strike - underlying;
  return payoff > 0.0 ? payoff : 0.0;
}

}  // namespace xm
