// How scenarios move vols on a surface (SPEC §6), through the packed book and unit_pnl, the
// function both backends call: base vols at K/F₀, sticky strike against sticky moneyness, tenor
// shifts interpolated at each option's days to expiry, and an instrument's own vol overriding.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "backends/views_of.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/pricing/black_scholes.hpp"
#include "xmargin/revaluation.hpp"

namespace xm {
namespace {

constexpr double kSpot = 100.0;

Date date(const char* text) {
  return *parse_iso_date(text);
}

// A put skew in one expiry (so flat in time): σ(m) = 0.25 − 0.5 (m − 1) on nodes 0.7 … 1.3.
VolSurface skew(Sticky sticky) {
  VolSurface s;
  s.expiries = {date("2001-04-02")};
  s.moneyness = {0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3};
  s.vols = {0.40, 0.35, 0.30, 0.25, 0.20, 0.15, 0.10};
  s.sticky = sticky;
  return s;
}

Instrument european(const std::string& id, Payoff payoff, double strike, const char* expiry) {
  Instrument inst;
  inst.id = id;
  inst.type = InstrumentType::option;
  inst.expiry = date(expiry);
  inst.terms.payoff = payoff;
  inst.terms.strike = strike;
  return inst;
}

Book one_underlying(std::optional<VolSurface> surface, std::vector<Instrument> instruments,
                    double rate = 0.0, double dividend_yield = 0.0) {
  Book book;
  book.market.valuation_date = date("2001-01-02");
  Underlying u;
  u.id = "AA";
  u.price = kSpot;
  u.vol_annual = 0.3;
  u.rate = rate;
  u.dividend_yield = dividend_yield;
  u.vol_surface = std::move(surface);
  book.market.underlyings.push_back(u);
  book.instruments = std::move(instruments);
  return book;
}

// One scenario of one underlying: S′ = S₀ · factor and no time decay, so the P&L is the
// move's alone.
ScenarioSet one_scenario(double factor) {
  ScenarioSet s;
  s.underlying_ids = {"AA"};
  s.vol_moves = {0};
  s.price_factor = {factor};
  s.vol_shift = {0.0};
  s.horizon_days = {0.0};
  s.weight = {1.0};
  s.source = {"test"};
  s.label = {"0"};
  return s;
}

// The same scenario with tenor shifts `shifts` at `days`.
ScenarioSet with_tenors(ScenarioSet s, std::vector<double> days, std::vector<double> shifts) {
  s.tenor_offsets = {0, static_cast<std::int32_t>(days.size())};
  s.tenor_days = std::move(days);
  s.tenor_shift = std::move(shifts);
  return s;
}

double unit(const PackedBook& book, const ScenarioSet& scenarios, std::size_t instrument) {
  return unit_pnl(instruments_view_of(book), underlyings_view_of(book),
                  scenarios_view_of(scenarios), false, instrument, 0);
}

double put_value(double spot, double strike, double years, double vol) {
  return black_scholes_generalized(false, spot, strike, years, 0.0, 0.0, vol);
}

TEST(SurfaceScenarios, BaseVolIsTheSurfaceAtTheOptionsMoneyness) {
  const Packed packed = pack_book(
      one_underlying(skew(Sticky::moneyness), {european("P90", Payoff::put, 90, "2001-04-02"),
                                               european("C110", Payoff::call, 110, "2001-04-02")}));
  EXPECT_NEAR(packed.book.vol_annual[0], 0.30, 1e-15);
  EXPECT_NEAR(packed.book.vol_annual[1], 0.20, 1e-15);
  EXPECT_EQ(packed.book.vol_rule[0], VolRule::sticky_moneyness);
  // At the base market, the P&L is zero whichever way the surface sticks.
  EXPECT_EQ(unit(packed.book, one_scenario(1.0), 0), 0.0);
  EXPECT_EQ(unit(packed.book, one_scenario(1.0), 1), 0.0);
}

TEST(SurfaceScenarios, PackUsesTheForwardMoneyness) {
  // r − q = 4%: the strike 100 sits at m = 100 / (100 e^{0.04 T}) < 1, where a skew is higher
  // than at K / S = 1 (QuantLib's BlackVarianceSurface would read the strike itself).
  const Packed packed = pack_book(one_underlying(
      skew(Sticky::moneyness), {european("P100", Payoff::put, 100, "2001-04-02")}, 0.05, 0.01));
  const double years = 90.0 / 365.0;
  const double m = 100.0 / (kSpot * std::exp(0.04 * years));
  EXPECT_NEAR(packed.book.vol_annual[0], 0.25 - 0.5 * (m - 1.0), 1e-15);
  EXPECT_GT(packed.book.vol_annual[0], 0.25 + 0.004);
}

TEST(SurfaceScenarios, PutSpreadUnderACrashDependsOnTheStickyRule) {
  // Long the 100 put, short the 90 put; the spot falls 10%.
  const std::vector<Instrument> spread{european("P100", Payoff::put, 100, "2001-04-02"),
                                       european("P90", Payoff::put, 90, "2001-04-02")};
  const Packed by_strike = pack_book(one_underlying(skew(Sticky::strike), spread));
  const Packed by_moneyness = pack_book(one_underlying(skew(Sticky::moneyness), spread));
  const ScenarioSet crash = one_scenario(0.9);
  const double t = 90.0 / 365.0;

  // Sticky strike: each put keeps its base vol, 0.25 and 0.30.
  EXPECT_NEAR(unit(by_strike.book, crash, 0),
              put_value(90, 100, t, 0.25) - put_value(100, 100, t, 0.25), 1e-12);
  EXPECT_NEAR(unit(by_strike.book, crash, 1),
              put_value(90, 90, t, 0.30) - put_value(100, 90, t, 0.30), 1e-12);
  // Sticky moneyness: both strikes now sit higher on the skew, at m′ = K / 90, so lower vols:
  // 0.25 − 0.5 (100/90 − 1) = 0.1944… and 0.25.
  const double vol_100 = 0.25 - 0.5 * (100.0 / 90.0 - 1.0);
  EXPECT_NEAR(unit(by_moneyness.book, crash, 0),
              put_value(90, 100, t, vol_100) - put_value(100, 100, t, 0.25), 1e-12);
  EXPECT_NEAR(unit(by_moneyness.book, crash, 1),
              put_value(90, 90, t, 0.25) - put_value(100, 90, t, 0.30), 1e-12);

  // The smile lowers every put's vol after a fall under sticky moneyness …
  EXPECT_LT(unit(by_moneyness.book, crash, 0), unit(by_strike.book, crash, 0));
  EXPECT_LT(unit(by_moneyness.book, crash, 1), unit(by_strike.book, crash, 1));
  // … most for the short 90 put, now at the money with the most vega, so the long spread gains
  // more than sticky strike says (by about 0.15 per unit).
  const double spread_strike = unit(by_strike.book, crash, 0) - unit(by_strike.book, crash, 1);
  const double spread_moneyness =
      unit(by_moneyness.book, crash, 0) - unit(by_moneyness.book, crash, 1);
  EXPECT_GT(spread_moneyness - spread_strike, 0.1);
}

TEST(SurfaceScenarios, ARallyRaisesPutVolsUnderStickyMoneyness) {
  const Packed packed = pack_book(
      one_underlying(skew(Sticky::moneyness), {european("P90", Payoff::put, 90, "2001-04-02")}));
  const double t = 90.0 / 365.0;
  const double vol = 0.25 - 0.5 * (90.0 / 110.0 - 1.0);
  EXPECT_NEAR(unit(packed.book, one_scenario(1.1), 0),
              put_value(110, 90, t, vol) - put_value(100, 90, t, 0.30), 1e-12);
}

TEST(SurfaceScenarios, ATermStructureShockMovesShortDatedStraddlesMore) {
  // Flat vol 0.3 (no surface); tenor shifts +10 vol points at 30 days, +2 at 365 days.
  const std::vector<Instrument> straddles{european("C30", Payoff::call, 100, "2001-02-01"),
                                          european("P30", Payoff::put, 100, "2001-02-01"),
                                          european("C365", Payoff::call, 100, "2002-01-02"),
                                          european("P365", Payoff::put, 100, "2002-01-02"),
                                          european("C197", Payoff::call, 100, "2001-07-18")};
  const Packed packed = pack_book(one_underlying(std::nullopt, straddles));
  const ScenarioSet shock = with_tenors(one_scenario(1.0), {30, 365}, {0.10, 0.02});
  const double short_straddle = unit(packed.book, shock, 0) + unit(packed.book, shock, 1);
  const double long_straddle = unit(packed.book, shock, 2) + unit(packed.book, shock, 3);
  EXPECT_GT(short_straddle, 1.2 * long_straddle);
  EXPECT_GT(long_straddle, 0.0);

  const auto call = [](double years, double vol) {
    return black_scholes_generalized(true, kSpot, 100, years, 0.0, 0.0, vol);
  };
  EXPECT_NEAR(unit(packed.book, shock, 0), call(30 / 365.0, 0.40) - call(30 / 365.0, 0.30), 1e-12);
  EXPECT_NEAR(unit(packed.book, shock, 2), call(1.0, 0.32) - call(1.0, 0.30), 1e-12);
  // 197 days: linear in days between the tenors.
  const double shift = 0.10 + (197.0 - 30.0) / (365.0 - 30.0) * (0.02 - 0.10);
  EXPECT_NEAR(unit(packed.book, shock, 4),
              call(197 / 365.0, 0.30 + shift) - call(197 / 365.0, 0.30), 1e-12);
}

TEST(SurfaceScenarios, TenorShiftsAreFlatBeyondTheTenorsAndAddToTheSurface) {
  const Packed packed = pack_book(
      one_underlying(skew(Sticky::moneyness), {european("P90", Payoff::put, 90, "2001-04-02"),
                                               european("P90L", Payoff::put, 90, "2003-01-02")}));
  const ScenarioSet shock = with_tenors(one_scenario(0.9), {120, 240}, {0.05, -0.03});
  // 90 days, before the first tenor: +0.05 on σ(90/90) = 0.25.
  EXPECT_NEAR(unit(packed.book, shock, 0),
              put_value(90, 90, 90 / 365.0, 0.30) - put_value(100, 90, 90 / 365.0, 0.30), 1e-12);
  // 730 days, beyond the last: −0.03 (the surface is flat in time here: one expiry).
  const double years = 730 / 365.0;
  EXPECT_NEAR(unit(packed.book, shock, 1),
              put_value(90, 90, years, 0.22) - put_value(100, 90, years, 0.30), 1e-12);
}

TEST(SurfaceScenarios, TheFloorAppliesAfterTheShift) {
  const Packed packed = pack_book(
      one_underlying(skew(Sticky::strike), {european("C120", Payoff::call, 120, "2001-04-02")}));
  ScenarioSet drop = one_scenario(1.0);
  drop.vol_moves = {1};
  drop.vol_shift = {-0.5};
  const double t = 90.0 / 365.0;
  const auto call = [t](double vol) {
    return black_scholes_generalized(true, kSpot, 120, t, 0.0, 0.0, vol);
  };
  EXPECT_NEAR(unit(packed.book, drop, 0), call(0.01) - call(0.15), 1e-12);
}

TEST(SurfaceScenarios, AnInstrumentsOwnVolOverridesTheSurface) {
  Instrument own = european("P90", Payoff::put, 90, "2001-04-02");
  own.vol_annual = 0.5;
  const Packed packed = pack_book(one_underlying(skew(Sticky::moneyness), {own}));
  EXPECT_EQ(packed.book.vol_rule[0], VolRule::flat);
  EXPECT_EQ(packed.book.vol_annual[0], 0.5);
  ScenarioSet up = one_scenario(0.9);
  up.vol_moves = {1};
  up.vol_shift = {0.04};
  const double t = 90.0 / 365.0;
  EXPECT_NEAR(unit(packed.book, up, 0), put_value(90, 90, t, 0.54) - put_value(100, 90, t, 0.5),
              1e-12);
}

TEST(SurfaceScenarios, FuturesIgnoreTheSurface) {
  Instrument future;
  future.id = "F";
  future.type = InstrumentType::future;
  future.expiry = date("2001-04-02");
  const Packed packed = pack_book(one_underlying(skew(Sticky::moneyness), {future}));
  EXPECT_EQ(packed.book.vol_rule[0], VolRule::flat);
  EXPECT_NEAR(unit(packed.book, one_scenario(0.9), 0), -10.0, 1e-12);
}

}  // namespace
}  // namespace xm
