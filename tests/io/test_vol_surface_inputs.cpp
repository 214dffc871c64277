// market.json vol surfaces, the calendar-arbitrage switch of config.json and the tenor vol
// columns of history.csv (SPEC §6): what loads, and every bad surface with its exact
// file:line:column.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "support/test_support.hpp"
#include "xmargin/error.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/pipeline.hpp"

namespace xm {
namespace {

// The small book with a surface on AA (its call reads it) in a market.json laid out one key per
// line, so that each error's line and column point at one value.
const char* const kMarket =
    "{\n"
    "  \"valuation_date\": \"2001-01-02\",\n"
    "  \"underlyings\": [\n"
    "    {\"id\": \"AA\", \"price\": 100, \"rate\": 0.05, \"dividend_yield\": 0.01,\n"
    "     \"vol_surface\": {\n"
    "       \"expiries\": [\"2001-03-16\", \"2001-06-15\"],\n"
    "       \"moneyness\": [0.8, 0.9, 1.0, 1.1, 1.2],\n"
    "       \"vols\": [[0.42, 0.37, 0.33, 0.31, 0.30],\n"
    "                [0.39, 0.35, 0.32, 0.30, 0.29]],\n"
    "       \"sticky\": \"strike\"}},\n"
    "    {\"id\": \"BB\", \"price\": 50, \"vol\": 0.2}\n"
    "  ]\n"
    "}\n";

class VolSurfaceInput : public ::testing::Test, protected test::BookToBreak {
 protected:
  void SetUp() override { files["market.json"] = kMarket; }

