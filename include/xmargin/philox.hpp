#pragma once
// The Monte Carlo normal stream (README "Order of draws"), written here so that
// every build draws it, with or without the CUDA toolkit: the Philox4x32-10
// block function (Salmon et al., SC'11, as cuRAND's curand_init and curand4
// use it) and cuRAND's double-precision Box–Muller (_curand_box_muller_double
// in curand_normal.h), laid out as cuRAND's host generator lays them out.
// Philox is integer arithmetic only and everything is XM_HD, so a device
// kernel can draw the same words from this header.
//
// The host side reproduces curandGenerateNormalDouble of cuRAND's host
// generator bit for bit (tests/scenarios/test_philox_stream.cpp): that
// generator takes sin and cos of v·π from the C library (glibc's sincos),
// not sinpi; sinpi-style reduction gives other last bits for about half the
// normals. So the host path calls ::sin and ::cos of the same product.
#include <cmath>
#include <cstdint>

#include "xmargin/hd.hpp"

namespace xm {

// One 128-bit Philox block: the four 32-bit words curand4 returns.
struct PhiloxWords {
  std::uint32_t x, y, z, w;
};

namespace philox_detail {

// 32 × 32 → 64 bits, split into its high and low words.
XM_HD inline std::uint32_t high_word(std::uint64_t product) {
  return static_cast<std::uint32_t>(product >> 32);
}
XM_HD inline std::uint32_t low_word(std::uint64_t product) {
  return static_cast<std::uint32_t>(product);
}

// One Philox4x32 round: two multiplies, their halves crossed and keyed.
XM_HD inline PhiloxWords philox_round(PhiloxWords c, std::uint32_t k0, std::uint32_t k1) {
  const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c.x;
  const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c.z;
  return PhiloxWords{high_word(p1) ^ c.y ^ k0, low_word(p1), high_word(p0) ^ c.w ^ k1,
                     low_word(p0)};
}

}  // namespace philox_detail

// The block that curand_init(seed, subsequence, 4 · counter) then curand4
// returns: key = the seed's two halves, counter words (x, y) = `counter` and
// (z, w) = `subsequence`, ten rounds with the Weyl key schedule.
XM_HD inline PhiloxWords philox4x32_10(std::uint64_t seed, std::uint64_t counter,
                                       std::uint64_t subsequence) {
  PhiloxWords c{static_cast<std::uint32_t>(counter), static_cast<std::uint32_t>(counter >> 32),
                static_cast<std::uint32_t>(subsequence),
                static_cast<std::uint32_t>(subsequence >> 32)};
  auto k0 = static_cast<std::uint32_t>(seed);
  auto k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int r = 0; r < 10; ++r) {
    c = philox_detail::philox_round(c, k0, k1);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c;
}

// The two normals of one block, in stream order: sine first.
struct NormalPair {
  double sine, cosine;
};

// _curand_box_muller_double: u ∈ (0, 1) from words x, y (53 bits, offset half a
// step so log(u) is finite), v ∈ (0, 2) from z, w, radius √(−2 ln u), angle π·v.
// The products by powers of two are exact, so no rounding choice hides there.
XM_HD inline NormalPair box_muller_double(PhiloxWords words) {
  constexpr double kTwoPowMinus53 = 1.1102230246251565e-16;  // CURAND_2POW53_INV_DOUBLE
  const std::uint64_t bits_u = std::uint64_t{words.x} ^ (std::uint64_t{words.y} << 21);
  const std::uint64_t bits_v = std::uint64_t{words.z} ^ (std::uint64_t{words.w} << 21);
  const double u = static_cast<double>(bits_u) * kTwoPowMinus53 + kTwoPowMinus53 / 2.0;
  const double v = static_cast<double>(bits_v) * (kTwoPowMinus53 * 2.0) + kTwoPowMinus53;
  const double radius = ::sqrt(-2.0 * ::log(u));
  NormalPair pair{};
#if defined(__CUDA_ARCH__)
  // cuRAND's device path (curand_normal2_double) uses sincospi; following it
  // keeps a device's normals those of curand_normal2_double.
  ::sincospi(v, &pair.sine, &pair.cosine);
#else
  constexpr double kPi = 3.1415926535897932;  // CURAND_PI_DOUBLE
  pair.sine = ::sin(v * kPi);
  pair.cosine = ::cos(v * kPi);
#endif
  pair.sine *= radius;
  pair.cosine *= radius;
  return pair;
}

// Where normal i of the stream lies in Philox terms. cuRAND's host generator
// runs 65,536 Philox subsequences side by side; each turns two consecutive
// blocks (counters 2r and 2r + 1 of its subsequence) into four normals, and
// round r of all subsequences fills 262,144 normals. Block (subsequence,
// counter) gives the pair (sine, cosine) of box_muller_double.
struct PhiloxNormalSlot {
  std::uint64_t subsequence;  // Philox counter words z, w
  std::uint64_t counter;      // Philox counter words x, y
  bool cosine;                // second of the Box–Muller pair
};

inline constexpr std::uint64_t kPhiloxSubsequences = 65536;
inline constexpr std::uint64_t kNormalsPerRound = 4 * kPhiloxSubsequences;

XM_HD inline PhiloxNormalSlot philox_normal_slot(std::uint64_t index) {
  const std::uint64_t round = index / kNormalsPerRound;
  const std::uint64_t within = index % kNormalsPerRound;
  return PhiloxNormalSlot{within / 4, 2 * round + (within % 4) / 2, (index % 2) == 1};
}

// Pair p of the stream from `seed`: normals 2p and 2p + 1.
XM_HD inline NormalPair philox_normal_pair(std::uint64_t seed, std::uint64_t pair) {
  const PhiloxNormalSlot slot = philox_normal_slot(2 * pair);
  return box_muller_double(philox4x32_10(seed, slot.counter, slot.subsequence));
}

}  // namespace xm
