// config.json's scenario sources (SPEC §5, §5.1, §5.2): values, defaults, and
// errors that name file:line:column.
#include <gtest/gtest.h>

#include <utility>

#include "io/loaders.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

TEST(ScenarioConfig, ReadsEverySource) {
  test::TempDir dir;
  dir.write("config.json", R"({"scenarios": {
  "historical": {"lookback_days": 750, "mpor_days": 3, "weight": 0.5},
  "filtered_historical": {"lookback_days": 500, "mpor_days": 2, "lambda": 0.95, "seed_days": 20,
                          "weight": 1.5},
  "monte_carlo": {"count": 250000, "mpor_days": 5, "seed": 20011231,
                  "distribution": "student_t", "nu": 4.5,
                  "covariance": {"window_days": 250, "lambda": 0.94},
                  "vol_factors": false, "weight": 2}}})");
  const Config config = load_config(dir.file("config.json"));
  ASSERT_TRUE(config.historical && config.filtered_historical && config.monte_carlo);
  EXPECT_EQ(config.historical->lookback_days, 750);
  EXPECT_EQ(config.historical->weight, 0.5);
  const FilteredHistoricalSource& fhs = *config.filtered_historical;
  EXPECT_EQ(fhs.lookback_days, 500);
  EXPECT_EQ(fhs.mpor_days, 2);
  EXPECT_EQ(fhs.lambda, 0.95);
  EXPECT_EQ(fhs.seed_days, 20);
  EXPECT_EQ(fhs.weight, 1.5);
  const MonteCarloSource& mc = *config.monte_carlo;
  EXPECT_EQ(mc.count, 250000);
  EXPECT_EQ(mc.mpor_days, 5);
  EXPECT_EQ(mc.seed, 20011231u);
  EXPECT_EQ(mc.distribution, McDistribution::student_t);
  EXPECT_EQ(mc.nu, 4.5);
  EXPECT_EQ(mc.window_days, 250);
  EXPECT_EQ(mc.ewma_lambda, 0.94);
  EXPECT_FALSE(mc.vol_factors);
  EXPECT_EQ(mc.weight, 2.0);
}

TEST(ScenarioConfig, DefaultsAreTheSpecExamples) {
  test::TempDir dir;
  dir.write("config.json", R"({"scenarios": {"monte_carlo": {}, "filtered_historical": {}}})");
  const Config config = load_config(dir.file("config.json"));
  EXPECT_FALSE(config.historical);  // listing sources replaces the default one
  ASSERT_TRUE(config.monte_carlo && config.filtered_historical);
  EXPECT_EQ(config.monte_carlo->count, 10000);
  EXPECT_EQ(config.monte_carlo->mpor_days, 2);
  EXPECT_EQ(config.monte_carlo->distribution, McDistribution::normal);
  EXPECT_EQ(config.monte_carlo->window_days, 500);
  EXPECT_FALSE(config.monte_carlo->ewma_lambda);  // sample covariance
  EXPECT_TRUE(config.monte_carlo->vol_factors);
  EXPECT_EQ(config.monte_carlo->weight, 1.0);
  EXPECT_EQ(config.filtered_historical->lookback_days, 1000);
  EXPECT_EQ(config.filtered_historical->lambda, 0.97);
  EXPECT_EQ(config.filtered_historical->seed_days, 30);
}

