// The CLI on the embedded sample: exit codes, outputs, replay, determinism.
#include <gtest/gtest.h>
#include <algorithm>
#include <set>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"
#include "xmargin/backend.hpp"

namespace xm {
namespace {

const std::string kBinary = XM_BINARY;

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream split(line);
    std::string cell;
    while (std::getline(split, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

// One run of the sample shared by the tests below (it takes a few seconds).
class Sample : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new test::TempDir;
    result_ = new test::CommandResult(test::run_command(
        kBinary + " run --backend cpu --out " + out_->path() + " --pnl " + out_->file("pnl.csv")));
  }
  static void TearDownTestSuite() {
    delete out_;
    delete result_;
  }
  static test::TempDir* out_;
  static test::CommandResult* result_;
};
test::TempDir* Sample::out_ = nullptr;
test::CommandResult* Sample::result_ = nullptr;

TEST_F(Sample, RunsWithNoInputFlagsAndPrintsASummary) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  EXPECT_NE(result_->output.find("cpu backend"), std::string::npos) << result_->output;
  EXPECT_NE(result_->output.find("scenarios: 1000"), std::string::npos) << result_->output;
  EXPECT_NE(result_->output.find("on 30 underlyings (30 with vol surfaces)"), std::string::npos)
      << result_->output;
  EXPECT_NE(result_->output.find("total margin:"), std::string::npos);
  EXPECT_NE(result_->output.find("largest accounts:"), std::string::npos);
}

TEST_F(Sample, MarginsCsvHasEveryColumnAndRowSorted) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  const auto rows = csv_rows(test::read_text(out_->file("margins.csv")));
  ASSERT_GT(rows.size(), 500u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"level", "id", "margin", "var", "es", "worst_loss",
                                      "worst_scenario", "isolated_margin", "offset_benefit",
                                      "collateral", "excess", "positions"}));
  std::size_t groups = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 12u) << r;
    if (r > 1) {
      EXPECT_LT(rows[r - 1][0] + "\n" + rows[r - 1][1], rows[r][0] + "\n" + rows[r][1]);
    }
    const double margin = std::stod(rows[r][2]);
    EXPECT_GE(margin, 0.0);
    EXPECT_NEAR(std::stod(rows[r][8]), std::stod(rows[r][7]) - margin, 1e-6 * (1 + margin));
    EXPECT_NEAR(std::stod(rows[r][10]), std::stod(rows[r][9]) - margin, 1e-6 * (1 + margin));
    if (rows[r][0] == "group") ++groups;
  }
  EXPECT_GE(groups, 3u);
}

TEST_F(Sample, MarginsJsonCarriesMetadataAndTheSameRows) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  const auto json = nlohmann::json::parse(test::read_text(out_->file("margins.json")));
  EXPECT_EQ(json["backend"], "cpu");
  EXPECT_EQ(json["scenarios"]["count"], 1000);
  EXPECT_EQ(json["scenarios"]["sources"][0]["name"], "historical");
  EXPECT_EQ(json["config"]["measure"], "es");
  EXPECT_EQ(json["inputs"].size(), 6u);
  for (const auto& input : json["inputs"])
    EXPECT_EQ(input["sha256"].get<std::string>().size(), 64u);
  const auto rows = csv_rows(test::read_text(out_->file("margins.csv")));
  std::size_t accounts = 0;
  for (const auto& row : rows) accounts += row[0] == "account";
  ASSERT_EQ(json["accounts"].size(), accounts);
  EXPECT_EQ(json["accounts"][0]["id"], rows[1][1]);
  EXPECT_EQ(json["accounts"][0]["margin"].get<double>(), std::stod(rows[1][2]));
}

