#pragma once
// How a run is cut into chunks that fit a memory budget, for both backends.
#include <cstddef>
#include <string>

namespace xm {

// Bytes a backend needs for a chunk of R portfolio rows × C scenario columns:
// fixed + R · per_row + C · per_column (saturating). Each backend states its
// own costs (host/backends/cpu_backend.cpp, kernels/cuda_backend.cu).
struct ChunkCosts {
  std::size_t fixed = 0;       // the resident inputs and whatever does not scale
  std::size_t per_row = 0;     // a portfolio row's running top-k lists and its tail
  std::size_t per_column = 0;  // a scenario column of the unit P&L tile and of the P&L rows
};

// Portfolios go in chunks of portfolio_chunk rows, scenarios in chunks of
// scenario_chunk columns. The unit P&L tile [I × scenario_chunk] is revalued
// once per scenario chunk; when it holds every scenario (unit_whole) it is
// revalued once for the run, otherwise again for every portfolio chunk: the
// same numbers, only slower. So the plan first keeps all portfolios in one
// chunk and as many scenario columns as fit.
struct ChunkPlan {
  std::size_t portfolio_chunk = 0;
  std::size_t scenario_chunk = 0;
  bool unit_whole = false;
  std::size_t bytes = 0;  // what the plan uses, ≤ the budget
};

// Bytes of costs for R rows × C columns, saturating at SIZE_MAX.
std::size_t chunk_bytes(const ChunkCosts& costs, std::size_t rows, std::size_t columns);

// The plan for `portfolios` × `scenarios` (both > 0) within budget_bytes.
// Throws when even one row × one column does not fit, saying the least budget
// that would work: InputError when the budget was the user's (`budget_given`),
// RunError when it was what the machine had free.
ChunkPlan plan_chunks(std::size_t budget_bytes, bool budget_given, std::size_t portfolios,
                      std::size_t scenarios, const ChunkCosts& costs,
                      const std::string& memory_name);

}  // namespace xm
