#pragma once
#include <vector>

#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm {

// Views over host memory, for the CPU backend.

// Null for an empty array, as the device pool gives, so that "no tenors" reads
// the same on both backends (an empty vector's data() is unspecified).
template <typename T>
const T* data_or_null(const std::vector<T>& values) {
  return values.empty() ? nullptr : values.data();
}

inline UnderlyingsView underlyings_view_of(const PackedBook& book) {
  return {book.spot.data(),
          book.rate.data(),
          book.dividend_yield.data(),
          {book.surface_shape.data(), book.surface_expiry_years.data(),
           book.surface_moneyness.data(), book.surface_vols.data()}};
}

inline InstrumentsView instruments_view_of(const PackedBook& book) {
  return {book.instrument_count(),     book.terms.data(),          book.underlying.data(),
          book.years_to_expiry.data(), book.vol_annual.data(),     book.base_value.data(),
          book.vol_rule.data(),        book.days_to_expiry.data(), book.moneyness_strike.data()};
}

inline ScenariosView scenarios_view_of(const ScenarioSet& scenarios) {
  return {scenarios.count(),
          scenarios.price_factor.data(),
          scenarios.vol_shift.data(),
          scenarios.vol_moves.data(),
          scenarios.horizon_days.data(),
          data_or_null(scenarios.tenor_offsets),
          scenarios.tenor_days.data(),
          scenarios.tenor_shift.data(),
          data_or_null(scenarios.vol_term_power),
          data_or_null(scenarios.vol_term_min_days)};
}

}  // namespace xm
