// Several scenario sources in one run (SPEC §5): weights split and normalised,
// one weighted tail, the pooled set exported and replayed byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "support/test_support.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

ScenarioSet hand_set(const char* source, std::size_t count, double factor, bool vol) {
  ScenarioSet set;
  set.underlying_ids = {"AA", "BB"};
  set.vol_moves = {static_cast<std::uint8_t>(vol ? 1 : 0), 0};
  for (std::size_t u = 0; u < 2; ++u) {
    for (std::size_t s = 0; s < count; ++s) {
      set.price_factor.push_back(factor + 0.1 * static_cast<double>(u) +
                                 0.01 * static_cast<double>(s));
      set.vol_shift.push_back(vol && u == 0 ? 0.02 : 0.0);
    }
  }
  set.horizon_days.assign(count, 2.0);
  set.weight.assign(count, 1.0 / static_cast<double>(count));
  set.source.assign(count, source);
  for (std::size_t s = 0; s < count; ++s) set.label.push_back(source + std::to_string(s));
  return set;
}

TEST(Pooling, EachSourceWeightIsSplitAmongItsScenariosThenNormalised) {
  const ScenarioSet pooled = pool_scenarios({{hand_set("h", 5, 0.9, false), 1.0},
                                             {hand_set("f", 2, 1.0, true), 1.0},
                                             {hand_set("m", 10, 1.1, false), 3.0}});
  ASSERT_EQ(pooled.count(), 17u);
  // Total weight 5: historical 1/5 over 5, filtered 1/5 over 2, Monte Carlo 3/5 over 10.
  for (std::size_t s = 0; s < 5; ++s) EXPECT_DOUBLE_EQ(pooled.weight[s], 0.04) << s;
  for (std::size_t s = 5; s < 7; ++s) EXPECT_DOUBLE_EQ(pooled.weight[s], 0.1) << s;
  for (std::size_t s = 7; s < 17; ++s) EXPECT_DOUBLE_EQ(pooled.weight[s], 0.06) << s;
  EXPECT_NEAR(std::accumulate(pooled.weight.begin(), pooled.weight.end(), 0.0), 1.0, 1e-15);
  EXPECT_EQ(pooled.source[4], "h");
  EXPECT_EQ(pooled.source[5], "f");
  EXPECT_EQ(pooled.label[16], "m9");
  // Underlying-major: BB's row is h's BB factors, then f's, then m's.
  EXPECT_EQ(pooled.price_factor[17 + 0], 0.9 + 0.1);
  EXPECT_EQ(pooled.price_factor[17 + 5], 1.0 + 0.1);
  EXPECT_EQ(pooled.price_factor[17 + 7], 1.1 + 0.1);
  // AA's vol moves in the pool because it moves in one source; 0 in the others.
  EXPECT_EQ(pooled.vol_moves, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(pooled.vol_shift[0], 0.0);
  EXPECT_EQ(pooled.vol_shift[5], 0.02);
}

TEST(Pooling, OneSourceKeepsItsEqualWeightsExactly) {
  const ScenarioSet pooled = pool_scenarios({{hand_set("h", 7, 1.0, false), 4.0}});
  EXPECT_EQ(pooled.weight, std::vector<double>(7, 1.0 / 7.0));
}

// The small book with all three sources; the history has 7 rows.
std::map<std::string, std::string> pooled_book() {
  auto files = test::small_book_files();
  files["config.json"] =
      "{\"measure\": \"es\", \"confidence\": 0.8, \"time_decay\": true,\n"
      " \"scenarios\": {\n"
      "  \"historical\": {\"lookback_days\": 5, \"mpor_days\": 2},\n"
      "  \"filtered_historical\": {\"lookback_days\": 3, \"mpor_days\": 2, \"lambda\": 0.9,\n"
      "                            \"seed_days\": 1, \"weight\": 1},\n"
      "  \"monte_carlo\": {\"count\": 40, \"mpor_days\": 2, \"seed\": 3, \"weight\": 2,\n"
      "                  \"distribution\": \"student_t\", \"nu\": 4,\n"
      "                  \"covariance\": {\"window_days\": 5, \"lambda\": 0.9}}}}\n";
  return files;
}

void write_files(const test::TempDir& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, text] : files) dir.write(name, text);
}

struct Tail {
  double var, es;
};

// SPEC §3 over weighted scenarios, written out here.
Tail weighted_tail(const std::vector<double>& pnl, const std::vector<double>& weight,
                   double confidence) {
  std::vector<std::size_t> order(pnl.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return -pnl[a] > -pnl[b]; });
  const double tail = 1.0 - confidence;
  double before = 0.0, weighted = 0.0;
  std::size_t k = 0;
  while (k + 1 < order.size() && before + weight[order[k]] < tail * (1.0 - 1e-12)) {
    before += weight[order[k]];
    weighted += weight[order[k]] * -pnl[order[k]];
    ++k;
  }
  const double var = -pnl[order[k]];
  return {var, (weighted + (tail - before) * var) / tail};
}

