#include "scenarios/philox_normals.hpp"

#include <cstdint>

#include "xmargin/philox.hpp"

namespace xm {
namespace {

// Below this many pairs a call runs on the calling thread: starting the team
// would cost more than the draws (about 50 ns a pair on one core).
constexpr std::uint64_t kParallelPairs = 4096;

}  // namespace

void PhiloxNormals::next(double* out, std::size_t count) {
  const std::uint64_t first = position_;
  const std::uint64_t end = first + count;
  position_ = end;
  if (count == 0) return;
  // Normal i is half of pair i / 2; a call may start or end inside a pair, and
  // then takes only that half of it.
  if (first % 2 == 1) out[0] = philox_normal_pair(seed_, first / 2).cosine;
  const std::uint64_t first_pair = (first + 1) / 2;
  const std::uint64_t end_pair = end / 2;
  // Every pair depends only on its index, so the threads' split changes
  // nothing in the result.
#pragma omp parallel for schedule(static) if (end_pair >= first_pair + kParallelPairs)
  for (std::uint64_t pair = first_pair; pair < end_pair; ++pair) {
    const NormalPair normals = philox_normal_pair(seed_, pair);
    out[2 * pair - first] = normals.sine;
    out[2 * pair + 1 - first] = normals.cosine;
  }
  if (end % 2 == 1) out[end - 1 - first] = philox_normal_pair(seed_, end / 2).sine;
}

}  // namespace xm