  std::string market_error(const std::string& from, const std::string& to) const {
    return replace("market.json", from, to);
  }
};

TEST_F(VolSurfaceInput, ASurfaceLoadsAndPacks) {
  for (const auto& [file, content] : files) dir.write(file, content);
  const PreparedRun prepared = prepare_run(test::small_book_paths(dir));
  const Underlying& aa = prepared.inputs.book.market.underlyings[0];
  ASSERT_TRUE(aa.vol_surface.has_value());
  EXPECT_EQ(aa.vol_annual, 0.0);  // no flat vol: the surface stands instead
  EXPECT_EQ(aa.vol_surface->expiries,
            (std::vector<Date>{*parse_iso_date("2001-03-16"), *parse_iso_date("2001-06-15")}));
  EXPECT_EQ(aa.vol_surface->moneyness, (std::vector<double>{0.8, 0.9, 1.0, 1.1, 1.2}));
  EXPECT_EQ(aa.vol_surface->vols.size(), 10u);
  EXPECT_EQ(aa.vol_surface->vols[5], 0.39);
  EXPECT_EQ(aa.vol_surface->sticky, Sticky::strike);
  EXPECT_FALSE(prepared.inputs.book.market.underlyings[1].vol_surface.has_value());

  const PackedBook& packed = prepared.packed.book;
  EXPECT_EQ(packed.surface_count(), 1u);
  ASSERT_EQ(packed.surface_shape.size(), 2u);
  EXPECT_EQ(packed.surface_shape[0].expiry_count, 2);
  EXPECT_EQ(packed.surface_shape[0].node_count, 5);
  EXPECT_EQ(packed.surface_shape[1].expiry_count, 0);
  EXPECT_EQ(packed.surface_expiry_years, (std::vector<double>{73 / 365.0, 164 / 365.0}));
  // CAA: the call at 100 on 2001-03-16 (the first expiry) reads m = 100 / F₀ just below 1.
  EXPECT_EQ(packed.vol_rule[1], VolRule::sticky_strike);
  const double m = 100.0 / (100.0 * std::exp(0.04 * 73 / 365.0));
  const double t = (m - 0.9) / 0.1;
  EXPECT_NEAR(packed.vol_annual[1], (1 - t) * 0.37 + t * 0.33, 1e-15);
  // PBB has its own vol; BB has no surface.
  EXPECT_EQ(packed.vol_rule[2], VolRule::flat);
}

TEST_F(VolSurfaceInput, StickyDefaultsToMoneyness) {
  files["market.json"].replace(files["market.json"].find(",\n       \"sticky\": \"strike\""),
                               std::string(",\n       \"sticky\": \"strike\"").size(), "");
  for (const auto& [file, content] : files) dir.write(file, content);
  const PreparedRun prepared = prepare_run(test::small_book_paths(dir));
  EXPECT_EQ(prepared.inputs.book.market.underlyings[0].vol_surface->sticky, Sticky::moneyness);
  EXPECT_EQ(prepared.packed.book.vol_rule[1], VolRule::sticky_moneyness);
}

TEST_F(VolSurfaceInput, VolOrSurfaceIsRequired) {
  EXPECT_EQ(market_error("{\"id\": \"BB\", \"price\": 50, \"vol\": 0.2}",
                         "{\"id\": \"BB\", \"price\": 50}"),
            "market.json:11:5: '/underlyings/1': missing key 'vol' (or 'vol_surface')");
}

TEST_F(VolSurfaceInput, UnknownAndMissingKeys) {
  EXPECT_EQ(market_error("\"sticky\"", "\"stick\""),
            "market.json:10:8: '/underlyings/0/vol_surface/stick': unknown key 'stick' "
            "(expected: expiries, moneyness, vols, sticky)");
  EXPECT_EQ(market_error("\"moneyness\": [0.8, 0.9, 1.0, 1.1, 1.2],", ""),
            "market.json:5:21: '/underlyings/0/vol_surface': missing key 'moneyness'");
  EXPECT_EQ(market_error("\"strike\"", "\"delta\""),
            "market.json:10:18: '/underlyings/0/vol_surface/sticky': expected \"moneyness\" or "
            "\"strike\", found \"delta\"");
}

TEST_F(VolSurfaceInput, UnsortedOrDuplicateMoneynessNodes) {
  EXPECT_EQ(market_error("[0.8, 0.9, 1.0, 1.1, 1.2]", "[0.8, 1.0, 0.9, 1.1, 1.2]"),
            "market.json:7:32: '/underlyings/0/vol_surface/moneyness/2': moneyness nodes must "
            "be strictly ascending (previous is 1)");
  EXPECT_EQ(market_error("[0.8, 0.9, 1.0, 1.1, 1.2]", "[0.8, 0.9, 0.9, 1.1, 1.2]"),
            "market.json:7:32: '/underlyings/0/vol_surface/moneyness/2': duplicate moneyness "
            "node");
  EXPECT_EQ(market_error("[0.8, 0.9, 1.0, 1.1, 1.2]", "[0, 0.9, 1.0, 1.1, 1.2]"),
            "market.json:7:22: '/underlyings/0/vol_surface/moneyness/0': moneyness K/F must be "
            "> 0");
  EXPECT_EQ(market_error("[0.8, 0.9, 1.0, 1.1, 1.2]", "[]"),
            "market.json:7:21: '/underlyings/0/vol_surface/moneyness': expected at least one "
            "moneyness node");
}

TEST_F(VolSurfaceInput, UnsortedDuplicateOrEarlyExpiries) {
  EXPECT_EQ(market_error("[\"2001-03-16\", \"2001-06-15\"]", "[\"2001-06-15\", \"2001-03-16\"]"),
            "market.json:6:35: '/underlyings/0/vol_surface/expiries/1': expiries must be "
            "strictly ascending (previous is 2001-06-15)");
  EXPECT_EQ(market_error("[\"2001-03-16\", \"2001-06-15\"]", "[\"2001-03-16\", \"2001-03-16\"]"),
            "market.json:6:35: '/underlyings/0/vol_surface/expiries/1': duplicate expiry");
  EXPECT_EQ(market_error("\"2001-03-16\", \"2001-06-15\"", "\"2001-01-02\", \"2001-06-15\""),
            "market.json:6:21: '/underlyings/0/vol_surface/expiries/0': expiry must be after "
            "the valuation date 2001-01-02");
  EXPECT_EQ(market_error("\"2001-03-16\", \"2001-06-15\"", "\"2000-12-29\", \"2001-06-15\""),
            "market.json:6:21: '/underlyings/0/vol_surface/expiries/0': expiry must be after "
            "the valuation date 2001-01-02");
  EXPECT_EQ(market_error("\"2001-03-16\", \"2001-06-15\"", "\"2001-02-30\", \"2001-06-15\""),
            "market.json:6:21: '/underlyings/0/vol_surface/expiries/0': expected a date "
            "YYYY-MM-DD");
}

TEST_F(VolSurfaceInput, VolsOutOfBounds) {
  EXPECT_EQ(market_error("0.35, 0.32", "0.35, 0"),
            "market.json:9:30: '/underlyings/0/vol_surface/vols/1/2': vol must be > 0 and at most "
            "10");
  EXPECT_EQ(market_error("0.35, 0.32", "0.35, -0.32"),
            "market.json:9:30: '/underlyings/0/vol_surface/vols/1/2': vol must be > 0 and at most "
            "10");
  // The upper bound keeps every option value, and so every P&L, finite.
  EXPECT_EQ(market_error("0.35, 0.32", "0.35, 1e300"),
            "market.json:9:30: '/underlyings/0/vol_surface/vols/1/2': vol must be > 0 and at most "
            "10");
  EXPECT_EQ(market_error("0.35, 0.32", "0.35, \"0.32\""),
            "market.json:9:30: '/underlyings/0/vol_surface/vols/1/2': expected a number, found "
            "string");
}

TEST_F(VolSurfaceInput, RaggedOrMissingRows) {
  EXPECT_EQ(market_error("[0.39, 0.35, 0.32, 0.30, 0.29]", "[0.39, 0.35, 0.32, 0.30]"),
            "market.json:9:17: '/underlyings/0/vol_surface/vols/1': expected 5 vols (one per "
            "moneyness node), found 4");
  EXPECT_EQ(market_error(",\n                [0.39, 0.35, 0.32, 0.30, 0.29]", ""),
            "market.json:8:16: '/underlyings/0/vol_surface/vols': expected 2 rows (one per "
            "expiry), found 1");
}

TEST_F(VolSurfaceInput, CalendarArbitrageIsAnErrorByDefault) {
  // σ²T at m = 1.1: 0.31² · 73/365 = 0.01922 at the first expiry; 0.2² · 164/365 = 0.01797 at
  // the second.
  EXPECT_EQ(market_error("0.32, 0.30, 0.29]", "0.32, 0.20, 0.29]"),
            "market.json:9:36: '/underlyings/0/vol_surface/vols/1/3': calendar arbitrage: total "
            "variance vol^2*T falls from 0.01922 at 2001-03-16 to "
            "0.01797260273972603 at 2001-06-15 (moneyness 1.1); config.json \"vol_surface\": "
            "{\"allow_calendar_arbitrage\": true} accepts it");
}

TEST_F(VolSurfaceInput, TheConfigSwitchAcceptsCalendarArbitrageWithAWarning) {
  files["config.json"] =
      "{\"measure\": \"es\", \"confidence\": 0.8,\n"
      " \"scenarios\": {\"historical\": {\"lookback_days\": 5, \"mpor_days\": 2}},\n"
      " \"vol_surface\": {\"allow_calendar_arbitrage\": true}}\n";
  ::testing::internal::CaptureStderr();
  const std::string error = market_error("0.32, 0.30, 0.29]", "0.32, 0.20, 0.29]");
  std::string warning = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(error, "no error");
  const std::size_t at = warning.find(dir.path() + "/");
  ASSERT_NE(at, std::string::npos) << warning;
  warning.erase(at, dir.path().size() + 1);
  EXPECT_EQ(warning,
            "xmargin: warning: market.json:9:36: '/underlyings/0/vol_surface/vols/1/3': calendar "
            "arbitrage: total variance vol^2*T falls from 0.01922 at 2001-03-16 to "
            "0.01797260273972603 at 2001-06-15 (moneyness 1.1)\n");
}

TEST_F(VolSurfaceInput, TheConfigSwitchIsChecked) {
  EXPECT_EQ(replace("config.json", "\"time_decay\": true",
                    "\"vol_surface\": {\"allow_calendar_arbitrage\": 1}"),
            "config.json:1:82: '/vol_surface/allow_calendar_arbitrage': expected true or false, "
            "found number");
  EXPECT_EQ(replace("config.json", "\"time_decay\": true",
                    "\"vol_surface\": {\"allow_arbitrage\": true}"),
            "config.json:1:54: '/vol_surface/allow_arbitrage': unknown key 'allow_arbitrage' "
            "(expected: allow_calendar_arbitrage)");
}

TEST_F(VolSurfaceInput, TenorColumnsLoadSortedByDays) {
  files["history.csv"] =
      "date,AA,BB,AA.vol@365d,AA.vol@30d,AA.vol,CC.vol@x\n"
      "2000-12-20,90,48,0.25,0.30,0.3,1\n"
      "2000-12-21,92,49,0.26,0.31,0.3,1\n"
      "2000-12-22,95,47,0.25,0.29,0.3,1\n"
      "2000-12-26,97,50,0.27,0.33,0.3,1\n"
      "2000-12-27,99,51,0.26,0.30,0.3,1\n"
      "2000-12-28,98,52,0.25,0.28,0.3,1\n"
      "2000-12-29,100,50,0.25,0.30,0.3,1\n";
  for (const auto& [file, content] : files) dir.write(file, content);
  const PreparedRun prepared = prepare_run(test::small_book_paths(dir));
  const HistorySeries& aa = prepared.inputs.history->series[0];
  ASSERT_EQ(aa.tenor_vols.size(), 2u);
  EXPECT_EQ(aa.tenor_vols[0].days, 30);
  EXPECT_EQ(aa.tenor_vols[1].days, 365);
  EXPECT_EQ(aa.tenor_vols[0].vols[3], 0.33);
  EXPECT_TRUE(prepared.inputs.history->series[1].tenor_vols.empty());

  // The tenors replace AA's .vol column: AA moves by tenor, BB not at all.
  const ScenarioSet& s = prepared.scenarios;
  EXPECT_EQ(s.vol_moves, (std::vector<std::uint8_t>{0, 0}));
  EXPECT_EQ(s.tenor_offsets, (std::vector<std::int32_t>{0, 2, 2}));
  EXPECT_EQ(s.tenor_days, (std::vector<double>{30, 365}));
  // Scenario 0 spans 2000-12-20 → 2000-12-22: 0.29 − 0.30 at 30 days, 0.25 − 0.25 at 365.
  EXPECT_EQ(s.tenor_shift[0 * 5 + 0], 0.29 - 0.30);
  EXPECT_EQ(s.tenor_shift[1 * 5 + 0], 0.0);
  // Scenario 3 spans 2000-12-26 → 2000-12-28.
  EXPECT_EQ(s.tenor_shift[0 * 5 + 3], 0.28 - 0.33);
  EXPECT_EQ(s.tenor_shift[1 * 5 + 3], 0.25 - 0.27);
  EXPECT_EQ(s.vol_shift[0 * 5 + 0], 0.0);
}

TEST_F(VolSurfaceInput, BadTenorColumns) {
  EXPECT_EQ(replace("history.csv", "date,AA,BB,AA.vol", "date,AA,BB,AA.vol@30"),
            "history.csv:1:12: column 'AA.vol@30': expected AA.vol@<days>d with whole calendar "
            "days 1..36500 (for example AA.vol@30d)");
  EXPECT_EQ(replace("history.csv", "date,AA,BB,AA.vol", "date,AA,BB,AA.vol@0d"),
            "history.csv:1:12: column 'AA.vol@0d': expected AA.vol@<days>d with whole calendar "
            "days 1..36500 (for example AA.vol@30d)");
  const std::string rows = "\n2000-12-20,90,48,0.30,0.3\n2000-12-21,92,49,0.31,0.3\n";
  EXPECT_EQ(error_with("history.csv", "date,AA,BB,AA.vol@30d,AA.vol@030d" + rows),
            "history.csv:1:23: column 'AA.vol@030d' repeats the tenor of column 'AA.vol@30d'");
  EXPECT_EQ(replace("history.csv", "2000-12-22,95,47,0.29", "2000-12-22,95,47,-0.29"),
            "history.csv:4:18: column 'AA.vol': implied vol must be between 0 and 10");
}

}  // namespace
}  // namespace xm
