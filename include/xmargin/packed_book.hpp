#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xmargin/book.hpp"
#include "xmargin/pricing/vol_surface.hpp"

namespace xm {

// The book in the structure-of-arrays form both backends consume.
//
// Underlyings: only those some instrument uses, in market order, each with its
// vol surface (if any) as ranges of flat node arrays (SurfaceShape).
// Instruments: every instrument, its base vol σ0 and base value V(S0, σ0, T)
// precomputed once on the host so that both backends subtract the very same number.
// Portfolios: one sparse row (CSR) per thing that needs a tail measure — each
// account, each cross-margin group, and each (instrument, direction) unit used
// for the stand-alone margins of isolated positions. A row's weights are signed
// quantity × multiplier, its entries sorted by instrument, so every backend sums
// a portfolio's P&L in the same order.
struct PackedBook {
  // Underlyings [U]
  std::vector<std::string> underlying_ids;
  std::vector<double> spot;
  std::vector<double> rate;
  std::vector<double> dividend_yield;
  std::vector<SurfaceShape> surface_shape;  // expiry_count 0: no surface
  std::vector<double> surface_expiry_years;
  std::vector<double> surface_moneyness;
  std::vector<double> surface_vols;

  // Instruments [I]
  std::vector<ContractTerms> terms;
  std::vector<std::int32_t> underlying;  // index into the underlyings above
  std::vector<double> years_to_expiry;   // (expiry − valuation date) / 365
  std::vector<double> days_to_expiry;    // calendar days, for tenor vol shifts
  // K·e^{−(r−q)T}, so that a surface's moneyness K/F at spot S is moneyness_strike / S (SPEC §6);
  // 0 for an instrument that reads no surface.
  std::vector<double> moneyness_strike;
  std::vector<VolRule> vol_rule;   // flat, or which way its underlying's surface moves
  std::vector<double> vol_annual;  // base vol σ0: own vol, else the surface at K/F0, else flat
  std::vector<double> base_value;  // value of one unit in the base market

  // Portfolios [P] (CSR)
  std::vector<std::int64_t> row_offsets;  // size P + 1
  std::vector<std::int32_t> entry_instrument;
  std::vector<double> entry_weight;

  std::size_t underlying_count() const { return underlying_ids.size(); }
  std::size_t surface_count() const {  // underlyings with a surface
    std::size_t count = 0;
    for (const SurfaceShape& shape : surface_shape) count += shape.expiry_count > 0 ? 1 : 0;
    return count;
  }
  std::size_t instrument_count() const { return terms.size(); }
  std::size_t portfolio_count() const { return row_offsets.empty() ? 0 : row_offsets.size() - 1; }
};

// What each portfolio row of a PackedBook stands for, for the report.
struct PortfolioLayout {
  std::size_t account_count = 0;       // rows [0, A) are the accounts, in Book order
  std::vector<std::string> group_ids;  // rows [A, A + G) are the groups, sorted by id
  std::vector<std::vector<std::size_t>> group_accounts;  // account indices per group
  // Rows [A + G, P): unit portfolios. unit_row(i, sign) gives the row of
  // instrument i held long (+1 unit) or short (−1 unit), or −1 where unused.
  std::vector<std::int64_t> long_unit_row;
  std::vector<std::int64_t> short_unit_row;

  std::size_t group_row(std::size_t group) const { return account_count + group; }
};

struct Packed {
  PackedBook book;
  PortfolioLayout layout;
};

Packed pack_book(const Book& book);

// The portfolio rows of `book` (CSR and layout) alone, replacing those of
// `packed`: what changes when positions do and the instruments do not (the
// margin service's trades and what-ifs).
void pack_portfolios(const Book& book, PackedBook& packed, PortfolioLayout& layout);

// Appends one instrument's arrays to `packed`, as pack_book packs each: `u` is
// its underlying's index among the packed underlyings, whose surfaces are
// `surfaces`. The margin service prices instruments a what-if adds this way.
void pack_instrument(const Instrument& inst, const Market& market, std::int32_t u,
                     const VolSurfacesView& surfaces, PackedBook& packed);

}  // namespace xm
