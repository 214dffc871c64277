// Tenor vol shifts (SPEC §6) through the scenario set: the scenario file's
// <id>.vol_shift@<days>d columns, aligning, subsetting, and a replay that gives
// the same margins.csv bytes as the run it was written from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "scenarios/philox_normals.hpp"
#include "scenarios/synthetic_history.hpp"
#include "support/test_support.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"
#include "xmargin/factor_model.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/report.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/validation.hpp"

namespace xm {
namespace {

// AA moves by two tenors, BB in parallel, CC not at all.
ScenarioSet with_tenors() {
  ScenarioSet set;
  set.underlying_ids = {"AA", "BB", "CC"};
  set.vol_moves = {0, 1, 0};
  set.price_factor = {0.9, 1.1, 1.0, 1.0, 1.0 / 3.0, 1.0, 2.0, 0.5, 0.25};
  set.vol_shift = {0.0, 0.0, 0.0, 0.01, -0.02, 1e-17, 0.0, 0.0, 0.0};
  set.tenor_offsets = {0, 2, 2, 2};
  set.tenor_days = {30, 365};
  set.tenor_shift = {0.1, -0.05, 0.1 + 0.2, 0.02, -0.0123456789012345, 0.0};
  set.horizon_days = {2, 2, 2};
  set.weight = {0.25, 0.25, 0.5};
  set.source = {"historical", "historical", "historical"};
  set.label = {"a", "b", "c"};
  return set;
}

void expect_same_shocks(const ScenarioSet& read, const ScenarioSet& written) {
  EXPECT_EQ(read.underlying_ids, written.underlying_ids);
  EXPECT_EQ(read.vol_moves, written.vol_moves);
  EXPECT_EQ(read.price_factor, written.price_factor);
  EXPECT_EQ(read.vol_shift, written.vol_shift);
  EXPECT_EQ(read.tenor_offsets, written.tenor_offsets);
  EXPECT_EQ(read.tenor_days, written.tenor_days);
  EXPECT_EQ(read.tenor_shift, written.tenor_shift);
}

TEST(VolTenors, ScenarioFileWritesTenorColumnsAndRoundTrips) {
  test::TempDir dir;
  const ScenarioSet written = with_tenors();
  write_scenario_file(dir.file("s.csv"), written);
  const std::string text = test::read_text(dir.file("s.csv"));
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "scenario,source,label,weight,horizon_days,AA.price_factor,AA.vol_shift@30d,"
            "AA.vol_shift@365d,BB.price_factor,BB.vol_shift,CC.price_factor");
  expect_same_shocks(read_scenario_file(dir.file("s.csv"), {"AA", "BB", "CC"}), written);
}

TEST(VolTenors, ScenarioFileReadsTenorColumnsInAnyOrder) {
  test::TempDir dir;
  dir.write("s.csv",
            "scenario,source,label,weight,horizon_days,AA.vol_shift@365d,AA.price_factor,"
            "AA.vol_shift@30d\n0,h,,1,2,0.5,1.1,0.25\n");
  const ScenarioSet read = read_scenario_file(dir.file("s.csv"), {"AA"});
  EXPECT_EQ(read.tenor_offsets, (std::vector<std::int32_t>{0, 2}));
  EXPECT_EQ(read.tenor_days, (std::vector<double>{30, 365}));
  EXPECT_EQ(read.tenor_shift, (std::vector<double>{0.25, 0.5}));
}

TEST(VolTenors, ScenarioFileRejectsBadTenorColumns) {
  test::TempDir dir;
  const std::string head = "scenario,source,label,weight,horizon_days,AA.price_factor,";
  auto error_of = [&](const std::string& columns, const std::string& row) -> std::string {
    dir.write("s.csv", head + columns + "\n0,h,,1,2,1," + row + "\n");
    try {
      read_scenario_file(dir.file("s.csv"), {"AA"});
    } catch (const InputError& error) {
      std::string message = error.what();
      return message.substr(message.find("s.csv"));
    }
    return "no error";
  };
  EXPECT_EQ(error_of("AA.vol_shift@3x", "0"),
            "s.csv:1:59: column 'AA.vol_shift@3x': expected <id>.vol_shift@<days>d with whole "
            "calendar days 1..36500");
  EXPECT_EQ(error_of("AA.vol_shift@0d", "0"),
            "s.csv:1:59: column 'AA.vol_shift@0d': expected <id>.vol_shift@<days>d with whole "
            "calendar days 1..36500");
  // The longest tenor a history holds; more digits get the same message.
  EXPECT_EQ(error_of("AA.vol_shift@36501d", "0"),
            "s.csv:1:59: column 'AA.vol_shift@36501d': expected <id>.vol_shift@<days>d with whole "
            "calendar days 1..36500");
  EXPECT_EQ(error_of("AA.vol_shift@9999999d", "0"),
            "s.csv:1:59: column 'AA.vol_shift@9999999d': expected <id>.vol_shift@<days>d with "
            "whole calendar days 1..36500");
  EXPECT_EQ(error_of("BB.vol_shift@30d", "0"),
            "s.csv:1:59: column 'BB.vol_shift@30d' has no 'BB.price_factor' beside it");
  EXPECT_EQ(error_of("AA.vol_shift,AA.vol_shift@30d", "0,0"),
            "s.csv:1:72: column 'AA.vol_shift@30d': tenor shifts replace 'AA.vol_shift', which "
            "the file also has");
  EXPECT_EQ(error_of("AA.vol_shift@30d,AA.vol_shift@030d", "0,0"),
            "s.csv:1:76: column 'AA.vol_shift@030d' repeats a tenor of 'AA'");
}

TEST(VolTenors, AlignCarriesEachUnderlyingsTenors) {
  const ScenarioSet aligned = align_scenarios(with_tenors(), {"CC", "AA"}, "s.csv");
  EXPECT_EQ(aligned.tenor_offsets, (std::vector<std::int32_t>{0, 0, 2}));
  EXPECT_EQ(aligned.tenor_days, (std::vector<double>{30, 365}));
  EXPECT_EQ(aligned.tenor_shift, with_tenors().tenor_shift);
  const ScenarioSet without = align_scenarios(with_tenors(), {"BB", "CC"}, "s.csv");
  EXPECT_TRUE(without.tenor_offsets.empty());
  EXPECT_TRUE(without.tenor_shift.empty());
}

TEST(VolTenors, ScenarioSubsetKeepsTheChosenScenariosTenorShifts) {
  const ScenarioSet subset = scenario_subset(with_tenors(), {2, 0});
  EXPECT_EQ(subset.tenor_offsets, with_tenors().tenor_offsets);
  EXPECT_EQ(subset.tenor_shift, (std::vector<double>{0.1 + 0.2, 0.1, 0.0, 0.02}));
}

// A history of AA (tenor columns 30 and 365 days) and BB (a .vol column), 8 rows.
History tenor_history() {
  History h = test::history_from_returns(
      {"AA", "BB"},
      {{0.01, -0.02, 0.03, 0.0, -0.01, 0.02, 0.01}, {0.0, 0.01, -0.01, 0.02, 0.0, 0.01, -0.02}},
      {{}, {0.2, 0.21, 0.22, 0.2, 0.19, 0.2, 0.25, 0.22}});
  h.series[0].tenor_vols = {{30, {0.3, 0.32, 0.35, 0.31, 0.3, 0.33, 0.36, 0.34}},
                            {365, {0.25, 0.25, 0.26, 0.25, 0.24, 0.25, 0.26, 0.26}}};
  return h;
}

TEST(VolTenors, FilteredHistoricalMovesTenorsUnfilteredAsHistoricalDoes) {
  const History h = tenor_history();
  const ScenarioSet plain = generate_historical(h, {4, 2});
  FilteredHistoricalSource source;
  source.lookback_days = 4;
  source.mpor_days = 2;
  source.seed_days = 2;
  const ScenarioSet filtered = generate_filtered_historical(h, source);
  EXPECT_EQ(plain.tenor_offsets, (std::vector<std::int32_t>{0, 2, 2}));
  EXPECT_EQ(plain.vol_moves, (std::vector<std::uint8_t>{0, 1}));
  // Scenario 0 spans rows 2 → 4.
  EXPECT_EQ(plain.tenor_shift[0], 0.3 - 0.35);
  EXPECT_EQ(plain.tenor_shift[4], 0.24 - 0.26);
  EXPECT_EQ(filtered.tenor_offsets, plain.tenor_offsets);
  EXPECT_EQ(filtered.tenor_days, plain.tenor_days);
  EXPECT_EQ(filtered.tenor_shift, plain.tenor_shift);
  EXPECT_EQ(filtered.vol_shift, plain.vol_shift);
}

TEST(VolTenors, MonteCarloDrawsOneVolFactorPerTenorInsteadOfTheVolColumn) {
  History h = tenor_history();
  h.series[0].vols = {0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3};  // replaced by the tenors
  const FactorMoves factors = factor_moves(h, 5, true);
  EXPECT_EQ(factors.names,
            (std::vector<std::string>{"AA", "BB", "BB.vol", "AA.vol@30d", "AA.vol@365d"}));
  EXPECT_EQ(factors.vol_factor[0], std::numeric_limits<std::size_t>::max());
  EXPECT_EQ(factors.tenor_factor[0], (std::vector<std::size_t>{3, 4}));
  EXPECT_TRUE(factors.tenor_factor[1].empty());
  // The window's last 5 daily changes of each tenor column, oldest first.
  const std::size_t w = factors.window;
  EXPECT_EQ(factors.moves[3 * w + 0], 0.31 - 0.35);
  EXPECT_EQ(factors.moves[3 * w + 4], 0.34 - 0.36);
  EXPECT_EQ(factors.moves[4 * w + 4], 0.26 - 0.26);
}

TEST(VolTenors, PoolingGivesEveryPartTheTenorsOfAnUnderlyingThatHasThem) {
  const History h = tenor_history();
  const ScenarioSet historical = generate_historical(h, {4, 2});
  // A source that knows no tenors and moves AA in parallel, and one that leaves AA's vol alone.
  ScenarioSet parallel = historical;
  parallel.tenor_offsets.clear();
  parallel.tenor_days.clear();
  parallel.tenor_shift.clear();
  parallel.vol_moves = {1, 1};
  std::fill_n(parallel.vol_shift.begin(), 4, 0.07);
  ScenarioSet still = parallel;
  still.vol_moves = {0, 1};
  std::fill_n(still.vol_shift.begin(), 4, 0.0);

  const ScenarioSet pooled = pool_scenarios({{historical, 1.0}, {parallel, 1.0}, {still, 2.0}});
  ASSERT_EQ(pooled.count(), 12u);
  EXPECT_EQ(pooled.tenor_offsets, (std::vector<std::int32_t>{0, 2, 2}));
  EXPECT_EQ(pooled.tenor_days, (std::vector<double>{30, 365}));
  EXPECT_EQ(pooled.vol_moves, (std::vector<std::uint8_t>{0, 1}));
  for (std::size_t k = 0; k < 2; ++k) {
    const double* row = pooled.tenor_shift.data() + k * 12;
    for (std::size_t s = 0; s < 4; ++s) {
      EXPECT_EQ(row[s], historical.tenor_shift[k * 4 + s]) << k << " " << s;
      EXPECT_EQ(row[4 + s], 0.07) << k << " " << s;  // the parallel shift at every tenor
      EXPECT_EQ(row[8 + s], 0.0) << k << " " << s;
    }
  }
  for (std::size_t s = 0; s < 12; ++s) EXPECT_EQ(pooled.vol_shift[s], 0.0) << s;
  // BB keeps its parallel shifts.
  EXPECT_EQ(pooled.vol_shift[12 + 0], historical.vol_shift[4 + 0]);
}

// The small test book with a surface on AA and tenor vol columns in its history.
std::map<std::string, std::string> tenor_book() {
  std::map<std::string, std::string> files = test::small_book_files();
  files["market.json"] =
      "{\"valuation_date\": \"2001-01-02\", \"underlyings\": [\n"
      " {\"id\": \"AA\", \"price\": 100, \"rate\": 0.05, \"dividend_yield\": 0.01,\n"
      "  \"vol_surface\": {\"expiries\": [\"2001-02-16\", \"2001-06-15\"],\n"
      "   \"moneyness\": [0.8, 0.9, 1.0, 1.1, 1.2],\n"
      "   \"vols\": [[0.42, 0.37, 0.33, 0.31, 0.30], [0.39, 0.35, 0.32, 0.30, 0.29]]}},\n"
      " {\"id\": \"BB\", \"price\": 50, \"vol\": 0.2}]}\n";
  files["history.csv"] =
      "date,AA,BB,AA.vol@30d,AA.vol@180d\n"
      "2000-12-20,90,48,0.30,0.28\n"
      "2000-12-21,92,49,0.35,0.29\n"
      "2000-12-22,95,47,0.29,0.28\n"
      "2000-12-26,97,50,0.45,0.31\n"
      "2000-12-27,99,51,0.30,0.28\n"
      "2000-12-28,98,52,0.28,0.27\n"
      "2000-12-29,100,50,0.30,0.28\n";
  return files;
}

TEST(VolTenors, AReplayedScenarioFileGivesTheSameMarginsBytes) {
  test::TempDir dir;
  for (const auto& [file, content] : tenor_book()) dir.write(file, content);
  const InputPaths paths = test::small_book_paths(dir);
  const auto cpu = make_cpu_backend({});
  const PreparedRun generated = prepare_run(paths);
  ASSERT_FALSE(generated.scenarios.tenor_days.empty());
  write_margins_csv(dir.file("generated.csv"), run_margins(generated, *cpu, false).rows);
  write_scenario_file(dir.file("s.csv"), generated.scenarios);

  InputPaths replay = paths;
  replay.history.clear();
  replay.scenarios = dir.file("s.csv");
  write_margins_csv(dir.file("replayed.csv"), run_margins(prepare_run(replay), *cpu, false).rows);
  EXPECT_EQ(test::read_text(dir.file("replayed.csv")), test::read_text(dir.file("generated.csv")));
}

TEST(VolTenors, TenorShocksChangeTheMargins) {
  // The same book with the tenor columns renamed so the loader ignores them: AA's vol stays.
  test::TempDir with, without;
  std::map<std::string, std::string> files = tenor_book();
  for (const auto& [file, content] : files) with.write(file, content);
  std::string& history = files["history.csv"];
  history.replace(0, history.find('\n'), "date,AA,BB,ZZ.vol@30d,ZZ.vol@180d");
  for (const auto& [file, content] : files) without.write(file, content);
  const auto cpu = make_cpu_backend({});
  const RunOutcome moved = run_margins(prepare_run(test::small_book_paths(with)), *cpu, false);
  const RunOutcome fixed = run_margins(prepare_run(test::small_book_paths(without)), *cpu, false);
  // A1 is short the AA call: a vol rise is a loss.
  EXPECT_GT(moved.rows[0].margin, fixed.rows[0].margin);
}

// √h·L (h = 2) of the Monte Carlo model on tenor_book's history with a
// 5-day window, worked here (SPEC §5.1, §6): the factors AA, BB (log returns),
// AA.vol@30d, AA.vol@180d (daily changes; BB has no vol column), their sample
// covariance (mean removed, divisor 4) and its lower Cholesky factor.
std::vector<std::vector<double>> tenor_book_root(const std::string& history_csv) {
  std::vector<std::vector<double>> columns(4);  // AA, BB, 30d, 180d levels by row
  std::istringstream lines(history_csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "date,AA,BB,AA.vol@30d,AA.vol@180d");
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string cell;
    std::getline(cells, cell, ',');
    for (std::vector<double>& column : columns) {
      std::getline(cells, cell, ',');
      column.push_back(std::stod(cell));
    }
  }
  const std::size_t rows = columns[0].size(), window = 5;
  std::vector<std::vector<double>> moves(4);
  for (std::size_t t = rows - window; t < rows; ++t) {
    for (std::size_t f = 0; f < 4; ++f) {
      const std::vector<double>& c = columns[f];
      moves[f].push_back(f < 2 ? std::log(c[t] / c[t - 1]) : c[t] - c[t - 1]);
    }
  }
  double sigma[4][4];
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      double mean_i = 0.0, mean_j = 0.0, sum = 0.0;
      for (std::size_t k = 0; k < window; ++k) {
        mean_i += moves[i][k] / window;
        mean_j += moves[j][k] / window;
      }
      for (std::size_t k = 0; k < window; ++k)
        sum += (moves[i][k] - mean_i) * (moves[j][k] - mean_j);
      sigma[i][j] = sum / (window - 1);
    }
  }
  std::vector<std::vector<double>> root(4, std::vector<double>(4, 0.0));
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double rest = sigma[i][j];
      for (std::size_t k = 0; k < j; ++k) rest -= root[i][k] * root[j][k];
      root[i][j] = i == j ? std::sqrt(rest) : rest / root[j][j];
    }
  }
  for (auto& row : root) {
    for (double& x : row) x *= std::sqrt(2.0);
  }
  return root;
}

