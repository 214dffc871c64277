// Implied vol surfaces (SPEC §6) for a generated book, derived from its closing-price history
// with Heston's stochastic-volatility model as the template. The data hold prices only, so each
// parameter is a statistic of realised variance:
//
//  - Monthly realised variance: the history's daily log returns in blocks of 21 ending on the
//    last row, v_m = (252/21) sum r^2 (annualised). Its sampling noise is estimated per month as
//    (2/3) (252/21)^2 sum r^4 (Var r^2 = 2 sigma^4 = (2/3) E r^4 for normal returns).
//  - Long-run variance theta (per stock): the mean of its v_m over the whole history.
//  - Mean reversion kappa (pooled): from the market's v_m (market = equal-weighted mean daily log
//    return of all series): the lag-1 autocorrelation with the noise taken out of the variance,
//    phi = cov(v_m, v_m+1) / (var(v_m) - mean noise), clamped to [0.05, 0.95];
//    kappa = -ln(phi) * 12 per year.
//  - Correlation rho (pooled, the leverage effect): of the market's monthly return with the
//    change of its v_m in the same month, clamped to [-0.9, -0.1] (an equity skew slopes down).
//  - Vol of variance xi (per stock): xi^2 = (mean (v_m - v_m-1)^2 - 2 mean noise) / (theta / 12),
//    at least 0.01.
//  - Today's variance v0 = the stock's market vol squared (the EWMA proxy of real_history.hpp).
//
// The surface at expiry T (node times 30, 61, 91, 182, 273 and 365 calendar days) and log
// moneyness k = ln(K/F) (nodes 0.70 ... 1.30):
//   ATM:  sigma_atm(T)^2 = theta + (v0 - theta) (1 - e^{-kappa T}) / (kappa T)   (Heston's
//         expected average variance: the term structure falls towards theta when today is
//         above it, as at the end of 2000, and rises when below);
//   skew: s(T) = rho xi / (2 sigma_atm(T)) * f(kappa' T), f(x) = (1 - (1 - e^{-x}) / x) / x,
//         kappa' = kappa - rho xi / 2 (Gatheral, The Volatility Surface, eq. 3.19: the ATM skew
//         of Heston, rho xi / (4 sigma) for short expiries, decaying like 1/T for long ones);
//   sigma(k, T) = max(sigma_atm(T) + s(T) k, sigma_atm(T) / 2), rounded to 1e-4.
// Then, node by node in expiry order, a vol is raised by 1e-4 steps until its total variance
// vol^2 * days is no less than the previous expiry's (integer arithmetic: no calendar
// arbitrage, whatever the rounding). Realised statistics know no risk premia, so these skews
// are milder than traded ones; they are what the history supports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace make_book {

// The nodes every generated surface uses.
inline constexpr int kSurfaceDays[] = {30, 61, 91, 182, 273, 365};
inline constexpr int kSurfaceMoneynessPct[] = {70, 80, 85, 90, 95, 100, 105, 110, 115, 120, 130};

struct Surface {
  std::vector<std::int64_t> expiries;  // days since 1970-01-01
  std::vector<std::int64_t> vol_bp;    // [expiry][node], 1e-4
};

// What the whole history says (pooled over its series).
struct SurfaceModel {
  double kappa = 0.0;  // per year
  double rho = 0.0;
};

// prices[series][row], rows oldest first; at least 63 rows (three months of returns).
SurfaceModel fit_surface_model(const std::vector<std::vector<double>>& prices);

// One stock's surface: its prices, today's vol (1e-4) and the valuation date.
Surface make_surface(const SurfaceModel& model, const std::vector<double>& prices,
                     std::int64_t vol_bp, std::int64_t valuation_date);

// The "vol_surface" object of market.json, its lines indented by `indent` spaces.
std::string surface_json(const Surface& surface, std::size_t indent);

}  // namespace make_book
