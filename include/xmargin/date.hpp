#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xm {

// Calendar dates as days since 1970-01-01; day differences are what the
// conventions need (T = calendar days / 365).
using Date = std::int32_t;

// Parses a strict "YYYY-MM-DD" that names a real calendar day.
std::optional<Date> parse_iso_date(std::string_view text);
std::string format_iso_date(Date date);

}  // namespace xm
