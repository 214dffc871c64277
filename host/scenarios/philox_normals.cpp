#include "scenarios/philox_normals.hpp"

#include <string>

#include "xmargin/error.hpp"

#if defined(XM_HAVE_CURAND)
#include <curand.h>
#endif

namespace xm {

#if defined(XM_HAVE_CURAND)

namespace {

void check(curandStatus_t status, const char* call) {
  if (status != CURAND_STATUS_SUCCESS) {
    throw RunError(std::string("cuRAND host generator: ") + call + " failed with status " +
                   std::to_string(static_cast<int>(status)));
  }
}

curandGenerator_t as_generator(void* generator) {
  return static_cast<curandGenerator_t>(generator);
}

}  // namespace

bool have_curand() {
  return true;
}

PhiloxNormals::PhiloxNormals(std::uint64_t seed) {
  curandGenerator_t generator = nullptr;
  check(curandCreateGeneratorHost(&generator, CURAND_RNG_PSEUDO_PHILOX4_32_10),
        "curandCreateGeneratorHost");
  generator_ = generator;
  check(curandSetPseudoRandomGeneratorSeed(generator, seed), "curandSetPseudoRandomGeneratorSeed");
}

PhiloxNormals::~PhiloxNormals() {
  if (generator_) curandDestroyGenerator(as_generator(generator_));
}

void PhiloxNormals::next(double* out, std::size_t count) {
  XM_EXPECTS(count % 2 == 0, "cuRAND draws normals in pairs");
  if (count == 0) return;
  check(curandGenerateNormalDouble(as_generator(generator_), out, count, 0.0, 1.0),
        "curandGenerateNormalDouble");
}

#else

bool have_curand() {
  return false;
}

PhiloxNormals::PhiloxNormals(std::uint64_t) {
  throw RunError(
      "Monte Carlo scenarios need cuRAND's Philox4x32-10 generator, and this xmargin was built "
      "without the CUDA toolkit (libcurand); rebuild with CUDA found (README \"Monte Carlo without "
      "CUDA\")");
}

PhiloxNormals::~PhiloxNormals() = default;

void PhiloxNormals::next(double*, std::size_t) {}

#endif

}  // namespace xm
