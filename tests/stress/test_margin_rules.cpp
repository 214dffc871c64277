// Margin rules and anti-procyclicality (SPEC §5.4), and the config errors of
// §5.3–5.4 with their config.json positions.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numeric>

#include "io/loaders.hpp"
#include "stress/stress_book.hpp"
#include "xmargin/margin_scenarios.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

void expect_close(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::fabs(expected))) << what;
}

constexpr const char* kCrash =
    R"({"named": [{"name": "crash", "shocks": {"*": {"price": -0.3}}}]})";

// A config with one named stress scenario and `json_rules`, read from
// config.json so that the tests cover their parsing too.
Config rules_config(const std::string& json_rules) {
  test::TempDir dir;
  dir.write("config.json", std::string(R"({"scenarios": {"historical": {},
      "stress": {"named": [{"name": "x", "shocks": {"*": {"price": -0.1}}}]}})") +
                               json_rules + "}");
  return load_config(dir.file("config.json"));
}

// The combine rule and tools applied to made-up tails and a named charge.
ComponentValues combine(const Config& config, double statistical, double stress,
                        double floor = -1.0) {
  std::vector<TailRisk> pooled(1), floor_tails(1);
  pooled[0].es = pooled[0].var = statistical;
  floor_tails[0].es = floor_tails[0].var = floor;
  const std::vector<double> charges = {0.0, 0.0, stress};
  ComponentSources sources;
  sources.pooled = &pooled;
  sources.stress = &charges;
  if (config.anti_procyclicality.floor_lookback_days) sources.floor = &floor_tails;
  return portfolio_components(config, sources, 1)[0];
}

ComponentValues combine(const std::string& json_rules, double statistical, double stress,
                        double floor = -1.0) {
  return combine(rules_config(json_rules), statistical, stress, floor);
}

TEST(CombineRule, MaxTakesTheLargerAndBlendWeighsBoth) {
  expect_close(combine("", 100.0, 60.0)[Component::margin], 100.0, "max, statistical larger");
  expect_close(combine("", 100.0, 160.0)[Component::margin], 160.0, "max, stress larger");
  const ComponentValues blended =
      combine(R"(, "combine": {"rule": "blend", "blend": 0.7})", 100.0, 160.0);
  expect_close(blended[Component::margin], 0.7 * 100.0 + 0.3 * 160.0, "blend");
}

TEST(AntiProcyclicality, BufferAddsItsShareUnlessReleased) {
  const ComponentValues on = combine(R"(, "anti_procyclicality": {"buffer": 0.25})", 100.0, 60.0);
  expect_close(on[Component::margin], 125.0, "buffer on");
  expect_close(on[Component::buffer], 25.0, "what the buffer adds");
  const ComponentValues released =
      combine(R"(, "anti_procyclicality": {"buffer": 0.25, "buffer_released": true})", 100.0, 60.0);
  expect_close(released[Component::margin], 100.0, "released");
  EXPECT_EQ(released[Component::buffer], 0.0);
}

TEST(AntiProcyclicality, FloorBindsOnlyWhenTheLongLookbackIsRiskier) {
  const char* rules = R"(, "anti_procyclicality": {"floor_lookback_days": 50})";
  expect_close(combine(rules, 100.0, 60.0, 140.0)[Component::margin], 140.0, "floor binds");
  expect_close(combine(rules, 100.0, 60.0, 80.0)[Component::margin], 100.0, "floor does not");
  expect_close(combine(rules, 100.0, 160.0, 140.0)[Component::margin], 160.0, "stress above both");
}

TEST(MarginDriver, OnATieTheStressKindNamesTheDriver) {
  // margin_rules.md: a stress kind drives when the stress margin is at least the base.
  const Config plain = rules_config("");
  EXPECT_EQ(margin_driver(combine(plain, 100.0, 100.0), plain), "named") << "a tie";
  EXPECT_EQ(margin_driver(combine(plain, 100.0, 99.0), plain), "statistical");
  EXPECT_EQ(margin_driver(combine(plain, 0.0, 0.0), plain), "none");
  const Config floored = rules_config(R"(, "anti_procyclicality": {"floor_lookback_days": 50})");
  EXPECT_EQ(margin_driver(combine(floored, 80.0, 120.0, 120.0), floored), "named")
      << "a tie with the floor";
  EXPECT_EQ(margin_driver(combine(floored, 80.0, 119.0, 120.0), floored), "floor");
}

// The NYSE composite 1966–2002, October 1987 included.
History nyse_history() {
  History history;
  history.path = std::string(XM_SOURCE_DIR) + "/scenarios/data/nyse_composite.csv";
  history.series.push_back({"NYSE", {}, {}});
  std::ifstream in(history.path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    history.dates.push_back(*parse_iso_date(line.substr(0, comma)));
    history.series[0].levels.push_back(std::stod(line.substr(comma + 1)));
  }
  return history;
}

