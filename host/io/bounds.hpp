#pragma once
#include <limits>
#include <string>

#include "xmargin/scenario_bounds.hpp"

namespace xm {

// Plausibility bounds on inputs (docs/formats.md "Bounds"). They are far
// outside any real market, and tight enough that no accepted input can
// overflow a double in a P&L: a level at most 1e12 moved by a history ratio at
// most 1e20 (levels in [1e-8, 1e12]) or a replayed factor at most 1e6, carried
// by |r − q| ≤ 2 over at most 100 years (e^200 ≈ 1e87), times an exposure of
// at most 1e15, stays below 1e140.
struct Bound {
  double low, high;  // inclusive
  const char* text;  // "between … and …", for the message
  bool holds(double value) const { return value >= low && value <= high; }
  std::string message(const std::string& what) const { return what + " must be " + text; }
};

inline constexpr double kSmallestPositive = std::numeric_limits<double>::denorm_min();

inline constexpr Bound kLevelBound{1e-8, 1e12, "between 1e-8 and 1e12"};  // prices, strikes
inline constexpr Bound kRateBound{-1.0, 1.0, "between -1 and 1"};         // rates, yields
inline constexpr Bound kVolBound{kSmallestPositive, 10.0, "> 0 and at most 10"};
inline constexpr Bound kHistoryVolBound{0.0, 10.0, "between 0 and 10"};
inline constexpr Bound kMultiplierBound{kSmallestPositive, 1e9, "> 0 and at most 1e9"};
inline constexpr Bound kExposureBound{0.0, 1e15, "at most 1e15"};  // |quantity × multiplier|
// A group sums its accounts' collateral: bounded so the sum stays finite.
inline constexpr Bound kCollateralBound{0.0, 1e15, "between 0 and 1e15"};
inline constexpr Bound kDailyRatioBound{1e-3, 1e3, "between 1e-3 and 1e3"};  // history, row on row
// Replayed and generated scenarios alike (include/xmargin/scenario_bounds.hpp).
inline constexpr Bound kPriceFactorBound{kMinPriceFactor, kMaxPriceFactor, "between 1e-6 and 1e6"};
inline constexpr Bound kVolShiftBound{-kMaxVolShift, kMaxVolShift, "between -10 and 10"};
// A replayed horizon: a generated one is an mpor_days, at most 1000 (config_reader.hpp).
inline constexpr Bound kHorizonDaysBound{0.0, 1000.0, "between 0 and 1000"};
inline constexpr int kMaxDaysToExpiry = 36'525;  // 100 years
// Largest vol tenor of history and scenario file columns, in calendar days (a
// hundred years): beyond any listed option.
inline constexpr int kMaxTenorDays = 36'500;

}  // namespace xm
