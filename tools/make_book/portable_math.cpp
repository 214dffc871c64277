#include "portable_math.hpp"

#include <cmath>

namespace make_book {

namespace {

constexpr double kLn2 = 0.69314718055994530942;

}  // namespace

// x = 2^k * m with m in [1/sqrt2, sqrt2], ln m = 2 atanh(z) = 2 (z + z^3/3 + ...), |z| < 0.172.
double portable_log(double x) {
  constexpr double kSqrt2 = 1.41421356237309504880;
  int k = 0;
  while (x > kSqrt2) {
    x *= 0.5;
    ++k;
  }
  while (x < 0.5 * kSqrt2) {
    x *= 2.0;
    --k;
  }
  const double z = (x - 1.0) / (x + 1.0);
  const double z2 = z * z;
  double power = z;
  double sum = 0.0;
  for (int n = 1; n < 40; n += 2) {
    const double term = power / n;
    sum += term;
    power *= z2;
  }
  const double log_mantissa = 2.0 * sum;
  const double log_exponent = k * kLn2;
  return log_exponent + log_mantissa;
}

// x = k ln2 + r with |r| <= ln2 / 2, e^r by its Taylor series (the 20th term is below 1e-25),
// then scaled by 2^k, which std::ldexp does exactly.
double portable_exp(double x) {
  const double k = std::floor(x / kLn2 + 0.5);  // floor is exact: no rounding to vary
  const double shift = k * kLn2;
  const double r = x - shift;
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n < 20; ++n) {
    term = term * r / n;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

}  // namespace make_book
