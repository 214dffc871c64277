#pragma once
// The bodies of the kernels that draw Monte Carlo scenarios on the device
// (kernels/monte_carlo.cu), shared with their host emulation. The normals come
// from the device's Philox generator there and from the host's Philox stream
// (host/scenarios/philox_normals.hpp) in the emulation; from the normals on,
// both run these functions, which compute exactly what the host generator does
// (host/scenarios/monte_carlo.cpp, through include/xmargin/monte_carlo.hpp).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xmargin/hd.hpp"
#include "xmargin/kernel/arithmetic.hpp"
#include "xmargin/monte_carlo.hpp"
#include "xmargin/scenario_bounds.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm::kernel {

// Student-t scale of each draw, from the normal after its D factor normals.
struct McScaleLaunch {
  const double* normals;  // [count × B]
  std::size_t count;
  std::size_t factors;               // D
  std::size_t normals_per_scenario;  // B
  double nu;
  double* scale;  // [count]
};
static_assert(std::is_trivially_copyable_v<McScaleLaunch>, "kernel parameters are copied bytewise");

XM_HD inline void mc_scale_item(const McScaleLaunch& launch, std::size_t draw) {
  launch.scale[draw] = student_t_scale(
      launch.nu, launch.normals[draw * launch.normals_per_scenario + launch.factors]);
}

// Factor f of draw s: row f of (√h L) Z, scaled, written as the price factor
// or vol shift of the factor's underlying in scenario first + s. Items are
// factor-major, so neighbouring threads write neighbouring scenarios.
struct McMovesLaunch {
  const double* root;  // √h · L, [D × D]
  std::size_t factors;
  std::size_t normals_per_scenario;
  const double* normals;                  // [count × B]
  const double* scale;                    // [count], or null for normal draws
  const std::int32_t* factor_underlying;  // [D], −1: moves no underlying of the set
  const std::int32_t* factor_target;      // [D], as MonteCarloDraws::factor_target
  std::size_t first;                      // the draws' first scenario in the set
  std::size_t count;
  std::size_t scenario_count;         // N of the set: the row length of the shocks
  double* price_factor;               // [U × N]
  double* vol_shift;                  // [U × N]
  const std::int32_t* tenor_offsets;  // [U + 1], or null without tenors
  double* tenor_shift;                // [K × N]
  // The lowest draw with a move outside the bounds of every scenario
  // (xmargin/scenario_bounds.hpp), kept with keep_smallest; the host then
  // draws the set itself to say which move it was (MonteCarloOutOfBounds).
  unsigned long long* first_out_of_bounds;

  XM_HD std::size_t items() const { return factors * count; }
};
static_assert(std::is_trivially_copyable_v<McMovesLaunch>, "kernel parameters are copied bytewise");

// The sum runs over the row in column order with each product and sum rounded
// once, as monte_carlo_factor_moves, so host and device add the same numbers in
// the same order.
XM_HD inline void mc_moves_item(const McMovesLaunch& launch, std::size_t item) {
  const std::size_t factor = item / launch.count;
  const std::size_t draw = item - factor * launch.count;
  const std::int32_t underlying = launch.factor_underlying[factor];
  if (underlying < 0) return;
  const double* z = launch.normals + draw * launch.normals_per_scenario;
  const double* row = launch.root + factor * launch.factors;
  double sum = 0.0;
  for (std::size_t j = 0; j <= factor; ++j) sum = add_rounded(sum, multiply_rounded(row[j], z[j]));
  const double move = multiply_rounded(launch.scale != nullptr ? launch.scale[draw] : 1.0, sum);
  const std::int32_t target = launch.factor_target[factor];
  const std::size_t column = launch.first + draw;
  const auto moved = static_cast<std::size_t>(underlying);
  bool in_bounds = true;
  if (target == MonteCarloDraws::kMovesPrice) {
    const double price_factor = monte_carlo_price_factor(move);
    in_bounds = price_factor_in_bounds(price_factor);
    launch.price_factor[moved * launch.scenario_count + column] = price_factor;
  } else if (target == MonteCarloDraws::kMovesVol) {
    in_bounds = vol_shift_in_bounds(move);
    launch.vol_shift[moved * launch.scenario_count + column] = move;
  } else {
    in_bounds = vol_shift_in_bounds(move);
    const auto tenor = static_cast<std::size_t>(launch.tenor_offsets[moved] + target);
    launch.tenor_shift[tenor * launch.scenario_count + column] = move;
  }
  if (!in_bounds) keep_smallest(launch.first_out_of_bounds, draw);
}

}  // namespace xm::kernel
