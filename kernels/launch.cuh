#pragma once
#include <algorithm>
#include <cstddef>

namespace xm::cuda_detail {

// Blocks for a grid-stride loop over `items`: enough to cover them, capped at
// max_blocks (the kernels stride over whatever is left).
inline unsigned grid_blocks(std::size_t items, int block_threads, int max_blocks) {
  const std::size_t block = static_cast<std::size_t>(block_threads);
  const std::size_t needed = (items + block - 1) / block;
  const std::size_t cap = static_cast<std::size_t>(std::max(max_blocks, 1));
  return static_cast<unsigned>(std::max<std::size_t>(std::min(needed, cap), 1));
}

}  // namespace xm::cuda_detail

// Index of this thread in a 1-D grid, and the grid's size, in 64 bits so that
// grid-stride loops over more than 2^31 items do not wrap.
#if defined(__CUDACC__)
#define XM_GRID_THREAD_INDEX (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x)
#define XM_GRID_THREAD_COUNT (static_cast<std::size_t>(gridDim.x) * blockDim.x)
#endif
