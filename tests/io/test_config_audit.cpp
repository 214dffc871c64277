// Inputs that parsed but did nothing, or collided with the file formats'
// syntax, and messages that misstated their rule (issue 14, items 4, 11, 12):
// each is now refused at its key with the real rule.
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.hpp"

namespace xm {
namespace {

class ConfigAudit : public ::testing::Test, protected test::BookToBreak {
 protected:
  std::string config_error(const std::string& config) { return error_with("config.json", config); }
  std::string market_error(const std::string& from, const std::string& to) {
    return replace("market.json", from, to);
  }
};

TEST_F(ConfigAudit, UnderlyingIdsThatReadAsColumnsOrWildcardsAreRefusedAtTheId) {
  const std::string at = "market.json:5:12: '/underlyings/1/id': ";
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"AA.vol\""),
            at + "an underlying id may not end in '.vol', which marks a column of history or "
                 "scenario files");
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"AA.vol_shift@30d\""),
            at + "an underlying id may not contain '@', which marks a tenor column (<id>.vol@30d)");
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"BB.price_factor\""),
            at + "an underlying id may not end in '.price_factor', which marks a column of "
                 "history or scenario files");
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"BB.vol_shift\""),
            at + "an underlying id may not end in '.vol_shift', which marks a column of history "
                 "or scenario files");
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"*\""),
            at + "'*' stands for every underlying in stress shocks and cannot be an id");
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"date\""),
            at + "'date' is history.csv's date column and cannot be an id");
  // A dot elsewhere is an ordinary ticker (BRK.B).
  EXPECT_EQ(market_error("\"id\": \"BB\"", "\"id\": \"BRK.B\""),
            "instruments.csv:4:12: column 'underlying': unknown underlying 'BB' (not in "
            "market.json)");
}

// The small book's config with `sources` as its scenarios.
std::string with_scenarios(const std::string& sources) {
  return "{\"measure\": \"es\", \"confidence\": 0.8,\n \"scenarios\": {\"historical\": "
         "{\"lookback_days\": 5, \"mpor_days\": 1},\n" +
         sources + "}}";
}

TEST_F(ConfigAudit, AWildcardOrEmptyOverrideOfSpanOrGridIsRefused) {
  EXPECT_EQ(
      config_error(with_scenarios(
          R"("stress": {"span": {"price_scan": 0.1, "vol_scan": 0.02, "underlyings": {"*": {"price_scan": 0.2}}}})")),
      "config.json:3:74: '/scenarios/stress/span/underlyings/*': '*' is not an underlying: "
      "span's own keys already apply to every underlying not listed");
  EXPECT_EQ(
      config_error(with_scenarios(
          R"("stress": {"grid": {"range": 0.1, "steps": 2, "vol_shock": 0.1, "underlyings": {"*": {"steps": 4}}}})")),
      "config.json:3:81: '/scenarios/stress/grid/underlyings/*': '*' is not an underlying: "
      "grid's own keys already apply to every underlying not listed");
  EXPECT_EQ(
      config_error(with_scenarios(
          R"("stress": {"span": {"price_scan": 0.1, "vol_scan": 0.02, "underlyings": {"AA": {}}}})")),
      "config.json:3:80: '/scenarios/stress/span/underlyings/AA': expected at least one key "
      "overriding span's");
  EXPECT_EQ(
      config_error(with_scenarios(R"("stress": {"named": [{"name": "n", "shocks": {"AA": {}}}]})")),
      "config.json:3:53: '/scenarios/stress/named/0/shocks/AA': a shock needs \"price\" or "
      "\"vol\"");
}

TEST_F(ConfigAudit, StressMporDaysWithoutTimeDecayIsRefused) {
  EXPECT_EQ(config_error(R"({"time_decay": false, "scenarios": {"historical": {"lookback_days": 5},
  "stress": {"mpor_days": 3, "named": [{"name": "n", "shocks": {"*": {"price": -0.1}}}]}}})"),
            "config.json:2:14: '/scenarios/stress/mpor_days': mpor_days decays time in stress "
            "scenarios, and time_decay is false");
}

