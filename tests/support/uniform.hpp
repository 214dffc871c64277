#pragma once
#include <cstddef>
#include <cstdint>
#include <random>

namespace xm::test {

// Uniform draws from mt19937_64 (whose sequence the standard fixes) mapped to
// [0, 1) by its top 53 bits: the std distributions are implementation-defined,
// this gives the same values on every platform.
class Uniform {
 public:
  explicit Uniform(std::uint64_t seed) : bits_(seed) {}
  double operator()() { return static_cast<double>(bits_() >> 11) * 0x1.0p-53; }
  double operator()(double low, double high) { return low + (high - low) * (*this)(); }
  std::size_t index(std::size_t size) {
    return static_cast<std::size_t>((*this)() * static_cast<double>(size));
  }

 private:
  std::mt19937_64 bits_;
};

}  // namespace xm::test
