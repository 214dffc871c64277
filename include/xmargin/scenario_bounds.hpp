#pragma once
// The bounds every scenario keeps, whatever made it: a replayed file, a
// generator on the host, or Monte Carlo draws on the device. A scenario file
// that `xmargin scenarios` writes therefore always replays, and no scenario can
// carry a price or vol far enough to overflow a P&L (host/io/bounds.hpp).
#include "xmargin/hd.hpp"

namespace xm {

inline constexpr double kMinPriceFactor = 1e-6;  // S′/S₀
inline constexpr double kMaxPriceFactor = 1e6;
inline constexpr double kMaxVolShift = 10.0;  // |σ′ − σ₀|, vol points / 100

// False for NaN, as for anything outside the bounds.
XM_HD inline bool price_factor_in_bounds(double factor) {
  return factor >= kMinPriceFactor && factor <= kMaxPriceFactor;
}
XM_HD inline bool vol_shift_in_bounds(double shift) {
  return shift >= -kMaxVolShift && shift <= kMaxVolShift;
}

}  // namespace xm
