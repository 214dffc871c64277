#include <cmath>
#include <cstdint>
#include <map>

#include "xmargin/error.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/pricing/instrument_value.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {
namespace {

void append_row(PackedBook& packed, const std::map<std::size_t, double>& weights) {
  for (const auto& [instrument, weight] : weights) {
    packed.entry_instrument.push_back(static_cast<std::int32_t>(instrument));
    packed.entry_weight.push_back(weight);
  }
  packed.row_offsets.push_back(static_cast<std::int64_t>(packed.entry_instrument.size()));
}

// Appends one underlying's surface to the flat node arrays (an empty shape
// where it has none).
void pack_surface(const std::optional<VolSurface>& surface, Date valuation_date,
                  PackedBook& packed) {
  SurfaceShape shape;
  shape.expiry_begin = static_cast<std::int32_t>(packed.surface_expiry_years.size());
  shape.node_begin = static_cast<std::int32_t>(packed.surface_moneyness.size());
  shape.vol_begin = static_cast<std::int32_t>(packed.surface_vols.size());
  if (surface) {
    XM_EXPECTS(packed.surface_vols.size() + surface->vols.size() < INT32_MAX,
               "surface node indices are 32-bit");
    shape.expiry_count = static_cast<std::int32_t>(surface->expiries.size());
    shape.node_count = static_cast<std::int32_t>(surface->moneyness.size());
    for (const Date expiry : surface->expiries) {
      packed.surface_expiry_years.push_back(static_cast<double>(expiry - valuation_date) /
                                            kCalendarDaysPerYear);
    }
    packed.surface_moneyness.insert(packed.surface_moneyness.end(), surface->moneyness.begin(),
                                    surface->moneyness.end());
    packed.surface_vols.insert(packed.surface_vols.end(), surface->vols.begin(),
                               surface->vols.end());
  }
  packed.surface_shape.push_back(shape);
}

VolRule vol_rule_of(const Instrument& inst, const Underlying& underlying) {
  if (inst.type != InstrumentType::option || inst.vol_annual || !underlying.vol_surface) {
    return VolRule::flat;
  }
  return underlying.vol_surface->sticky == Sticky::strike ? VolRule::sticky_strike
                                                          : VolRule::sticky_moneyness;
}

}  // namespace

void pack_instrument(const Instrument& inst, const Market& market, std::int32_t u,
                     const VolSurfacesView& surfaces, PackedBook& packed) {
  const Underlying& underlying = market.underlyings[inst.underlying];
  const Date days = inst.expiry - market.valuation_date;
  const VolRule rule = vol_rule_of(inst, underlying);
  MarketState base;
  base.spot = underlying.price;
  base.years_to_expiry = static_cast<double>(days) / kCalendarDaysPerYear;
  base.rate = underlying.rate;
  base.dividend_yield = underlying.dividend_yield;
  double moneyness_strike = 0.0;
  if (rule == VolRule::flat) {
    base.vol_annual = inst.vol_annual.value_or(underlying.vol_annual);
  } else {
    // SPEC §6: σ0 = σ(K/F0, T), K/F0 = K·e^{−(r−q)T}/S0 computed as unit_pnl
    // computes K/F′, so that sticky moneyness at an unmoved spot reads the
    // very same vol.
    moneyness_strike =
        inst.terms.strike / std::exp((base.rate - base.dividend_yield) * base.years_to_expiry);
    base.vol_annual = surface_vol(surfaces, static_cast<std::size_t>(u),
                                  moneyness_strike / base.spot, base.years_to_expiry);
  }

  packed.terms.push_back(inst.terms);
  packed.underlying.push_back(u);
  packed.years_to_expiry.push_back(base.years_to_expiry);
  packed.days_to_expiry.push_back(static_cast<double>(days));
  packed.moneyness_strike.push_back(moneyness_strike);
  packed.vol_rule.push_back(rule);
  packed.vol_annual.push_back(base.vol_annual);
  packed.base_value.push_back(instrument_value(inst.terms, base));
}

