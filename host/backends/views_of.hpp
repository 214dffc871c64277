#pragma once
#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm {

// Views over host memory, for the CPU backend.

inline UnderlyingsView underlyings_view_of(const PackedBook& book) {
  return {book.spot.data(), book.rate.data(), book.dividend_yield.data()};
}

inline InstrumentsView instruments_view_of(const PackedBook& book) {
  return {book.instrument_count(),     book.terms.data(),      book.underlying.data(),
          book.years_to_expiry.data(), book.vol_annual.data(), book.base_value.data()};
}

inline ScenariosView scenarios_view_of(const ScenarioSet& scenarios) {
  return {scenarios.count(), scenarios.price_factor.data(), scenarios.vol_shift.data(),
          scenarios.vol_moves.data(), scenarios.horizon_days.data()};
}

}  // namespace xm
