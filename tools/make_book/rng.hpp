// Randomness that is the same on every platform: std::mt19937_64's output sequence is fixed by
// the standard, and every mapping to integers is written here (the std distributions are
// implementation-defined). Every draw sits in its own statement: the order in which a call's
// arguments (or the operands of *) are evaluated is unspecified, and GCC and Clang do differ.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace make_book {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform on [0, n) by modulo: the bias (below n / 2^64) does not matter here, and it keeps
  // the mapping obvious.
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(below(n)); }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool per_mille(std::uint64_t p) { return below(1000) < p; }
  std::int64_t sign() { return below(2) == 0 ? 1 : -1; }

 private:
  std::mt19937_64 engine_;
};

// Independent streams per stage, so that changing one stage leaves the others' draws alone.
inline std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + stream * 0x9E3779B97F4A7C15ULL;  // SplitMix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Partial Fisher-Yates: `count` distinct elements of `pool` in random order (pool is consumed).
template <typename T>
std::vector<T> draw_distinct(Rng& rng, std::vector<T>& pool, std::size_t count) {
  std::vector<T> out;
  count = std::min(count, pool.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = i + rng.index(pool.size() - i);
    std::swap(pool[i], pool[j]);
    out.push_back(pool[i]);
  }
  pool.erase(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(count));
  return out;
}

}  // namespace make_book
