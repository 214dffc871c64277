#pragma once
// What the benchmarks' reports share: medians, dates, the text of figures in
// their tables, and where the tools they run are.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xm::bench {

// The median; NaN for none.
double median(std::vector<double> values);

// Today's date in UTC, YYYY-MM-DD.
std::string today_utc();

// printf into a std::string (GCC 12 has no std::format).
template <typename... Args>
std::string formatted(const char* format, Args... args) {
  char text[128];
  std::snprintf(text, sizeof text, format, args...);
  return text;
}

// A table cell without a figure.
inline const char* const kNone = "—";

// 1234567 as "1,234,567"; a cell without a number as kNone.
std::string grouped_digits(std::size_t value);
std::string count_text(const nlohmann::ordered_json& value);

// Pads to `width` columns, counting UTF-8 characters rather than bytes.
std::string padded(const std::string& text, std::size_t width);

// The tool `name` beside this binary's folder in the build tree (bench/..),
// so that a copied build tree finds its own; else `built_with`.
std::string tool_beside(const std::string& name, const std::string& built_with);

}  // namespace xm::bench
