// Dates as days since 1970-01-01 (H. Hinnant's civil-calendar algorithms): exact integer
// arithmetic, so dates never depend on the platform's time zone or C library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace make_book {

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
Civil civil_from_days(std::int64_t z);

// 0 = Sunday ... 5 = Friday, 6 = Saturday.
std::int64_t weekday(std::int64_t days);
std::int64_t third_friday(std::int64_t year, unsigned month);

// Strict YYYY-MM-DD; false for anything else, including dates that do not exist.
bool parse_date(std::string_view s, std::int64_t& days);
std::string format_date(std::int64_t days);   // YYYY-MM-DD
std::string compact_date(std::int64_t days);  // YYYYMMDD, for instrument ids

// The `count` weekdays ending at `last` (included when it is a weekday), oldest first. Synthetic
// histories use them as trading days: no exchange holidays, which nothing downstream needs.
std::vector<std::int64_t> weekdays_ending(std::int64_t last, std::size_t count);

}  // namespace make_book
