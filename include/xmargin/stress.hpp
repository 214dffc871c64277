#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "xmargin/book.hpp"
#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// The stress kinds of SPEC §5.3, in the order of their scenarios and charges.
enum class StressKind : int { span = 0, grid = 1, named = 2 };
inline constexpr std::size_t kStressKinds = 3;
inline const char* stress_kind_name(StressKind kind) {
  return kind == StressKind::span ? "span" : kind == StressKind::grid ? "grid" : "named";
}

// Every configured stress scenario in one set, kind by kind: kind k's
// scenarios are [kind_offsets[k], kind_offsets[k + 1]). They are revalued like
// any scenario; what differs is the reduction (include/xmargin/kernel/
// stress_rows.hpp): span and grid sum each underlying's largest loss, named
// takes the portfolio's largest loss, each loss counted at its `covered` share.
// Weights are unused (0).
struct StressSet {
  ScenarioSet scenarios;
  // [U * N], underlying-major: the share of underlying u's loss in scenario s
  // that counts (1 except span extremes and extended grid moves).
  std::vector<double> covered;
  std::array<std::size_t, kStressKinds + 1> kind_offsets{};
  std::array<bool, kStressKinds> configured{};

  std::size_t count() const { return scenarios.count(); }
};

// SPEC §5.3's scenarios for the underlyings `underlying_ids` (the book's, in
// order). `history` is needed only by named scenarios with history_dates (a
// date it lacks is an InputError at that date in config.json).
StressSet generate_stress(const StressConfig& stress,
                          const std::vector<std::string>& underlying_ids, const History* history);

// InputError at the config key of a per-underlying entry or named shock whose
// underlying the market does not have.
void check_stress_underlyings(const StressConfig& stress, const Market& market);

// The 16 SPAN price moves as fractions of the price scan, and whether vol goes
// up (+1), down (−1) or stays (0); the last two are the extremes.
struct SpanMove {
  double scan_fraction;  // of price_scan; the extremes: ±1, times `extreme`
  int vol;
  bool extreme;
};
const std::array<SpanMove, 16>& span_moves();

}  // namespace xm
