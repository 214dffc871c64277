#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xmargin/pricing/contract.hpp"
#include "xmargin/pricing/vol_surface.hpp"

namespace xm {

// Non-owning views (pointers + sizes) passed by value into kernels and into the
// CPU loops alike. The pointers are host or device memory depending on who
// built the view.

struct UnderlyingsView {
  const double* spot;
  const double* rate;
  const double* dividend_yield;
  VolSurfacesView surfaces;  // shape[u].expiry_count == 0 where u has none
};

struct InstrumentsView {
  std::size_t count;
  const ContractTerms* terms;
  const std::int32_t* underlying;
  const double* years_to_expiry;
  const double* vol_annual;  // σ₀: own vol, flat vol, or the surface at K/F₀
  const double* base_value;
  const VolRule* vol_rule;
  const double* days_to_expiry;    // calendar days, where tenor vol shifts are read
  const double* moneyness_strike;  // K·e^{−(r−q)T}: m = K/F = moneyness_strike / S
};

// Shocks of all N scenarios, underlying-major ([u * count + s]); tenor vol
// shifts tenor-major ([k * count + s]), see ScenarioSet.
struct ScenariosView {
  std::size_t count;
  const double* price_factor;
  const double* vol_shift;
  const std::uint8_t* vol_moves;
  const double* horizon_days;
  const std::int32_t* tenor_offsets;  // [U + 1], or null where no underlying has tenors
  const double* tenor_days;
  const double* tenor_shift;
  const double* vol_term_power;  // [U * count], or null: no term-scaled shifts
  const double* vol_term_min_days;
};

// Sparse portfolio rows (CSR) over instruments.
struct PortfoliosView {
  std::size_t count;
  const std::int64_t* row_offsets;
  const std::int32_t* entry_instrument;
  const double* entry_weight;
};

// Kernels take these by value: a bytewise copy must be a valid copy.
static_assert(std::is_trivially_copyable_v<UnderlyingsView>);
static_assert(std::is_trivially_copyable_v<InstrumentsView>);
static_assert(std::is_trivially_copyable_v<ScenariosView>);
static_assert(std::is_trivially_copyable_v<PortfoliosView>);

}  // namespace xm
