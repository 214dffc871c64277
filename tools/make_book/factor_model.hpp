// Synthetic histories for hundreds of underlyings, from a one-factor model fitted to a real
// closing-price history (the 30 Dow Jones stocks, 1991-2001, by default).
//
// Fit: r[i][d] is stock i's daily log return on day d. The market factor is the equal-weighted
// mean return m[d] = mean_i r[i][d], demeaned: f[d] = m[d] - mean(m). Each stock gets a beta by
// least squares with an intercept, beta[i] = cov(r[i], f) / var(f), and a residual
// e[i][d] = (r[i][d] - mean(r[i])) - beta[i] f[d], which has mean zero.
//
// Simulation of underlying j (its own random stream): a template stock k drawn from the real
// ones, beta_j = beta[k] * u and residual scale c_j, u and c_j uniform in [0.75, 1.25] (step
// 0.001), and an anchor price P*_j log-uniform in [$10, $250]. The market days are a block
// bootstrap of the real days, shared by all underlyings (runs of 20 consecutive real days from
// uniform starting days), which keeps the real cross-section's co-movement, fat tails and
// volatility clustering within a month; each underlying's residual days are an independent
// block bootstrap of its template's residuals. The daily log return is
//   x[t] = beta_j f[D(t)] + c_j e[k][D_j(t)] - kappa (ln P[t-1] - ln P*_j),
// with P[0] = P*_j: no drift, and a weak pull (kappa = 0.00275, a half-life of one year of
// trading days) that keeps fifty years of prices within a plausible range of the anchor.
// Prices are exp(ln P) rounded to 1e-4; the vol column is the EWMA proxy of real_history.hpp
// applied to x. Arithmetic is + - * / and sqrt plus portable_log/portable_exp, so the bytes
// are the same on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "real_history.hpp"

namespace make_book {

struct FactorModel {
  std::vector<std::string> ids;               // the real series
  std::vector<double> factor;                 // [day], demeaned market log return
  std::vector<double> beta;                   // [series]
  std::vector<std::vector<double>> residual;  // [series][day]
  double factor_vol = 0.0;                    // daily standard deviation of the factor
  std::vector<double> idio_vol;               // [series], daily standard deviation of e

  std::size_t days() const { return factor.size(); }
};

FactorModel fit_factor_model(const History& h);

struct SyntheticHistory {
  std::vector<std::string> ids;                        // U001, U002, ...
  std::vector<std::int64_t> dates;                     // weekdays, days since 1970-01-01
  std::vector<std::vector<std::int64_t>> price_units;  // [underlying][row], 1e-4 of a unit
  std::vector<std::vector<std::int64_t>> vol_bp;       // [underlying][row], 1e-4
  std::vector<std::size_t> templates;                  // [underlying], index into the model
  std::vector<double> betas;                           // [underlying]
};

inline constexpr int kPriceDecimals = 4;
inline constexpr int kVolDecimals = 4;

// `rows` weekdays ending at `last_date`.
SyntheticHistory simulate_history(const FactorModel& model, std::size_t underlyings,
                                  std::size_t rows, std::int64_t last_date, std::uint64_t seed);

// date, the prices, then a `<id>.vol` column per underlying; fixed decimals keep the 500 x
// 12,562 cells of the largest workload near 100 MB.
std::string history_csv(const SyntheticHistory& h);

}  // namespace make_book
