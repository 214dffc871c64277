#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xm {

// Scenarios [first, first + count) of a set are Monte Carlo draws (SPEC §5.1),
// described so that a device can draw them itself from the same Philox stream
// (kernels/monte_carlo.cu, with the transform of include/xmargin/monte_carlo.hpp):
// scenario first + s takes normals [s·B, s·B + B) of the stream from `seed`.
struct MonteCarloDraws {
  static constexpr std::int32_t kMovesPrice = -1;
  static constexpr std::int32_t kMovesVol = -2;

  std::size_t first = 0;
  std::size_t count = 0;
  std::uint64_t seed = 0;
  bool student_t = false;
  double nu = 0.0;
  std::size_t factors = 0;               // D
  std::size_t normals_per_scenario = 0;  // B
  std::vector<double> root;              // √h · L, row-major D × D
  // Per factor: the underlying (index into the set's underlyings) it moves,
  // what it moves (kMovesPrice, kMovesVol, or k ≥ 0: the underlying's tenor k
  // in tenor_shift).
  std::vector<std::int32_t> factor_underlying;  // [D]
  std::vector<std::int32_t> factor_target;      // [D]
  // Whether price_factor and vol_shift hold the draws. A set for the cuda
  // backend leaves them at 1 and 0: the device draws them, with no host round
  // trip. Everything else (the cpu backend, scenario files) needs them drawn.
  bool drawn_on_host = true;
};

// A set of N joint market scenarios over U underlyings (SPEC §3).
//
// Shocks are stored underlying-major ([u * N + s]) so that consecutive scenarios
// of one underlying are contiguous: the revaluation kernel gives neighbouring
// threads neighbouring scenarios. A scenario moves the spot multiplicatively
// (S' = S0 · price_factor) and the implied vol additively
// (σ' = max(σ0 + vol_shift, 0.01)) where the underlying has vol history; an
// underlying without vol history keeps σ0 (vol_moves = 0).
//
// Tenor vol shifts (SPEC §6, history columns <id>.vol@<days>d): underlying u's
// tenors are k in [tenor_offsets[u], tenor_offsets[u + 1]), tenor_days[k]
// calendar days, strictly ascending, with the shift of scenario s at
// tenor_shift[k * N + s]. An option's vol change is those shifts interpolated
// linearly at its days to expiry, flat beyond the first and last tenor. Tenors
// replace the parallel shift: an underlying with tenors has vol_moves 0 and a
// zero vol_shift row. tenor_offsets is empty when no underlying has tenors
// (sources that know nothing of tenors need not fill it), else of size U + 1.
struct ScenarioSet {
  std::vector<std::string> underlying_ids;  // [U]
  std::vector<std::uint8_t> vol_moves;      // [U]
  std::vector<double> price_factor;         // [U * N]
  std::vector<double> vol_shift;            // [U * N]
  std::vector<std::int32_t> tenor_offsets;  // [U + 1] or empty
  std::vector<double> tenor_days;           // [K]
  std::vector<double> tenor_shift;          // [K * N]
  // Stress grids (SPEC §5.3): where vol_term_power[u * N + s] is not 0, the
  // parallel shift scales with the instrument's days to expiry d as
  // shift · (30 / max(d, vol_term_min_days[u * N + s]))^power. Both empty
  // (the usual case) or both [U * N].
  std::vector<double> vol_term_power;
  std::vector<double> vol_term_min_days;
  std::vector<double> horizon_days;  // [N] business days of time decay
  std::vector<double> weight;        // [N], sums to 1
  std::vector<std::string> source;   // [N] e.g. "historical"
  std::vector<std::string> label;    // [N] e.g. "1997-10-24/1997-10-28"

  std::optional<MonteCarloDraws> monte_carlo;  // which scenarios are Monte Carlo draws

  std::size_t count() const { return weight.size(); }
  std::size_t underlying_count() const { return underlying_ids.size(); }
  std::size_t tenor_count(std::size_t u) const {
    return tenor_offsets.empty()
               ? 0
               : static_cast<std::size_t>(tenor_offsets[u + 1] - tenor_offsets[u]);
  }
};

// Vol floor applied to every shocked vol (SPEC §3).
inline constexpr double kMinScenarioVol = 0.01;
// Business days per year for time decay (SPEC §3).
inline constexpr double kBusinessDaysPerYear = 252.0;
// Calendar days per year for time to expiry (SPEC §3).
inline constexpr double kCalendarDaysPerYear = 365.0;

}  // namespace xm