TEST(PooledRun, TheTailUsesThePooledWeightsOnEveryBackend) {
  test::TempDir dir;
  write_files(dir, pooled_book());
  const PreparedRun prepared = prepare_run(test::small_book_paths(dir));
  const ScenarioSet& set = prepared.scenarios;
  ASSERT_EQ(set.count(), 5u + 3u + 40u);
  EXPECT_EQ(set.source[0], "historical");
  EXPECT_EQ(set.source[5], "filtered_historical");
  EXPECT_EQ(set.source[8], "monte_carlo");
  EXPECT_EQ(set.label[8], "mc#000000");
  // Total weight 4: 1/4 over 5, 1/4 over 3, 2/4 over 40.
  EXPECT_DOUBLE_EQ(set.weight[0], 0.05);
  EXPECT_DOUBLE_EQ(set.weight[5], 1.0 / 12.0);
  EXPECT_DOUBLE_EQ(set.weight[8], 0.0125);

  const auto cpu = make_cpu_backend({});
  const RunOutcome outcome = run_margins(prepared, *cpu, true);
  const std::size_t n = set.count();
  for (std::size_t a = 0; a < 2; ++a) {
    const std::vector<double> pnl(
        outcome.backend.pnl.begin() + static_cast<std::ptrdiff_t>(a * n),
        outcome.backend.pnl.begin() + static_cast<std::ptrdiff_t>((a + 1) * n));
    const Tail expected = weighted_tail(pnl, set.weight, 0.8);
    const MarginRow& row = outcome.rows[a];
    EXPECT_NEAR(row.var, expected.var, 1e-12 * std::fabs(expected.var)) << row.id;
    EXPECT_NEAR(row.es, expected.es, 1e-12 * std::fabs(expected.es)) << row.id;
  }

  const auto emulated = make_emulated_cuda_backend({});
  const RunOutcome emulated_outcome = run_margins(prepared, *emulated, false);
  ASSERT_EQ(emulated_outcome.rows.size(), outcome.rows.size());
  for (std::size_t r = 0; r < outcome.rows.size(); ++r) {
    EXPECT_EQ(emulated_outcome.rows[r].var, outcome.rows[r].var) << r;
    EXPECT_EQ(emulated_outcome.rows[r].es, outcome.rows[r].es) << r;
    EXPECT_EQ(emulated_outcome.rows[r].worst_scenario, outcome.rows[r].worst_scenario) << r;
  }
  if (cuda_device_count() > 0) {
    const auto cuda = make_backend(BackendKind::cuda, {});
    const RunOutcome device = run_margins(prepared, *cuda, false);
    for (std::size_t r = 0; r < outcome.rows.size(); ++r) {
      EXPECT_NEAR(device.rows[r].var, outcome.rows[r].var,
                  1e-9 * std::fabs(outcome.rows[r].var) + 1e-6)
          << r;
      EXPECT_NEAR(device.rows[r].es, outcome.rows[r].es,
                  1e-9 * std::fabs(outcome.rows[r].es) + 1e-6)
          << r;
    }
  }
}

TEST(PooledReplay, AReplayedPooledSetGivesTheSameMarginsByteForByte) {
  test::TempDir dir;
  write_files(dir, pooled_book());
  const std::string xmargin = std::string(XM_BINARY) + " ";
  const auto exported =
      test::run_command(xmargin + "scenarios --dir " + dir.path() + " --out " + dir.file("s.csv"));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const auto generated = test::run_command(xmargin + "run --backend cpu --dir " + dir.path() +
                                           " --out " + dir.file("generated"));
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  const auto replayed =
      test::run_command(xmargin + "run --backend cpu --dir " + dir.path() + " --scenarios " +
                        dir.file("s.csv") + " --out " + dir.file("replayed"));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.output;
  const std::string margins = test::read_text(dir.file("generated/margins.csv"));
  EXPECT_EQ(test::read_text(dir.file("replayed/margins.csv")), margins);

  const std::string scenarios = test::read_text(dir.file("s.csv"));
  // Weights 1/4 over 3 filtered historical, 2/4 over 40 Monte Carlo (total 4).
  EXPECT_NE(scenarios.find("\n5,filtered_historical,2000-12-22/2000-12-27,0.08333333333333333,2,"),
            std::string::npos)
      << scenarios.substr(0, 600);
  EXPECT_NE(scenarios.find("\n8,monte_carlo,mc#000000,0.0125,2,"), std::string::npos);
  // The summary names the worst scenario's source and label.
  EXPECT_NE(generated.output.find("worst scenario "), std::string::npos) << generated.output;
  const bool named = generated.output.find("(monte_carlo mc#") != std::string::npos ||
                     generated.output.find("(historical 2000-") != std::string::npos ||
                     generated.output.find("(filtered_historical 2000-") != std::string::npos;
  EXPECT_TRUE(named) << generated.output;
}

TEST(Summary, NamesTheWorstScenariosSourceAndLabel) {
  MarginRow row;
  row.id = "ACC1";
  row.margin = 10.0;
  row.worst_scenario = 8;
  ScenarioSet set;
  set.source = {"historical", "monte_carlo"};
  set.label = {"2000-01-03/2000-01-05", "mc#000000"};
  set.weight = {0.5, 0.5};
  RunInfo info;
  info.worst_scenarios = name_worst_scenarios({row}, set);
  EXPECT_TRUE(info.worst_scenarios.empty());  // index 8 is outside this set
  row.worst_scenario = 1;
  info.worst_scenarios = name_worst_scenarios({row}, set);
  const std::string text = summary_text({row}, info);
  EXPECT_NE(text.find("worst scenario 1 (monte_carlo mc#000000)"), std::string::npos) << text;
}

}  // namespace
}  // namespace xm
