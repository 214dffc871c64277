#pragma once
#include <cstddef>
#include <string>

#include "io/json_locator.hpp"
#include "xmargin/book.hpp"
#include "xmargin/config.hpp"

namespace xm {

// The calendar-arbitrage warnings of one market file: the first
// kShownCalendarWarnings are printed each at its spot, the rest only counted,
// so that a surface with 10^5 violations prints a few lines and a summary.
inline constexpr std::size_t kShownCalendarWarnings = 5;
struct CalendarWarnings {
  std::size_t count = 0;
  // One line on stderr saying how many were not shown, if any.
  void summarise(const std::string& path) const;
};

// The "vol_surface" object of an underlying in market.json (SPEC §6), validated
// value by value: each complaint names the file, line and column of the value.
// Calendar arbitrage is an error unless `settings` allow it (then a warning on
// stderr at the same spot, counted in `warnings`).
VolSurface read_vol_surface(const JsonDocument& doc, const JsonDocument::Pointer& at,
                            Date valuation_date, const VolSurfaceSettings& settings,
                            CalendarWarnings& warnings);

}  // namespace xm