TEST_F(Sample, ComponentsCsvHoldsEveryComponentOfEachMargin) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  const auto components = csv_rows(test::read_text(out_->file("components.csv")));
  const auto margins = csv_rows(test::read_text(out_->file("margins.csv")));
  ASSERT_EQ(components.size(), margins.size());
  EXPECT_EQ(components[0],
            (std::vector<std::string>{"level", "id", "historical", "filtered_historical",
                                      "monte_carlo", "statistical", "span", "grid", "named",
                                      "stress", "buffer", "floor", "margin"}));
  std::set<std::string> isolated;
  for (const auto& row :
       csv_rows(test::read_text(std::string(XM_SOURCE_DIR) + "/scenarios/default/accounts.csv"))) {
    if (row.size() > 1 && row[1] == "isolated") isolated.insert(row[0]);
  }
  ASSERT_FALSE(isolated.empty());
  std::size_t stress_bound = 0;
  for (std::size_t r = 1; r < components.size(); ++r) {
    const auto& c = components[r];
    ASSERT_EQ(c.size(), 13u);
    EXPECT_EQ(c[0], margins[r][0]);
    EXPECT_EQ(c[1], margins[r][1]);
    // The sample configures one historical source, all three stress kinds and a released
    // buffer; no filtered historical, Monte Carlo or floor.
    EXPECT_EQ(c[3], "") << c[1];
    EXPECT_EQ(c[4], "") << c[1];
    EXPECT_EQ(c[11], "") << c[1];
    EXPECT_EQ(c[2], c[5]) << "a lone source's own measure is the statistical one";
    EXPECT_EQ(c[10], "0") << "the buffer is released";
    EXPECT_EQ(c[12], margins[r][2]) << "components.csv's margin is margins.csv's";
    const double stress = std::stod(c[9]);
    const double largest_kind = std::max({std::stod(c[6]), std::stod(c[7]), std::stod(c[8])});
    if (isolated.count(c[1]) == 0) {
      EXPECT_EQ(stress, largest_kind) << c[1];
      EXPECT_EQ(std::stod(c[12]), std::max(std::stod(c[5]), stress)) << c[1] << ": the max rule";
    } else {
      // An isolated account sums its positions' own components, each its own maximum.
      EXPECT_GE(stress, largest_kind) << c[1];
    }
    stress_bound += std::stod(c[12]) == stress && stress > std::stod(c[5]) ? 1 : 0;
  }
  EXPECT_GT(stress_bound, 100u) << "the stress margin drives many of the sample's margins";
  EXPECT_NE(result_->output.find("margin driven by: grid"), std::string::npos) << result_->output;
  const auto json = nlohmann::json::parse(test::read_text(out_->file("margins.json")));
  EXPECT_EQ(json["components"], nlohmann::json({"historical", "statistical", "span", "grid",
                                                "named", "stress", "buffer", "margin"}));
  EXPECT_EQ(json["accounts"][0]["components"]["margin"], json["accounts"][0]["margin"]);
  EXPECT_EQ(json["margin_drivers"][0]["component"], "grid");
}

TEST_F(Sample, PnlMatrixReproducesTheTail) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  const auto pnl = csv_rows(test::read_text(out_->file("pnl.csv")));
  const auto margins = csv_rows(test::read_text(out_->file("margins.csv")));
  ASSERT_EQ(pnl[0].size(), 1001u);
  EXPECT_EQ(pnl[0][1], "s0");
  EXPECT_EQ(pnl[0][1000], "s999");
  // ES99 over 1000 equal-weight scenarios is the mean of the 10 worst losses.
  for (std::size_t r = 1; r < 30; ++r) {
    ASSERT_EQ(pnl[r][0], margins[r][1]);
    std::vector<double> losses;
    for (std::size_t s = 1; s < pnl[r].size(); ++s) losses.push_back(-std::stod(pnl[r][s]));
    std::sort(losses.rbegin(), losses.rend());
    double worst10 = 0;
    for (int k = 0; k < 10; ++k) worst10 += losses[static_cast<std::size_t>(k)];
    EXPECT_NEAR(worst10 / 10, std::stod(margins[r][4]), 1e-9 * (1 + std::fabs(worst10)));
    EXPECT_EQ(losses[9], std::stod(margins[r][3]));
  }
}

TEST_F(Sample, OutputIsTheSameBytesWhateverTheThreadCount) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  test::TempDir one;
  const auto run =
      test::run_command(kBinary + " run --backend cpu --threads 1 --out " + one.path());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(test::read_text(one.file("margins.csv")), test::read_text(out_->file("margins.csv")));
}

