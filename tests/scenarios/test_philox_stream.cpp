// The Monte Carlo normals: cuRAND's host generator against a second path
// written here from the published Philox4x32-10 algorithm (Salmon et al.,
// SC'11) and cuRAND's documented double-precision Box–Muller, laid out as
// include/xmargin/monte_carlo.hpp says. Equal bits mean the README's order of
// draws is what the generator does, and that a device generator following it
// draws the same Philox words.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "scenarios/philox_normals.hpp"
#include "xmargin/monte_carlo.hpp"

namespace xm {
namespace {

struct Words {
  std::uint32_t x, y, z, w;
};

// One Philox4x32 round: two 32×32→64 multiplies, the halves crossed and keyed.
Words philox_round(Words c, std::uint32_t k0, std::uint32_t k1) {
  const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c.x;
  const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c.z;
  return Words{static_cast<std::uint32_t>(p1 >> 32) ^ c.y ^ k0, static_cast<std::uint32_t>(p1),
               static_cast<std::uint32_t>(p0 >> 32) ^ c.w ^ k1, static_cast<std::uint32_t>(p0)};
}

Words philox4x32_10(Words counter, std::uint64_t seed) {
  auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    counter = philox_round(counter, k0, k1);
    k0 += 0x9E3779B9u;  // Weyl key schedule
    k1 += 0xBB67AE85u;
  }
  return counter;
}

// Normal i of the stream: two 53-bit uniforms from the block's four words, then
// Box–Muller (sin for the first of the pair, cos for the second).
double reference_normal(std::uint64_t index, std::uint64_t seed) {
  const PhiloxNormalSlot slot = philox_normal_slot(index);
  const Words w = philox4x32_10(Words{static_cast<std::uint32_t>(slot.counter),
                                      static_cast<std::uint32_t>(slot.counter >> 32),
                                      static_cast<std::uint32_t>(slot.subsequence),
                                      static_cast<std::uint32_t>(slot.subsequence >> 32)},
                                seed);
  constexpr double kTwoPowMinus53 = 1.1102230246251565e-16;
  constexpr double kPi = 3.1415926535897932;
  const std::uint64_t bits_u = std::uint64_t{w.x} ^ (std::uint64_t{w.y} << 21);
  const std::uint64_t bits_v = std::uint64_t{w.z} ^ (std::uint64_t{w.w} << 21);
  const double u = static_cast<double>(bits_u) * kTwoPowMinus53 + kTwoPowMinus53 / 2.0;
  const double v = static_cast<double>(bits_v) * (kTwoPowMinus53 * 2.0) + kTwoPowMinus53;
  const double radius = std::sqrt(-2.0 * std::log(u));
  return (slot.cosine ? std::cos(v * kPi) : std::sin(v * kPi)) * radius;
}

// `count` normals of the stream drawn in calls of the sizes given, in turn.
std::vector<double> drawn(std::uint64_t seed, std::size_t count,
                          const std::vector<std::size_t>& calls) {
  PhiloxNormals normals(seed);
  std::vector<double> out(count);
  for (std::size_t at = 0, call = 0; at < count; ++call) {
    const std::size_t size = std::min(calls[call % calls.size()], count - at);
    normals.next(out.data() + at, size);
    at += size;
  }
  return out;
}

class PhiloxStream : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_curand()) GTEST_SKIP() << "built without cuRAND";
  }
};

TEST_F(PhiloxStream, HostGeneratorEqualsTheReferencePhiloxBitForBit) {
  // Past the first round of 262,144 normals, so counters 2 and 3 are covered.
  for (const std::uint64_t seed :
       {std::uint64_t{20011231}, std::uint64_t{0}, std::uint64_t{0xFFFFFFFFFFFFFFC5ull}}) {
    const std::size_t count = 2 * kNormalsPerRound + 1000;
    const std::vector<double> cuda = drawn(seed, count, {count});
    std::size_t differing = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const double reference = reference_normal(i, seed);
      // Bits, not values: the stream must be the same doubles, signs of zero included.
      if (std::memcmp(&cuda[i], &reference, sizeof(double)) != 0 && ++differing < 5) {
        ADD_FAILURE() << "seed " << seed << " normal " << i << ": cuRAND " << cuda[i]
                      << ", reference " << reference;
      }
    }
    EXPECT_EQ(differing, 0u) << "seed " << seed;
  }
}

TEST_F(PhiloxStream, AnySplitIntoCallsGivesTheSameStream) {
  // Calls that end mid-block and mid-round, crossing the first round boundary.
  const std::size_t count = kNormalsPerRound + 5000;
  const std::vector<double> whole = drawn(7, count, {count});
  EXPECT_EQ(drawn(7, count, {2, 6, 998, 4096, 131070}), whole);
  EXPECT_EQ(drawn(7, count, {262146, 2}), whole);
}

TEST_F(PhiloxStream, SeedsGiveDifferentStreamsOfStandardNormals) {
  const std::vector<double> a = drawn(1, 200000, {200000}), b = drawn(2, 200000, {200000});
  EXPECT_NE(a, b);
  double sum = 0.0, squares = 0.0;
  for (const double z : a) {
    sum += z;
    squares += z * z;
  }
  const double n = static_cast<double>(a.size());
  EXPECT_NEAR(sum / n, 0.0, 4.0 / std::sqrt(n));  // 4 standard errors
  EXPECT_NEAR(squares / n, 1.0, 4.0 * std::sqrt(2.0 / n));
}

TEST(PhiloxNormalSlot, MapsTheStreamOntoSubsequencesAndCounters) {
  EXPECT_EQ(philox_normal_slot(0).subsequence, 0u);
  EXPECT_EQ(philox_normal_slot(0).counter, 0u);
  EXPECT_FALSE(philox_normal_slot(0).cosine);
  EXPECT_TRUE(philox_normal_slot(1).cosine);
  EXPECT_EQ(philox_normal_slot(2).counter, 1u);  // second block of subsequence 0
  EXPECT_EQ(philox_normal_slot(4).subsequence, 1u);
  EXPECT_EQ(philox_normal_slot(4).counter, 0u);
  EXPECT_EQ(philox_normal_slot(kNormalsPerRound - 1).subsequence, kPhiloxSubsequences - 1);
  EXPECT_EQ(philox_normal_slot(kNormalsPerRound).subsequence, 0u);
  EXPECT_EQ(philox_normal_slot(kNormalsPerRound).counter, 2u);
}

TEST(PhiloxNormals, WithoutCurandMonteCarloIsAnErrorNamingIt) {
  if (have_curand()) GTEST_SKIP() << "built with cuRAND";
  try {
    PhiloxNormals normals(1);
    FAIL() << "expected an error";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("cuRAND"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace xm
