#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "xmargin/tail_measure.hpp"

namespace xm {

// How many of a portfolio's worst losses the tail measure can need: the first k
// ranks whose cumulative weight reaches 1 − α (SPEC §3) are never more than
// ⌈reach / w_min⌉, w_min the smallest scenario weight. Two more ranks cover the
// rounding of the cumulative sum (its relative error, under k·2⁻⁵³, stays below
// two weights for any w_min above about 1e-7 · (1 − α)). With equal weights
// this is ⌈N(1 − α)⌉ + 2, 127 of 12,500 at 99%.
inline std::size_t tail_ranks_needed(const std::vector<double>& weight, double confidence) {
  const std::size_t count = weight.size();
  if (count == 0) return 0;
  const double smallest = *std::min_element(weight.begin(), weight.end());
  const double reach = (1.0 - confidence) * (1.0 - kTailWeightTolerance);
  if (!(smallest > 0.0)) return count;
  const double ranks = std::ceil(reach / smallest) + 2.0;
  if (!(ranks < static_cast<double>(count))) return count;
  return std::max<std::size_t>(static_cast<std::size_t>(ranks), 1);
}

}  // namespace xm
