// Stress charges (SPEC §5.3) against values worked by hand, on the cpu
// backend; tests/stress/test_stress_backends.cpp holds the other backends to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "backends/views_of.hpp"
#include "stress/stress_book.hpp"
#include "xmargin/revaluation.hpp"
#include "xmargin/stress.hpp"

namespace xm {
namespace {

constexpr const char* kSpan = R"({"span": {"price_scan": 0.08, "vol_scan": 0.04}})";

void expect_close(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::fabs(expected))) << what;
}

std::size_t instrument_index(const PreparedRun& prepared, const std::string& id) {
  const auto& list = prepared.inputs.book.instruments;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].id == id) return i;
  }
  throw std::runtime_error("no instrument " + id);
}

TEST(SpanScan, LongFutureLossesAreTheExactScanFractions) {
  const test::StressBook book(test::with_stress(kSpan));
  const PreparedRun prepared = prepare_run(book.paths());
  ASSERT_TRUE(prepared.stress.has_value());
  const StressSet& stress = *prepared.stress;
  ASSERT_EQ(stress.kind_offsets[1], 16u);
  const std::size_t faa = instrument_index(prepared, "FAA");
  const ScenariosView view = scenarios_view_of(stress.scenarios);
  const PackedBook& packed = prepared.packed.book;
  // SPAN's 16: 0, +1/3, −1/3, +2/3, −2/3, +1, −1 of the scan each with vol up
  // and down, then ±2 scans (covered at 0.35). One future of multiplier 10 on
  // a spot of 100 loses 10 · 100 · move.
  const double fractions[16] = {0,  0,  1, 1, -1, -1, 2, 2,
                                -2, -2, 3, 3, -3, -3, 6, -6};  // thirds of the scan
  double worst = 0.0;
  for (std::size_t s = 0; s < 16; ++s) {
    const double pnl = 10.0 * unit_pnl(instruments_view_of(packed), underlyings_view_of(packed),
                                       view, false, faa, s);
    const double loss = -pnl;
    expect_close(loss, -10.0 * 100.0 * fractions[s] / 3.0 * 0.08, "scenario " + std::to_string(s));
    const double covered = s >= 14 ? 0.35 : 1.0;
    EXPECT_EQ(stress.covered[s], covered) << s;  // AA is underlying 0
    worst = std::max(worst, covered * loss);
  }
  expect_close(worst, 80.0, "the −1 scan");
  const auto components = book.components();
  expect_close(components.at("LONG")[Component::span], 80.0, "span charge");
  expect_close(components.at("LONG")[Component::stress], 80.0, "stress margin");
}

TEST(SpanScan, CoveredWriteChargeIsItsWorstScenario) {
  const test::StressBook book(test::with_stress(kSpan));
  const double years = 30.0 / 365.0;
  const double base = test::bs_call(100, 100, 0.2, years);
  const double thirds[7] = {0, 1, -1, 2, -2, 3, -3};
  double worst = 0.0;
  for (double third : thirds) {
    for (int vol : {+1, -1}) {
      const double spot = 100.0 * (1.0 + third / 3.0 * 0.08);
      const double call = test::bs_call(spot, 100, 0.2 + vol * 0.04, years);
      worst = std::max(worst, -10.0 * ((spot - 100.0) - (call - base)));
    }
  }
  for (int sign : {+1, -1}) {
    const double spot = 100.0 * (1.0 + sign * 2 * 0.08);
    const double call = test::bs_call(spot, 100, 0.2, years);
    worst = std::max(worst, 0.35 * -10.0 * ((spot - 100.0) - (call - base)));
  }
  ASSERT_GT(worst, 0.0);
  expect_close(book.components().at("COVERED")[Component::span], worst, "covered write");
}

