#pragma once
// The daily factor model behind the Monte Carlo scenarios (SPEC §5.1): the
// factors' recent daily moves, their covariance, and its lower Cholesky factor.
#include <cstddef>
#include <string>
#include <vector>

#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"

namespace xm {

// The daily moves of every factor over the covariance window, factor-major:
// moves[f * window + k], k = 0 the oldest of the window's returns, window − 1
// the newest. Price factors first, one per underlying of the history in its
// order (r_t = ln(P[t]/P[t−1])), then, with vol_factors, one per underlying
// that has a `.vol` column and no tenor columns, in the same order
// (V[t] − V[t−1]), then one per tenor column `<id>.vol@<days>d`, by underlying
// and then by days (SPEC §6: tenor columns replace the `.vol` column).
struct FactorMoves {
  std::vector<std::string> names;  // "AA", then "AA.vol"
  std::size_t price_factors = 0;   // factors [0, price_factors) are prices
  // vol_factor[u]: the factor of underlying u's vol, or npos when it has none.
  std::vector<std::size_t> vol_factor;
  // tenor_factor[u][k]: the factor of underlying u's tenor k.
  std::vector<std::vector<std::size_t>> tenor_factor;
  std::size_t window = 0;
  std::vector<double> moves;

  std::size_t count() const { return names.size(); }
};

// The number of factors factor_moves gives for `history`, counted without
// reading the moves.
std::size_t monte_carlo_factor_count(const History& history, bool vol_factors);

// InputError at the source's config key when the history gives more factors
// than kMaxMonteCarloFactors: checked as the inputs load, before any work.
void check_monte_carlo_size(const History& history, const MonteCarloSource& source);

// Throws InputError naming the history file when it has fewer than
// window_days + 1 rows.
FactorMoves factor_moves(const History& history, int window_days, bool vol_factors);

// EWMA weights of the window's moves, newest first: (1 − λ) λ^k / (1 − λ^W),
// k = 0 … W − 1; they sum to one.
std::vector<double> ewma_weights(double lambda, std::size_t window);

// The daily covariance Σ, row-major D × D: the sample covariance (mean removed,
// divisor W − 1) without λ, the zero-mean EWMA Σ_k w_k x_{n−1−k} x_{n−1−k}ᵀ with it.
std::vector<double> sample_covariance(const FactorMoves& factors);
std::vector<double> ewma_covariance(const FactorMoves& factors, double lambda);

// Tolerance on positive semi-definiteness (SPEC §5.1), on the correlation
// scale: a pivot within it of zero is zero. A sample or EWMA covariance is
// positive semi-definite by construction, and of rank below D when the window
// is shorter than the factors; its zero pivots then come out as rounding
// noise, which grows with D and with the inverse of the smallest pivot taken
// before (every later entry divides by its root). The tolerance for pivot j
// is therefore the larger of kPsdTolerance and
// kPsdRoundingFactor · D · ε / (the smallest pivot kept before j).
inline constexpr double kPsdTolerance = 1e-12;
inline constexpr double kPsdRoundingFactor = 16.0;

// Lower Cholesky factor L of Σ (row-major, zeros above the diagonal), L Lᵀ = Σ.
// A factor of zero variance, or one that earlier factors already span (a pivot
// within the tolerance of zero), gets a zero column: it moves only with the
// factors before it. A Σ that is not positive semi-definite within the
// tolerance is an InputError at `spot` (the source's config key) ending in
// `cause`, the settings that made Σ. `names` are the factors'
// (FactorMoves::names), for the message.
std::vector<double> cholesky_lower(const std::vector<double>& covariance,
                                   const std::vector<std::string>& names, const ConfigSpot& spot,
                                   const std::string& cause);

// Everything a Monte Carlo generator needs besides the normals, on the host
// generator's side and a device generator's alike: the factors (names, which
// are vols) and root = √h · L, row-major D × D, for monte_carlo_factor_moves
// (include/xmargin/monte_carlo.hpp).
struct MonteCarloModel {
  FactorMoves factors;
  std::vector<double> root;
  std::size_t normals_per_scenario = 0;  // the block of the order of draws
};

MonteCarloModel monte_carlo_model(const History& history, const MonteCarloSource& source);

}  // namespace xm
