#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <random>

#include "report/number_format.hpp"

namespace xm {
namespace {

TEST(NumberFormat, ShortestRoundTrip) {
  EXPECT_EQ(format_double(0.0), "0");
  EXPECT_EQ(format_double(-0.0), "0");
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_double(-1234.5), "-1234.5");
  EXPECT_EQ(format_double(1e-300), "1e-300");
}

TEST(NumberFormat, EveryRandomDoubleReadsBackExactly) {
  std::mt19937_64 bits(42);
  for (int i = 0; i < 100000; ++i) {
    double value = 0.0;
    do {
      const std::uint64_t raw = bits();
      std::memcpy(&value, &raw, sizeof value);
    } while (!std::isfinite(value));
    const std::string text = format_double(value);
    double back = 0.0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    EXPECT_EQ(back, value == 0.0 ? 0.0 : value) << text;
  }
}

}  // namespace
}  // namespace xm