TEST(SpanScan, UnderlyingsAreSummedWithoutOffsetWhileTheStatisticalMarginOffsets) {
  const test::StressBook book(test::with_stress(kSpan));
  const auto c = book.components();
  // LEG_A: +1 FAA loses 10·100·0.08 = 80; LEG_B: −2 FBB loses 2·20·50·0.08 = 160.
  expect_close(c.at("LEG_A")[Component::span], 80.0, "leg A");
  expect_close(c.at("LEG_B")[Component::span], 160.0, "leg B");
  expect_close(c.at("PAIR")[Component::span], 240.0, "pair: the sum, no offset");
  EXPECT_LT(c.at("PAIR")[Component::statistical],
            0.8 * (c.at("LEG_A")[Component::statistical] + c.at("LEG_B")[Component::statistical]))
      << "the history moves BB with AA: the pair's statistical margin offsets";
  // An isolated account sums its positions' stand-alone components.
  expect_close(c.at("ISO")[Component::span], 240.0, "isolated span");
  expect_close(c.at("ISO")[Component::statistical],
               c.at("LEG_A")[Component::statistical] + c.at("LEG_B")[Component::statistical],
               "isolated statistical");
}

TEST(SpanScan, StressMporDecaysTimeInEveryStressScenario) {
  const test::StressBook book(
      test::with_stress(R"({"mpor_days": 5, "span": {"price_scan": 0.08, "vol_scan": 0.04}})"), "",
      /*time_decay=*/true);
  const PreparedRun prepared = prepare_run(book.paths());
  const PackedBook& packed = prepared.packed.book;
  const ScenariosView view = scenarios_view_of(prepared.stress->scenarios);
  const std::size_t o30 = instrument_index(prepared, "O30");
  // Scenario 0: price unchanged, vol up 4 points, 5 business days of decay.
  const double years = 30.0 / 365.0;
  const double expected =
      test::bs_call(100, 100, 0.24, years - 5.0 / 252.0) - test::bs_call(100, 100, 0.2, years);
  expect_close(
      unit_pnl(instruments_view_of(packed), underlyings_view_of(packed), view, true, o30, 0),
      expected, "decayed by the stress mpor");
  EXPECT_EQ(prepared.stress->scenarios.horizon_days[0], 5.0);
}

TEST(Grid, VolShockFollowsDaysToExpiry) {
  // vol_shock · (30 / max(days, min_days))^power at 7, 30 and 365 days.
  EXPECT_DOUBLE_EQ(term_scaled_vol_shift(0.3, 7, 7, 0.3), 0.3 * std::pow(30.0 / 7.0, 0.3));
  EXPECT_DOUBLE_EQ(term_scaled_vol_shift(0.3, 30, 7, 0.3), 0.3);
  EXPECT_DOUBLE_EQ(term_scaled_vol_shift(0.3, 365, 7, 0.3), 0.3 * std::pow(30.0 / 365.0, 0.3));
  EXPECT_DOUBLE_EQ(term_scaled_vol_shift(0.3, 2, 7, 0.3), term_scaled_vol_shift(0.3, 7, 7, 0.3))
      << "min_days";

  const test::StressBook book(test::with_stress(
      R"({"grid": {"range": 0.1, "steps": 4, "vol_shock": 0.3, "power": 0.3, "min_days": 7}})"));
  const PreparedRun prepared = prepare_run(book.paths());
  const StressSet& stress = *prepared.stress;
  ASSERT_EQ(stress.count(), 15u);  // 5 price points × 3 vols, no extended moves
  const PackedBook& packed = prepared.packed.book;
  const ScenariosView view = scenarios_view_of(stress.scenarios);
  // Scenario 6 is step 2 of 4 (price unchanged) with vol up; 8 with vol down.
  EXPECT_EQ(stress.scenarios.label[6], "grid step 2/4, vol up");
  EXPECT_EQ(stress.scenarios.price_factor[6], 1.0);
  for (const auto& [id, days] : {std::pair{"O7", 7.0}, {"O30", 30.0}, {"O365", 365.0}}) {
    const std::size_t i = instrument_index(prepared, id);
    const double years = days / 365.0;
    const double base = test::bs_call(100, 100, 0.2, years);
    const double shock = 0.3 * std::pow(30.0 / std::max(days, 7.0), 0.3);
    for (const auto& [s, sign] : {std::pair{std::size_t{6}, 1.0}, {std::size_t{8}, -1.0}}) {
      const double pnl =
          unit_pnl(instruments_view_of(packed), underlyings_view_of(packed), view, false, i, s);
      const double vol = std::max(0.2 + sign * shock, 0.01);  // the SPEC's vol floor
      expect_close(pnl, test::bs_call(100, 100, vol, years) - base,
                   std::string(id) + (sign > 0 ? " vol up" : " vol down"));
    }
  }
  // The grid charge of a long future: the −10% point, 10 · 100 · 0.1.
  expect_close(book.components().at("LONG")[Component::grid], 100.0, "grid charge");
}

