#include "calendar.hpp"

#include <algorithm>

namespace make_book {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t weekday(std::int64_t days) {
  return days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6;
}

std::int64_t third_friday(std::int64_t year, unsigned month) {
  const std::int64_t first = days_from_civil(year, month, 1);
  return first + (5 - weekday(first) + 7) % 7 + 14;
}

bool parse_date(std::string_view s, std::int64_t& days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const auto num = [&](std::size_t pos, std::size_t len) {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + static_cast<unsigned>(s[i] - '0');
    return v;
  };
  const unsigned y = num(0, 4);
  const unsigned m = num(5, 2);
  const unsigned d = num(8, 2);
  if (m < 1 || m > 12 || d < 1) return false;
  days = days_from_civil(y, m, d);
  const Civil back = civil_from_days(days);
  return back.year == y && back.month == m && back.day == d;
}

namespace {

std::string two_digits(unsigned v) {
  return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

}  // namespace

std::string format_date(std::int64_t days) {
  const Civil c = civil_from_days(days);
  return std::to_string(c.year) + "-" + two_digits(c.month) + "-" + two_digits(c.day);
}

std::string compact_date(std::int64_t days) {
  const Civil c = civil_from_days(days);
  return std::to_string(c.year) + two_digits(c.month) + two_digits(c.day);
}

std::vector<std::int64_t> weekdays_ending(std::int64_t last, std::size_t count) {
  std::vector<std::int64_t> days;
  days.reserve(count);
  for (std::int64_t d = last; days.size() < count; --d) {
    const std::int64_t w = weekday(d);
    if (w != 0 && w != 6) days.push_back(d);
  }
  std::reverse(days.begin(), days.end());
  return days;
}

}  // namespace make_book
