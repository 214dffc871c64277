#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

#include "xmargin/chunk_plan.hpp"

namespace xm {

// What a cpu run allocates besides its outputs: the unit P&L tile [I × C], each
// row's ranked list of `ranks` (loss, scenario), and each thread's P&L row and
// merge buffer (its ranked list plus one tile of candidates).
inline ChunkCosts cpu_chunk_costs(std::size_t instruments, std::size_t ranks, int threads) {
  using Ranked = std::pair<double, std::int32_t>;
  const auto t = static_cast<std::size_t>(threads);
  ChunkCosts costs;
  costs.fixed = t * ranks * sizeof(Ranked);
  costs.per_row = ranks * (sizeof(double) + sizeof(std::int32_t));
  costs.per_column = instruments * sizeof(double) + t * (sizeof(double) + sizeof(Ranked));
  return costs;
}

}  // namespace xm