TEST(Grid, ExtendedMovesCountAtTheirCoveredShare) {
  const test::StressBook book(test::with_stress(
      R"({"grid": {"range": 0.1, "steps": 2, "vol_shock": 0.1,
                    "extended": [{"move": 0.5, "covered": 0.3}]}})"));
  // ±50% at 30%: 0.3 · 10 · 100 · 0.5 = 150 beats the grid's own 10 · 100 · 0.1 = 100.
  expect_close(book.components().at("LONG")[Component::grid], 150.0, "extended move");
}

TEST(Named, ShocksApplyToEveryUnderlyingOrTheirOwn) {
  const test::StressBook book(test::with_stress(
      R"({"named": [{"name": "crash", "shocks": {"*": {"price": -0.2, "vol": 0.15},
                                                 "BB": {"price": 0.1}}},
                    {"name": "calm", "shocks": {"AA": {"price": 0.01}}}]})"));
  const auto c = book.components();
  expect_close(c.at("LONG")[Component::named], 200.0, "AA −20%");
  // PAIR: AA −20% loses 200, short 2 BB +10% loses 2 · 20 · 5 = 200: 400 in one scenario.
  expect_close(c.at("PAIR")[Component::named], 400.0, "joint scenario");
  expect_close(c.at("LEG_B")[Component::named], 200.0, "BB's own entry");
}

TEST(Named, HistoryDatesReplayOctober1987FromTheNyseComposite) {
  test::TempDir dir;
  dir.write("market.json", R"({"valuation_date": "1987-12-31", "underlyings": [
      {"id": "NYSE", "price": 125.91, "vol": 0.3}]})");
  dir.write("instruments.csv",
            "instrument,type,underlying,expiry,multiplier,strike,right,style,on\n"
            "FN,future,NYSE,1988-03-18,10,,,,\n");
  dir.write("positions.csv", "account,instrument,quantity\nA,FN,1\n");
  // The NYSE composite's closes of 1987 from the shared data.
  std::ifstream nyse(std::string(XM_SOURCE_DIR) + "/scenarios/data/nyse_composite.csv");
  std::string line, history = "date,NYSE\n";
  std::getline(nyse, line);
  while (std::getline(nyse, line)) {
    if (line.rfind("1987-", 0) == 0) history += line + "\n";
  }
  dir.write("history.csv", history);
  dir.write("config.json", R"({"time_decay": false, "scenarios": {
      "historical": {"lookback_days": 100, "mpor_days": 1},
      "stress": {"named": [{"name": "1987", "history_dates": ["1987-10-16", "1987-10-19"]}]}}})");
  InputPaths paths;
  paths.market = dir.file("market.json");
  paths.instruments = dir.file("instruments.csv");
  paths.positions = dir.file("positions.csv");
  paths.history = dir.file("history.csv");
  paths.config = dir.file("config.json");
  const PreparedRun prepared = prepare_run(paths);
  const double ratio = 128.62 / 159.13;  // 1987-10-19 over 1987-10-16
  EXPECT_EQ(prepared.stress->scenarios.price_factor[0], ratio);
  EXPECT_EQ(prepared.stress->scenarios.label[0], "named 1987");
  const auto cpu = make_cpu_backend({});
  const RunOutcome outcome = run_margins(prepared, *cpu, false);
  expect_close(outcome.components[0].values[Component::named], 10.0 * 125.91 * (1.0 - ratio),
               "the crash on one future");
}

TEST(Stress, MarginIsTheLargestKindUnderTheMaxRule) {
  const test::StressBook book(test::with_stress(
      R"({"span": {"price_scan": 0.08, "vol_scan": 0.04},
          "named": [{"name": "crash", "shocks": {"*": {"price": -0.3}}}]})"));
  const auto c = book.components().at("LONG");
  expect_close(c[Component::stress], 300.0, "named −30% beats span's 80");
  expect_close(c[Component::margin], std::max(c[Component::statistical], 300.0), "max rule");
}

}  // namespace
}  // namespace xm
