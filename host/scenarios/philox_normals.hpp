#pragma once
#include <cstddef>
#include <cstdint>

namespace xm {

// The stream of standard normals behind the Monte Carlo scenarios: cuRAND's
// Philox4x32-10 host generator (no GPU needed) seeded with `seed`, read in
// order from the start (README "Order of draws"). Any split into calls gives
// the same stream. Without cuRAND in the build, constructing one is a
// RunError: a different generator would silently give different scenarios.
class PhiloxNormals {
 public:
  explicit PhiloxNormals(std::uint64_t seed);
  ~PhiloxNormals();
  PhiloxNormals(const PhiloxNormals&) = delete;
  PhiloxNormals& operator=(const PhiloxNormals&) = delete;

  // The next `count` normals of the stream; cuRAND draws them in Box–Muller
  // pairs, so `count` must be even.
  void next(double* out, std::size_t count);

 private:
  void* generator_ = nullptr;  // curandGenerator_t, kept out of this header
};

// Whether this build has cuRAND, i.e. can generate Monte Carlo scenarios.
bool have_curand();

}  // namespace xm
