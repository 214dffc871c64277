#pragma once
// The running top-k of each portfolio: what the tail measure needs of a
// portfolio's losses, kept instead of the whole loss vector.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xmargin/hd.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm::kernel {

// The ranked lists of the rows of one portfolio chunk: row r's list is
// loss[current[r]][r * k + j], j < listed, ranked by ranks_before (the worst
// first). Two buffers so that a merge reads one and writes the other; which one
// holds the list is per row, since rows merge different numbers of times.
// Every row has seen the same scenarios, so `listed` = min(k, scenarios seen) is
// the same for all rows and is not stored.
struct TopKView {
  std::size_t k;
  double* loss[2];
  std::int32_t* scenario[2];
  std::uint8_t* current;
};
static_assert(std::is_trivially_copyable_v<TopKView>, "kernel parameters are copied bytewise");

// How many elements of a[0, n) rank before (loss, scenario); a is ranked.
XM_HD inline std::size_t count_ranked_before(const double* loss, const std::int32_t* scenario,
                                             std::size_t n, double x_loss,
                                             std::int32_t x_scenario) {
  std::size_t low = 0, high = n;
  while (low < high) {
    const std::size_t middle = low + (high - low) / 2;
    if (ranks_before(loss[middle], scenario[middle], x_loss, x_scenario)) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

// The tail of chunk row `row` from its ranked list (body of the tail kernel).
XM_HD inline TailRisk tail_of_row(const TopKView& state, std::size_t row, std::size_t listed,
                                  const double* weight, double confidence) {
  const std::size_t b = state.current[row];
  return tail_risk_from_ranked(state.loss[b] + row * state.k, state.scenario[b] + row * state.k,
                               weight, listed, confidence);
}

}  // namespace xm::kernel
