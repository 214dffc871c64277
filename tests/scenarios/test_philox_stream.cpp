// The Monte Carlo normals: the project's Philox4x32-10 stream
// (include/xmargin/philox.hpp, drawn by PhiloxNormals) against what it copies.
// In every build: Random123's known answers for the block function and normals
// recorded from cuRAND 13's host generator. Where the build has cuRAND: that
// generator itself, bit for bit, over several seeds and rounds of the layout.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "scenarios/philox_normals.hpp"
#include "xmargin/philox.hpp"

#if defined(XM_HAVE_CURAND)
#include <curand.h>
#endif

namespace xm {
namespace {

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

std::uint64_t bits(double value) {
  std::uint64_t b = 0;
  std::memcpy(&b, &value, sizeof b);
  return b;
}

// Bits, not values: the stream must be the same doubles, signs of zero included.
// Reports the first few differences and returns how many there are.
std::size_t differing_bits(const std::vector<double>& ours, const std::vector<double>& theirs,
                           const std::string& what) {
  EXPECT_EQ(ours.size(), theirs.size()) << what;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
    if (bits(ours[i]) != bits(theirs[i]) && ++differing <= 4) {
      ADD_FAILURE() << what << " normal " << i << ": ours " << ours[i] << ", theirs " << theirs[i];
    }
  }
  return differing;
}

// Seeds of all shapes: small, a date, both key words set, a high word only.
const std::uint64_t kSeeds[] = {0, 7, 20011231, 0xFFFFFFFFFFFFFFC5ull, 0x0000000500000000ull};

TEST(Philox4x32_10, GivesRandom123sKnownAnswers) {
  // kat_vectors of Random123 1.09: philox4x32 10 rounds, counter words
  // (x, y, z, w) and key words (k0, k1) as curand_init places them.
  struct Known {
    std::uint32_t counter[4], key[2], words[4];
  };
  const Known known[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  const auto joined = [](std::uint32_t low, std::uint32_t high) {
    return (std::uint64_t{high} << 32) | low;
  };
  for (const Known& k : known) {
    const PhiloxWords w =
        philox4x32_10(joined(k.key[0], k.key[1]), joined(k.counter[0], k.counter[1]),
                      joined(k.counter[2], k.counter[3]));
    EXPECT_EQ(w.x, k.words[0]);
    EXPECT_EQ(w.y, k.words[1]);
    EXPECT_EQ(w.z, k.words[2]);
    EXPECT_EQ(w.w, k.words[3]);
  }
}

TEST(PhiloxNormals, GiveTheNormalsRecordedFromCuRandsHostGenerator) {
  // curandGenerateNormalDouble (cuRAND 13.0, glibc 2.36 libm), mean 0 and
  // deviation 1, at the first block, both ends of the first round and past
  // the fourth: every build checks the layout and the Box–Muller against it.
  struct Recorded {
    std::uint64_t seed, index, bits;
  };
  const Recorded recorded[] = {
      {20011231, 0, 0xbfee3d6c4e8504b8},
      {20011231, 1, 0x3ffe22397d803ebc},
      {20011231, 2, 0x3fbbfc89a084b530},
      {20011231, 3, 0xbfe25aec510c847c},
      {20011231, 4, 0x3fd6f1adb759bb9a},
      {20011231, 262143, 0xbfc0bfa944f2caef},
      {20011231, 262144, 0x3fe7c204aca1f084},
      {20011231, 262145, 0x3fa23127764f96b3},
      {20011231, 1000001, 0x3fe924d4601459e7},
      {20011231, 1048577, 0xbfd1bd627abbff1d},
      {0xFFFFFFFFFFFFFFC5ull, 0, 0x3fc79f38a02d060d},
      {0xFFFFFFFFFFFFFFC5ull, 1, 0x3fc644e342722075},
      {0xFFFFFFFFFFFFFFC5ull, 2, 0xc000469aebefa9e9},
      {0xFFFFFFFFFFFFFFC5ull, 262143, 0xbfe4b4c3e94f5a05},
      {0xFFFFFFFFFFFFFFC5ull, 262144, 0x3fe29844603a12a8},
      {0xFFFFFFFFFFFFFFC5ull, 1048577, 0x3ff7d6bd150fa6d8},
  };
  for (const Recorded& r : recorded) {
    const NormalPair pair = philox_normal_pair(r.seed, r.index / 2);
    const double normal = r.index % 2 == 0 ? pair.sine : pair.cosine;
    EXPECT_EQ(bits(normal), r.bits) << "seed " << r.seed << " normal " << r.index;
  }
}

TEST(PhiloxNormals, AnySplitIntoCallsGivesTheSameStream) {
  // Calls that start and end mid-pair, mid-block and mid-round, crossing the
  // first round boundary; odd sizes included.
  const std::size_t count = kNormalsPerRound + 5001;
  for (const std::uint64_t seed : kSeeds) {
    const std::vector<double> whole = drawn(seed, count, {count});
    EXPECT_EQ(differing_bits(drawn(seed, count, {1, 2, 3, 5, 998, 4097, 131070}), whole,
                             "split " + std::to_string(seed)),
              0u);
    EXPECT_EQ(differing_bits(drawn(seed, count, {kNormalsPerRound - 1, 3}), whole,
                             "round split " + std::to_string(seed)),
              0u);
  }
}

TEST(PhiloxNormals, TheThreadCountChangesNothing) {
  const std::size_t count = 3 * kNormalsPerRound + 17;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<double> one = drawn(11, count, {count});
  omp_set_num_threads(5);
  const std::vector<double> five = drawn(11, count, {count});
  omp_set_num_threads(threads);
  EXPECT_EQ(differing_bits(five, one, "five threads against one"), 0u);
}

TEST(PhiloxNormals, SeedsGiveDifferentStreamsOfStandardNormals) {
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

#if defined(XM_HAVE_CURAND)

// `count` normals from cuRAND's host generator, drawn in calls of the sizes
// given (even: it draws Box–Muller pairs).
std::vector<double> curand_drawn(std::uint64_t seed, std::size_t count,
                                 const std::vector<std::size_t>& calls) {
  curandGenerator_t generator = nullptr;
  EXPECT_EQ(curandCreateGeneratorHost(&generator, CURAND_RNG_PSEUDO_PHILOX4_32_10),
            CURAND_STATUS_SUCCESS);
  EXPECT_EQ(curandSetPseudoRandomGeneratorSeed(generator, seed), CURAND_STATUS_SUCCESS);
  std::vector<double> out(count);
  for (std::size_t at = 0, call = 0; at < count; ++call) {
    const std::size_t size = std::min(calls[call % calls.size()], count - at);
    EXPECT_EQ(curandGenerateNormalDouble(generator, out.data() + at, size, 0.0, 1.0),
              CURAND_STATUS_SUCCESS);
    at += size;
  }
  curandDestroyGenerator(generator);
  return out;
}

TEST(PhiloxNormals, EqualCuRandsHostGeneratorBitForBit) {
  // Four rounds and a part, so counters 0 to 9 of every subsequence; both
  // sides split at points inside blocks and rounds, cuRAND's in even calls.
  const std::size_t count = 4 * kNormalsPerRound + 2002;
  for (const std::uint64_t seed : kSeeds) {
    const std::string name = "seed " + std::to_string(seed);
    EXPECT_EQ(differing_bits(drawn(seed, count, {7, 262139, 100003}),
                             curand_drawn(seed, count, {count}), name),
              0u);
    EXPECT_EQ(differing_bits(drawn(seed, count, {count}),
                             curand_drawn(seed, count, {2, 6, 262142, 4098, 131070}),
                             name + ", cuRAND split"),
              0u);
  }
}

#endif

}  // namespace
}  // namespace xm
