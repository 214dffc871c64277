#pragma once
// The Monte Carlo scenario transform of SPEC §5.1, shared by the host generator
// (host/scenarios/monte_carlo.cpp) and a device generator: given one
// scenario's standard normals, its factor moves and then its scenario.
//
// Order of draws (README "Order of draws"). The normals are one stream: the
// Philox4x32-10 stream of include/xmargin/philox.hpp seeded with `seed`, read
// from the start, which is what cuRAND's host generator gives through
// curandGenerateNormalDouble. Scenario s takes the `normals_per_scenario(D, t)`
// normals from index s · that on: the first D are Z for factors 0 … D−1, then,
// for Student-t, one normal for its χ²; a last normal pads the block to an even
// length (the stream comes in Box–Muller pairs) and is not used.
// `philox_normal_slot` says where the stream's normal i comes from in Philox
// terms, so that a device thread can draw scenario s by itself.
#include <cstddef>

#include "xmargin/chi_square.hpp"
#include "xmargin/hd.hpp"
#include "xmargin/kernel/arithmetic.hpp"
#include "xmargin/philox.hpp"

namespace xm {

// Normals one scenario consumes from the stream: D factors, one more for the
// χ² of a Student-t, rounded up to even.
XM_HD inline std::size_t normals_per_scenario(std::size_t factors, bool student_t) {
  const std::size_t used = factors + (student_t ? 1 : 0);
  return used + (used % 2);
}

// Student-t scaling of one scenario, √((ν − 2)/χ²_ν), with χ²_ν from the
// scenario's own normal (include/xmargin/chi_square.hpp): it makes every factor
// of the scenario t-distributed with unit variance and, sharing one χ², tail
// dependent (SPEC §5.1).
XM_HD inline double student_t_scale(double nu, double chi_normal) {
  return ::sqrt((nu - 2.0) / chi_square_of_normal(nu, chi_normal));
}

// The factor moves of one scenario, X = scale · (√h L) Z: `root` is √h · L, the
// lower Cholesky factor of the daily covariance scaled to the horizon, row-major
// D × D; z the scenario's D normals; `scale` 1 (normal) or student_t_scale.
// Each row sums its products in column order, each product and sum rounded once
// (kernel/arithmetic.hpp), so host and device add the same numbers in the same
// order. Zeros above the diagonal are skipped, not multiplied.
XM_HD inline void monte_carlo_factor_moves(const double* root, std::size_t factors, const double* z,
                                           double scale, double* moves) {
  for (std::size_t i = 0; i < factors; ++i) {
    double sum = 0.0;
    for (std::size_t j = 0; j <= i; ++j) {
      sum = kernel::add_rounded(sum, kernel::multiply_rounded(root[i * factors + j], z[j]));
    }
    moves[i] = kernel::multiply_rounded(scale, sum);
  }
}

// The scenario of a price factor move: S′/S₀ = exp(X_price) (zero drift).
// A vol factor's move is the vol shift itself (σ′ = max(σ₀ + X_vol, 0.01)).
XM_HD inline double monte_carlo_price_factor(double price_move) {
  return ::exp(price_move);
}

}  // namespace xm