TEST(VolTenors, MonteCarloMovesEachTenorByItsFactorOnHostAndDeviceAlike) {
  test::TempDir dir;
  std::map<std::string, std::string> files = tenor_book();
  files["config.json"] =
      "{\"confidence\": 0.9, \"scenarios\": {\"historical\": {\"lookback_days\": 4},\n"
      " \"monte_carlo\": {\"count\": 200, \"seed\": 5, \"covariance\": {\"window_days\": 5}}}}\n";
  for (const auto& [file, content] : files) dir.write(file, content);
  const InputPaths paths = test::small_book_paths(dir);
  const PreparedRun on_host = prepare_run(paths);
  const ScenarioSet& set = on_host.scenarios;
  ASSERT_EQ(set.tenor_days, (std::vector<double>{30, 180}));
  ASSERT_EQ(set.tenor_offsets, (std::vector<std::int32_t>{0, 2, 2}));
  const std::size_t n = set.count();
  ASSERT_EQ(n, 4u + 200u);
  // Each draw d (scenario 4 + d) moves AA's tenors by their own factors' X = √2·L·Z.
  const std::vector<std::vector<double>> root = tenor_book_root(files["history.csv"]);
  std::vector<double> z(4 * 200);
  PhiloxNormals(5).next(z.data(), z.size());
  double apart = 0.0;
  for (std::size_t d = 0; d < 200; ++d) {
    double x[4] = {};
    for (std::size_t f = 0; f < 4; ++f) {
      for (std::size_t k = 0; k <= f; ++k) x[f] += root[f][k] * z[4 * d + k];
    }
    EXPECT_NEAR(set.price_factor[4 + d], std::exp(x[0]), 1e-12) << d;
    EXPECT_NEAR(set.tenor_shift[4 + d], x[2], 1e-12) << "30 days, draw " << d;
    EXPECT_NEAR(set.tenor_shift[n + 4 + d], x[3], 1e-12) << "180 days, draw " << d;
    apart += std::fabs(x[2] - x[3]);
  }
  EXPECT_GT(apart, 0.1) << "the two tenors move each its own way";
  // Drawn the device's way (emulated) they give the host's margins bit for bit.
  const PreparedRun for_device = prepare_run(paths, {}, false);
  const auto cpu = make_cpu_backend({});
  const auto emulated = make_emulated_cuda_backend({}, 3);
  const RunOutcome reference = run_margins(on_host, *cpu, true);
  const RunOutcome device = run_margins(for_device, *emulated, true);
  EXPECT_EQ(reference.backend.pnl, device.backend.pnl);
  for (std::size_t r = 0; r < reference.rows.size(); ++r) {
    EXPECT_EQ(reference.rows[r].es, device.rows[r].es) << r;
  }
}

}  // namespace
}  // namespace xm
