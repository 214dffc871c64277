#pragma once
// Implied volatility surfaces (SPEC §6) in the flat form the kernels read, and
// the one interpolation both backends (and the base values) use.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "xmargin/hd.hpp"

namespace xm {

// How an instrument finds its vol in a scenario (SPEC §6).
enum class VolRule : std::uint8_t {
  flat = 0,              // its own vol, or its underlying's flat vol (futures too)
  sticky_strike = 1,     // its underlying's surface at m = K/F₀: σ₀ in every scenario
  sticky_moneyness = 2,  // its underlying's surface at m′ = K/F′ of each scenario
};

// Where one underlying's surface lies in the flat node arrays of
// VolSurfacesView. Every surface owns its own node ranges, so a kernel reads an
// underlying's shape once and then indexes plain arrays: no pointer chasing.
struct SurfaceShape {
  std::int32_t expiry_begin = 0;  // into expiry_years
  std::int32_t expiry_count = 0;  // 0: the underlying has no surface
  std::int32_t node_begin = 0;    // into moneyness
  std::int32_t node_count = 0;
  std::int32_t vol_begin = 0;  // into vols: [expiry_count × node_count], expiry-major
};

// Surfaces of all underlyings, indexed by underlying (host or device memory).
struct VolSurfacesView {
  const SurfaceShape* shape;   // [U]
  const double* expiry_years;  // node times Tᵢ = (expiry − valuation date) / 365, ascending
  const double* moneyness;     // nodes K/F, ascending
  const double* vols;
};

// The piecewise-linear function through (nodes[k], values[k · stride]),
// k < count (count ≥ 1, nodes strictly ascending), flat beyond both ends.
// Written as (1 − t)·a + t·b so that a node returns its value exactly (t is
// exactly 0 or 1 there); a NaN x gives NaN, so a broken scenario is not hidden.
XM_HD inline double interpolate_flat_ends(const double* nodes, const double* values,
                                          std::size_t stride, std::int32_t count, double x) {
  if (x <= nodes[0]) return values[0];
  const std::int32_t last = count - 1;
  if (x >= nodes[last]) return values[static_cast<std::size_t>(last) * stride];
  std::int32_t k = 1;
  while (nodes[k] < x) ++k;
  const double t = (x - nodes[k - 1]) / (nodes[k] - nodes[k - 1]);
  const double below = values[static_cast<std::size_t>(k - 1) * stride];
  const double above = values[static_cast<std::size_t>(k) * stride];
  return (1.0 - t) * below + t * above;
}

// The vol at `moneyness` on one expiry row of a surface: linear in vol between
// the moneyness nodes, flat beyond the ends.
XM_HD inline double smile_vol(const VolSurfacesView& surfaces, const SurfaceShape& shape,
                              std::int32_t expiry, double moneyness) {
  const double* row = surfaces.vols + shape.vol_begin +
                      static_cast<std::size_t>(expiry) * static_cast<std::size_t>(shape.node_count);
  return interpolate_flat_ends(surfaces.moneyness + shape.node_begin, row, 1, shape.node_count,
                               moneyness);
}

// σ(m, T) of underlying u's surface, SPEC §6: along each expiry linear in vol
// between moneyness nodes, flat beyond the ends; across expiries linear in total
// variance w = σ²T between the two neighbouring node times, σ = √(w/T); before
// the first expiry the first expiry's vol, beyond the last the last's. At a node
// (m and T both node values) it returns the node's vol exactly.
XM_HD inline double surface_vol(const VolSurfacesView& surfaces, std::size_t u, double moneyness,
                                double years) {
  const SurfaceShape shape = surfaces.shape[u];
  const double* times = surfaces.expiry_years + shape.expiry_begin;
  const std::int32_t last = shape.expiry_count - 1;
  if (years <= times[0]) return smile_vol(surfaces, shape, 0, moneyness);
  if (years >= times[last]) return smile_vol(surfaces, shape, last, moneyness);
  std::int32_t e = 1;
  while (times[e] < years) ++e;
  if (times[e] == years) return smile_vol(surfaces, shape, e, moneyness);
  const double near_vol = smile_vol(surfaces, shape, e - 1, moneyness);
  const double far_vol = smile_vol(surfaces, shape, e, moneyness);
  const double near_variance = near_vol * near_vol * times[e - 1];
  const double far_variance = far_vol * far_vol * times[e];
  const double t = (years - times[e - 1]) / (times[e] - times[e - 1]);
  const double variance = (1.0 - t) * near_variance + t * far_variance;
  return ::sqrt(variance / years);
}

}  // namespace xm
