#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "xmargin/hd.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm::cuda_detail {

// A chunk's losses after ranking: each row (portfolio of the chunk) sorted by
// ranks_before, with the scenario of each loss. Points into one of the two
// buffers handed to rank_losses.
struct RankedLosses {
  const double* loss = nullptr;
  const std::int32_t* scenario = nullptr;
};

// Tail of chunk row `row`: the rows are scenario_count long.
XM_HD inline void tail_item(RankedLosses ranked, const double* weight, std::size_t scenario_count,
                            double confidence, std::size_t row, TailRisk* risk) {
  const std::size_t first = row * scenario_count;
  risk[row] = tail_risk_from_ranked(ranked.loss + first, ranked.scenario + first, weight,
                                    scenario_count, confidence);
}

// Temporary storage rank_losses needs for `rows` rows of scenario_count losses
// (at least 1 byte: CUB reads a null temporary pointer as a size query).
// rows × scenario_count must not exceed INT_MAX.
std::size_t rank_losses_temp_bytes(std::size_t rows, std::size_t scenario_count);

// Sorts each row of `rows` × scenario_count losses descending, carrying the
// scenario indices, stably (equal losses keep the lower scenario first: the
// ranks_before order, since losses are never −0.0). Both buffer pairs are
// overwritten; the result lies in one of them. row_offsets holds k ×
// scenario_count for k = 0..rows (int: rows × scenario_count ≤ INT_MAX).
RankedLosses rank_losses(void* temp, std::size_t temp_bytes, double* loss, double* loss_spare,
                         std::int32_t* scenario, std::int32_t* scenario_spare,
                         const int* row_offsets, std::size_t rows, std::size_t scenario_count,
                         cudaStream_t stream);

// risk[row] = tail_risk_from_ranked of every ranked row; weight is indexed by
// scenario.
void launch_tail_risk(RankedLosses ranked, const double* weight, std::size_t rows,
                      std::size_t scenario_count, double confidence, TailRisk* risk, int max_blocks,
                      cudaStream_t stream);

}  // namespace xm::cuda_detail
