#pragma once
#include "io/json_locator.hpp"
#include "xmargin/book.hpp"
#include "xmargin/config.hpp"

namespace xm {

// The "vol_surface" object of an underlying in market.json (SPEC §6), validated
// value by value: each complaint names the file, line and column of the value.
// Calendar arbitrage is an error unless `settings` allow it (then a warning on
// stderr at the same spot).
VolSurface read_vol_surface(const JsonDocument& doc, const JsonDocument::Pointer& at,
                            Date valuation_date, const VolSurfaceSettings& settings);

}  // namespace xm