namespace {

void pack_instruments(const Book& book, PackedBook& packed) {
  std::vector<std::int32_t> packed_underlying(book.market.underlyings.size(), -1);
  // Mark the underlyings in use, then number them in market order (the order
  // of used_underlyings(), which the scenarios are aligned to).
  for (const Instrument& inst : book.instruments) packed_underlying[inst.underlying] = 0;
  for (std::size_t u = 0; u < book.market.underlyings.size(); ++u) {
    if (packed_underlying[u] < 0) continue;
    const Underlying& underlying = book.market.underlyings[u];
    packed_underlying[u] = static_cast<std::int32_t>(packed.underlying_ids.size());
    packed.underlying_ids.push_back(underlying.id);
    packed.spot.push_back(underlying.price);
    packed.rate.push_back(underlying.rate);
    packed.dividend_yield.push_back(underlying.dividend_yield);
    pack_surface(underlying.vol_surface, book.market.valuation_date, packed);
  }
  const VolSurfacesView surfaces{packed.surface_shape.data(), packed.surface_expiry_years.data(),
                                 packed.surface_moneyness.data(), packed.surface_vols.data()};

  for (const Instrument& inst : book.instruments) {
    pack_instrument(inst, book.market, packed_underlying[inst.underlying], surfaces, packed);
  }
}

}  // namespace

Packed pack_book(const Book& book) {
  Packed result;
  XM_EXPECTS(book.instruments.size() < static_cast<std::size_t>(INT32_MAX),
             "instrument indices are 32-bit");
  pack_instruments(book, result.book);
  pack_portfolios(book, result.book, result.layout);
  return result;
}

void pack_portfolios(const Book& book, PackedBook& packed, PortfolioLayout& layout) {
  packed.row_offsets.clear();
  packed.entry_instrument.clear();
  packed.entry_weight.clear();
  layout = PortfolioLayout{};
  // Accounts: one row each, positions already sorted by instrument.
  packed.row_offsets.push_back(0);
  std::vector<std::map<std::size_t, double>> account_weights(book.accounts.size());
  for (const Position& position : book.positions) {
    account_weights[position.account][position.instrument] +=
        position.quantity * book.instruments[position.instrument].multiplier;
  }
  for (const auto& weights : account_weights) append_row(packed, weights);
  layout.account_count = book.accounts.size();

  // Groups: the accounts' positions netted by instrument.
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t a = 0; a < book.accounts.size(); ++a) {
    if (!book.accounts[a].group.empty()) groups[book.accounts[a].group].push_back(a);
  }
  for (const auto& [group, accounts] : groups) {
    std::map<std::size_t, double> weights;
    for (std::size_t a : accounts)
      for (const auto& [instrument, weight] : account_weights[a]) weights[instrument] += weight;
    append_row(packed, weights);
    layout.group_ids.push_back(group);
    layout.group_accounts.push_back(accounts);
  }

  // Units: one unit long and/or short of each instrument some position holds
  // that way; a position's stand-alone margin is |q·m| times its unit's.
  std::vector<bool> held_long(book.instruments.size(), false);
  std::vector<bool> held_short(book.instruments.size(), false);
  for (const auto& weights : account_weights) {
    for (const auto& [instrument, weight] : weights) {
      if (weight > 0.0) held_long[instrument] = true;
      if (weight < 0.0) held_short[instrument] = true;
    }
  }
  layout.long_unit_row.assign(book.instruments.size(), -1);
  layout.short_unit_row.assign(book.instruments.size(), -1);
  for (std::size_t i = 0; i < book.instruments.size(); ++i) {
    if (held_long[i]) {
      layout.long_unit_row[i] = static_cast<std::int64_t>(packed.portfolio_count());
      append_row(packed, {{i, 1.0}});
    }
    if (held_short[i]) {
      layout.short_unit_row[i] = static_cast<std::int64_t>(packed.portfolio_count());
      append_row(packed, {{i, -1.0}});
    }
  }
}

}  // namespace xm