TEST(ScenarioConfig, BadValuesNameFileLineAndColumn) {
  test::TempDir dir;
  auto error_of = [&](const std::string& sources) -> std::string {
    dir.write("config.json", "{\"scenarios\": {\n" + sources + "\n}}");
    try {
      load_config(dir.file("config.json"));
    } catch (const InputError& error) {
      return std::string(error.what()).substr(dir.path().size() + 1);
    }
    return "no error";
  };
  // Each case: the sources, then the message (after the folder).
  const std::pair<const char*, const char*> cases[] = {
      {R"("monte_carlo": {"count": 1000000})", "no error"},
      {R"("monte_carlo": {"count": 1000001})",
       "config.json:2:26: '/scenarios/monte_carlo/count': count must be between 1 and 1000000"},
      {R"("monte_carlo": {"count": 0})",
       "config.json:2:26: '/scenarios/monte_carlo/count': count must be between 1 and 1000000"},
      {R"("monte_carlo": {"distribution": "student_t", "nu": 2})",
       "config.json:2:52: '/scenarios/monte_carlo/nu': nu must be > 2 and at most 1000"},
      {R"("monte_carlo": {"nu": 5})", "no error"},  // with a warning (ConfigWarnings)
      {R"("monte_carlo": {"distribution": "cauchy"})",
       "config.json:2:33: '/scenarios/monte_carlo/distribution': expected \"normal\" or "
       "\"student_t\", found \"cauchy\""},
      {R"("monte_carlo": {"covariance": {"window_days": 1}})",
       "config.json:2:47: '/scenarios/monte_carlo/covariance/window_days': window_days must be "
       "between 2 and 1000000"},
      {R"("monte_carlo": {"covariance": {"lambda": 1}})",
       "config.json:2:42: '/scenarios/monte_carlo/covariance/lambda': lambda must be strictly "
       "between 0 and 1"},
      {R"("monte_carlo": {"covariance": {"halflife": 10}})",
       "config.json:2:32: '/scenarios/monte_carlo/covariance/halflife': unknown key 'halflife' "
       "(expected: window_days, lambda)"},
      {R"("monte_carlo": {"seed": -1})",
       "config.json:2:25: '/scenarios/monte_carlo/seed': seed must be a whole number from 0 to "
       "18446744073709551615 (2^64 - 1), found -1"},
      {R"("monte_carlo": {"seed": 18446744073709551615})", "no error"},
      {R"("monte_carlo": {"seed": 18446744073709551616})",
       "config.json:2:25: '/scenarios/monte_carlo/seed': seed must be a whole number from 0 to "
       "18446744073709551615 (2^64 - 1), found 1.8446744073709552e+19"},
      {R"("monte_carlo": {"seed": 1.5})",
       "config.json:2:25: '/scenarios/monte_carlo/seed': seed must be a whole number from 0 to "
       "18446744073709551615 (2^64 - 1), found 1.5"},
      {R"("monte_carlo": {"weight": 2})", "no error"},  // with a warning (ConfigWarnings)
      {R"("monte_carlo": {"weight": 1e308}, "historical": {"weight": 1e308})", "no error"},
      {R"("monte_carlo": {"vol_factors": 1})",
       "config.json:2:32: '/scenarios/monte_carlo/vol_factors': expected true or false, found "
       "number"},
      {R"("monte_carlo": {"weight": 0})",
       "config.json:2:27: '/scenarios/monte_carlo/weight': weight must be > 0"},
      {R"("monte_carlo": {"paths": 5})",
       "config.json:2:17: '/scenarios/monte_carlo/paths': unknown key 'paths' (expected: count, "
       "mpor_days, seed, distribution, nu, covariance, vol_factors, weight)"},
      {R"("filtered_historical": {"lambda": 0})",
       "config.json:2:35: '/scenarios/filtered_historical/lambda': lambda must be strictly between "
       "0 and 1"},
      {R"("filtered_historical": {"seed_days": 0})",
       "config.json:2:38: '/scenarios/filtered_historical/seed_days': seed_days must be between 1 "
       "and 1000000"},
      {R"("historical": {"weight": -1})",
       "config.json:2:26: '/scenarios/historical/weight': weight must be > 0"},
      {R"("stress": {"span": {"price_scan": 0.1, "vol_scan": 0.01}})",
       "config.json:1:15: '/scenarios': expected at least one statistical scenario source "
       "(historical, filtered_historical or monte_carlo)"},
      {R"("historical": {}, "stress": {})",
       "config.json:2:29: '/scenarios/stress': expected at least one of span, grid, named"},
      {R"("stressed": {})",
       "config.json:2:1: '/scenarios/stressed': unknown key 'stressed' (expected: historical, "
       "filtered_historical, monte_carlo, stress)"},
  };
  for (const auto& [sources, message] : cases) EXPECT_EQ(error_of(sources), message) << sources;
}

}  // namespace
}  // namespace xm
