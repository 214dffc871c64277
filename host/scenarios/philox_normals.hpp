#pragma once
#include <cstddef>
#include <cstdint>

namespace xm {

// The stream of standard normals behind the Monte Carlo scenarios: the
// Philox4x32-10 stream of include/xmargin/philox.hpp seeded with `seed`, read
// in order from the start (README "Order of draws"). It is the stream of
// cuRAND's host generator (curandGenerateNormalDouble), drawn here without
// cuRAND, so every build gives the same scenarios. Any split into calls gives
// the same stream, odd counts included.
class PhiloxNormals {
 public:
  explicit PhiloxNormals(std::uint64_t seed) : seed_(seed) {}

  // The next `count` normals of the stream.
  void next(double* out, std::size_t count);

 private:
  std::uint64_t seed_;
  std::uint64_t position_ = 0;  // index in the stream of the next normal
};

}  // namespace xm