TEST_F(Sample, ScenarioReplayGivesTheSameMargins) {
  ASSERT_EQ(result_->exit_code, 0) << result_->output;
  test::TempDir dir;
  const auto written = test::run_command(kBinary + " scenarios --out " + dir.file("s.csv"));
  ASSERT_EQ(written.exit_code, 0) << written.output;
  const std::string sample = std::string(XM_SOURCE_DIR) + "/scenarios/default/";
  const auto replay = test::run_command(
      kBinary + " run --backend cpu --market " + sample + "market.json --instruments " + sample +
      "instruments.csv --positions " + sample + "positions.csv --accounts " + sample +
      "accounts.csv --config " + sample + "config.json --history " + sample +
      "history.csv --scenarios " + dir.file("s.csv") + " --out " + dir.path());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_EQ(test::read_text(dir.file("margins.csv")), test::read_text(out_->file("margins.csv")));
}

TEST(Cli, HelpOnEveryCommand) {
  for (const char* command : {"", " run", " validate", " scenarios"}) {
    const auto result = test::run_command(kBinary + command + " --help");
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.output.find("Usage"), std::string::npos) << command << result.output;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(test::run_command(kBinary).exit_code, 2);
  EXPECT_EQ(test::run_command(kBinary + " frobnicate").exit_code, 2);
  EXPECT_EQ(test::run_command(kBinary + " run --backend gpu").exit_code, 2);
  EXPECT_EQ(test::run_command(kBinary + " scenarios").exit_code, 2);  // --out is required
  const auto missing = test::run_command(kBinary + " run --market x.json");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("missing --instruments"), std::string::npos) << missing.output;
}

TEST(Cli, BadInputExitsTwoNamingFileLineColumn) {
  test::TempDir dir;
  test::write_small_book(dir);
  dir.write("positions.csv", "account,instrument,quantity\nA1,FAA,1\nA2,NOPE,1\n");
  const auto result =
      test::run_command(kBinary + " run --dir " + dir.path() + " --out " + dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find(dir.file("positions.csv") +
                               ":3:4: column 'instrument': unknown instrument 'NOPE'"),
            std::string::npos)
      << result.output;
}

// The CUDA tests below decide to skip from cuda_device_count() alone, never from the output
// they test: were `--backend cuda` to fall back to the CPU silently, they would fail.
bool has_cuda_device() {
  return cuda_device_count() > 0;
}

TEST(Cli, ValidateWithoutDeviceComparesNothing) {
  if (has_cuda_device()) GTEST_SKIP() << "a CUDA device is present";
  const auto strict = test::run_command(kBinary + " validate");
  const auto allowed = test::run_command(kBinary + " validate --allow-no-device");
  EXPECT_EQ(strict.exit_code, 1) << strict.output;
  EXPECT_NE(strict.output.find("compared nothing"), std::string::npos) << strict.output;
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("compared nothing"), std::string::npos) << allowed.output;
}

TEST(Cli, ValidateOnADevicePassesOnTheSample) {
  if (!has_cuda_device()) GTEST_SKIP() << "no CUDA device";
  const auto result = test::run_command(kBinary + " validate");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("validate: cpu ("), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(") vs cuda ("), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("compared nothing"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("validate: PASSED"), std::string::npos) << result.output;
}

TEST(Cli, CudaBackendWithoutDeviceFailsWithExitOne) {
  if (has_cuda_device()) GTEST_SKIP() << "a CUDA device is present";
  test::TempDir out;
  const auto result = test::run_command(kBinary + " run --backend cuda --out " + out.path());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(result.output.find("CUDA") != std::string::npos ||
              result.output.find("cuda backend is not built") != std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(out.file("margins.csv")));
}

TEST(Cli, CudaBackendOnADeviceRunsOnTheDevice) {
  if (!has_cuda_device()) GTEST_SKIP() << "no CUDA device";
  test::TempDir dir;
  test::write_small_book(dir);
  const auto result = test::run_command(kBinary + " run --backend cuda --dir " + dir.path() +
                                        " --out " + dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("cuda backend"), std::string::npos) << result.output;
  const auto json = nlohmann::json::parse(test::read_text(dir.file("margins.json")));
  EXPECT_EQ(json["backend"], "cuda");
}

// Runs everywhere: auto picks the device exactly when one is present.
TEST(Cli, AutomaticBackendUsesTheDeviceWhenPresent) {
  test::TempDir dir;
  test::write_small_book(dir);
  const auto result =
      test::run_command(kBinary + " run --dir " + dir.path() + " --out " + dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(test::read_text(dir.file("margins.json")));
  EXPECT_EQ(json["backend"], has_cuda_device() ? "cuda" : "cpu");
}

}  // namespace
}  // namespace xm
