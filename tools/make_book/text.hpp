// Number and text formatting with fixed rules, never the locale or the library's choices, so
// that the files written are the same bytes on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace make_book {

// Appends value / 10^decimals with exactly `decimals` digits after the point:
// (3512, 4) -> "0.3512", (-5, 2) -> "-0.05". Integer digits only, no allocation: the large
// histories write millions of cells through it.
void append_scaled(std::string& out, std::int64_t value, int decimals);
std::string fixed_from_scaled(std::int64_t value, int decimals);

// A strike in cents without trailing zeros: 4000 -> "40", 3750 -> "37.5", 1225 -> "12.25".
std::string strike_text(std::int64_t cents);

// std::to_chars, whose fixed and shortest round-trip outputs the standard specifies exactly.
std::string fixed_double(double value, int decimals);
std::string shortest_double(double value);

// Zero-padded decimal: (7, 3) -> "007"; wider values are written in full.
std::string padded(std::size_t value, std::size_t width);
// Digits needed for `value`, for ids that sort as text.
std::size_t decimal_width(std::size_t value);

std::vector<std::string> split_commas(std::string_view line);

}  // namespace make_book