// SPEC's own examples carry keys that do nothing in them (nu with a normal
// distribution, blend with rule max): those are read and ignored with a
// warning at the key, never silently, and the run goes on.
TEST(ConfigWarnings, KeysThatDoNothingAreNamedOnStderr) {
  test::TempDir dir;
  test::write_small_book(dir);
  dir.write("config.json", R"({"measure": "es", "confidence": 0.8,
 "scenarios": {"monte_carlo": {"count": 50, "nu": 4, "weight": 2, "covariance": {"window_days": 5}}},
 "combine": {"rule": "max", "blend": 0.5}})");
  const test::CommandResult result =
      test::run_command(std::string(XM_BINARY) + " run --dir " + dir.path() + " --out " +
                        dir.file("out") + " --backend cpu");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* warning :
       {"config.json:2:45: '/scenarios/monte_carlo/nu': nu is read only for distribution "
        "\"student_t\": ignored",
        "config.json:2:54: '/scenarios/monte_carlo/weight': weight shares the pool between "
        "scenario sources; a lone source is the whole pool: ignored",
        "config.json:3:29: '/combine/blend': blend is read only for rule \"blend\": ignored",
        "config.json:3:2: '/combine': no stress source (scenarios.stress) to combine with: "
        "ignored"}) {
    EXPECT_NE(result.output.find(std::string("xmargin: warning: ") + dir.path() + "/" + warning),
              std::string::npos)
        << warning << "\n"
        << result.output;
  }
}

TEST_F(ConfigAudit, AGridVolShockBeyondEveryScenariosBoundIsRefused) {
  // 5 vol points × (30 / 1)^1 = 150 at a day to expiry.
  EXPECT_EQ(
      config_error(with_scenarios(
          R"("stress": {"grid": {"range": 0.1, "steps": 2, "vol_shock": 5, "power": 1, "min_days": 1}})")),
      "config.json:3:20: '/scenarios/stress/grid': the largest vol shock of this grid, "
      "vol_shock * (30 / min_days)^power = 150, must be at most 10");
  EXPECT_EQ(
      config_error(with_scenarios(
          R"("stress": {"grid": {"range": 0.1, "steps": 2, "vol_shock": 0.5, "power": 1, "min_days": 1.5}})")),
      "no error");
}

TEST_F(ConfigAudit, AOneDayStressedPeriodIsInclusive) {
  // The small book's history has rows 2000-12-20, 21, 22, 26 … 29; the 1-day
  // move ending 12-22 lies just before the 4-scenario lookback.
  const auto config = [](const std::string& from, const std::string& to) {
    return R"({"measure": "es", "confidence": 0.8,
 "scenarios": {"historical": {"lookback_days": 4, "mpor_days": 1}},
 "anti_procyclicality": {"stressed_weight": 0.3, "stressed_period": [")" +
           from + "\", \"" + to + "\"]}}";
  };
  EXPECT_EQ(config_error(config("2000-12-22", "2000-12-22")), "no error");
  // A day with no row holds no scenario.
  EXPECT_EQ(
      config_error(config("2000-12-23", "2000-12-23"))
          .rfind("config.json:3:69: no historical scenario (mpor 1 days) ends between 2000-12-23 "
                 "and 2000-12-23 in ",
                 0),
      0u);
  EXPECT_EQ(config_error(config("2000-12-27", "2000-12-26")),
            "config.json:3:84: '/anti_procyclicality/stressed_period/1': the second date must be "
            "the first or after it (the period is inclusive)");
}

TEST(CalendarWarnings, AreSummarisedAfterTheFirstFive) {
  test::TempDir dir;
  test::write_small_book(dir);
  // 3 expiries × 10 nodes, total variance falling at every node: 20 violations.
  std::string nodes, near, middle, far;
  for (int j = 0; j < 10; ++j) {
    const std::string sep = j == 0 ? "" : ", ";
    nodes += sep + std::to_string(0.8 + 0.05 * j).substr(0, 4);
    near += sep + "0.9";
    middle += sep + "0.5";
    far += sep + "0.3";
  }
  dir.write("market.json",
            "{\"valuation_date\": \"2001-01-02\", \"underlyings\": [\n"
            "  {\"id\": \"AA\", \"price\": 100, \"vol\": 0.3, \"vol_surface\": {\"expiries\": "
            "[\"2001-03-16\", \"2001-06-15\", \"2001-12-14\"], \"moneyness\": [" +
                nodes + "], \"vols\": [[" + near + "], [" + middle + "], [" + far +
                "]]}},\n"
                "  {\"id\": \"BB\", \"price\": 50, \"vol\": 0.2}]}\n");
  dir.write("config.json",
            "{\"measure\": \"es\", \"confidence\": 0.8, \"vol_surface\": "
            "{\"allow_calendar_arbitrage\": true},\n \"scenarios\": {\"historical\": "
            "{\"lookback_days\": 5, \"mpor_days\": 2}}}\n");
  const test::CommandResult result =
      test::run_command(std::string(XM_BINARY) + " run --dir " + dir.path() + " --out " +
                        dir.file("out") + " --backend cpu");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::size_t warnings = 0;
  for (std::size_t at = 0; (at = result.output.find("warning: ", at)) != std::string::npos; ++at) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 6u) << result.output;  // five violations and the summary
  EXPECT_NE(result.output.find("market.json: 15 more calendar arbitrage violations not shown (20 "
                               "in all)"),
            std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace xm