TEST(AntiProcyclicality, StressedWeightScenariosTogetherWeighW) {
  const History history = nyse_history();
  const HistoricalSource source{1000, 2, 1.0};
  AntiProcyclicality apc;
  apc.stressed_weight = 0.25;
  // No period: the 250 scenarios with the largest mean squared move, which
  // hold October 1987, lie before the lookback and join it.
  const ScenarioSet chosen = generate_stressed_historical(history, source, apc);
  ASSERT_EQ(chosen.count(), 1250u);
  const double stressed = std::accumulate(chosen.weight.begin(), chosen.weight.begin() + 250, 0.0);
  const double others = std::accumulate(chosen.weight.begin() + 250, chosen.weight.end(), 0.0);
  EXPECT_NEAR(stressed, 0.25, 1e-12);
  EXPECT_NEAR(others, 0.75, 1e-12);
  bool has_crash = false;
  for (std::size_t j = 0; j < 250; ++j) has_crash |= chosen.label[j] == "1987-10-15/1987-10-19";
  EXPECT_TRUE(has_crash) << chosen.label.front() << " … " << chosen.label[249];

  // A period inside the lookback: no scenario is added, its own weigh w.
  apc.stressed_period = {*parse_iso_date("2001-09-01"), *parse_iso_date("2001-10-31")};
  const ScenarioSet period = generate_stressed_historical(history, source, apc);
  ASSERT_EQ(period.count(), 1000u);
  double in_period = 0.0;
  std::size_t count = 0;
  for (std::size_t j = 0; j < period.count(); ++j) {
    const std::string end = period.label[j].substr(11);
    if (end >= "2001-09-01" && end <= "2001-10-31") {
      in_period += period.weight[j];
      ++count;
    }
  }
  EXPECT_GT(count, 30u);
  EXPECT_NEAR(in_period, 0.25, 1e-12);
  EXPECT_NEAR(std::accumulate(period.weight.begin(), period.weight.end(), 0.0), 1.0, 1e-12);
}

TEST(AntiProcyclicality, FloorScenariosSpanTheLongerLookback) {
  const History history = nyse_history();
  AntiProcyclicality apc;
  apc.floor_lookback_days = 4000;
  const ScenarioSet floor = generate_floor_historical(history, HistoricalSource{250, 2, 1.0}, apc);
  ASSERT_EQ(floor.count(), 4000u);
  EXPECT_EQ(floor.label.back(), generate_historical(history, {250, 2, 1.0}).label.back());
  apc.floor_lookback_days = 100'000;
  EXPECT_THROW(generate_floor_historical(history, {250, 2, 1.0}, apc), InputError);
}

TEST(AntiProcyclicality, FloorBindsInARunWhoseLongLookbackHoldsTheVolatileYears) {
  // The book's history: calm recent rows after volatile ones, so the floor's
  // lookback (all rows) is riskier than the 20-row lookback.
  const test::StressBook book(R"({"historical": {"lookback_days": 20, "mpor_days": 1}})",
                              R"(, "anti_procyclicality": {"floor_lookback_days": 55})", false,
                              /*calm_recent=*/true);
  const auto c = book.components().at("LONG");
  EXPECT_GT(c[Component::floor], 2.0 * c[Component::statistical]);
  EXPECT_EQ(c[Component::margin], c[Component::floor]);
  EXPECT_EQ(margin_driver(c, load_config(book.paths().config)), "floor");
}

struct BadConfig {
  std::string stress;
  std::string message;
};

TEST(StressConfig, BadValuesNameConfigLineAndColumn) {
  const BadConfig cases[] = {
      {R"({"span": {"price_scan": -0.1, "vol_scan": 0.04}})",
       "config.json:1:160: '/scenarios/stress/span/price_scan': price_scan must be between 0 and "
       "0.99"},
      {R"({"span": {"price_scan": 0.1, "vol_scan": 0.04, "covered": 1.5}})",
       "config.json:1:194: '/scenarios/stress/span/covered': covered must be between 0 and 1"},
      {R"({"span": {"price_scan": 0.1, "vol_scan": 0.04, "underlyings": {"ZZ": {"price_scan": 0.1}}}})",
       "config.json:1:199: unknown underlying 'ZZ': the market has no such underlying"},
      {R"({"named": [{"name": "x", "shocks": {"QQ": {"price": -0.1}}}]})",
       "config.json:1:172: unknown underlying 'QQ': the market has no such underlying"},
      {R"({"named": [{"name": "x", "history_dates": ["1999-01-04", "1999-01-05"]}]})",
       "config.json:1:179: history_dates: "},
      {R"({"grid": {"range": 0.1, "steps": 3, "vol_shock": 0.1}})",
       "config.json:1:169: '/scenarios/stress/grid/steps': steps must be even (0 is a grid point)"},
      {R"({"span": {"vol_scan": 0.04}})",
       "config.json:1:145: '/scenarios/stress/span': needs \"price_scan\""},
  };
  for (const BadConfig& bad : cases) {
    const test::StressBook book(test::with_stress(bad.stress));
    const std::string error = book.error();
    EXPECT_EQ(error.rfind(book.dir().file(bad.message), 0), 0u)
        << bad.stress << "\n  got: " << error;
  }
}

TEST(StressConfig, BlendNeedsAStressSource) {
  const test::StressBook book(test::kHistorical, R"(, "combine": {"rule": "blend", "blend": 0.5})");
  EXPECT_NE(book.error().find("rule \"blend\" needs a stress source"), std::string::npos)
      << book.error();
}

}  // namespace
}  // namespace xm
