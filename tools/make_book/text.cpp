#include "text.hpp"

#include <charconv>

namespace make_book {

void append_scaled(std::string& out, std::int64_t value, int decimals) {
  const bool negative = value < 0;
  std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(value + 1)) + 1 : static_cast<std::uint64_t>(value);
  char digits[32];  // least significant first: 20 digits for 2^64, callers use <= 6 decimals
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0 || n <= decimals);
  if (negative) out += '-';
  for (int i = n - 1; i >= 0; --i) {
    out += digits[i];
    if (i == decimals && decimals > 0) out += '.';
  }
}

std::string fixed_from_scaled(std::int64_t value, int decimals) {
  std::string s;
  append_scaled(s, value, decimals);
  return s;
}

std::string strike_text(std::int64_t cents) {
  if (cents % 100 == 0) return std::to_string(cents / 100);
  if (cents % 10 == 0) return fixed_from_scaled(cents / 10, 1);
  return fixed_from_scaled(cents, 2);
}

std::string fixed_double(double value, int decimals) {
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  return std::string(buffer, result.ptr);
}

std::string shortest_double(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string padded(std::size_t value, std::size_t width) {
  std::string s = std::to_string(value);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

std::size_t decimal_width(std::size_t value) {
  return std::to_string(value).size();
}

std::vector<std::string> split_commas(std::string_view line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.emplace_back(line.substr(start));
      return out;
    }
    out.emplace_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace make_book
