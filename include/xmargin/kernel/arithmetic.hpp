#pragma once
// Arithmetic that must round the same way on the host and on the device.
#include <cstdint>

#include "xmargin/hd.hpp"

namespace xm::kernel {

// a·b and a + b rounded once each, as the host computes them. The build also
// turns contraction off (host -ffp-contract=off, device --fmad=false); the
// intrinsics keep these two right even in a translation unit built otherwise.
XM_HD inline double multiply_rounded(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

XM_HD inline double add_rounded(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// True for every double but ±inf and NaN, with no library call: x − x is 0
// for finite x and NaN otherwise.
XM_HD inline bool is_finite(double x) {
  return x - x == 0.0;
}

// Keeps the smallest code seen: the first non-finite item of a launch, in a
// fixed order whatever the order the threads ran in. Host emulation runs one
// thread at a time, so a plain compare suffices there.
XM_HD inline void keep_smallest(unsigned long long* first, unsigned long long code) {
#if defined(__CUDA_ARCH__)
  atomicMin(first, code);
#else
  if (code < *first) *first = code;
#endif
}

// "Nothing non-finite seen" for keep_smallest.
inline constexpr unsigned long long kNoNonFinite = ~0ULL;

}  // namespace xm::kernel
