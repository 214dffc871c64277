// An output that is also an input, or another output, is refused with exit 2
// before any work (README "Using it"): writing it would replace the input, or
// one output would take the other's place while stdout named both.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.hpp"

namespace xm {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = XM_BINARY;

// The small book in `book_`; `out_` for outputs.
class Clashes : public ::testing::Test {
 protected:
  void SetUp() override { test::write_small_book(book_); }
  static test::CommandResult run(const std::string& arguments) {
    return test::run_command(kBinary + arguments);
  }
  std::string run_args() const {
    return " run --backend cpu --dir " + book_.path() + " --out " + out_.file("new");
  }
  // Refused with `message`, the input kept and no output folder made.
  void expect_refused(const test::CommandResult& result, const std::string& message) const {
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_EQ(result.output, "xmargin: error: " + message + "\n");
    for (const auto& [name, content] : test::small_book_files()) {
      EXPECT_EQ(test::read_text(book_.file(name)), content) << name;
    }
    EXPECT_FALSE(fs::exists(out_.file("new")));
  }

  test::TempDir book_, out_;
};

TEST_F(Clashes, PnlOnAnInputIsRefused) {
  const std::string positions = book_.file("positions.csv");
  expect_refused(run(run_args() + " --pnl " + positions),
                 "--pnl " + positions + " is also the positions input");
}

TEST_F(Clashes, ScenariosOutOnAnInputIsRefused) {
  const std::string history = book_.file("history.csv");
  expect_refused(run(" scenarios --dir " + book_.path() + " --out " + history),
                 "--out " + history + " is also the history input");
}

TEST_F(Clashes, ScenariosOutOnTheReplayedFileIsRefusedBeforeReadingIt) {
  const std::string replayed = out_.write("s.csv", "not a scenario file\n");
  const auto result =
      run(" scenarios --dir " + book_.path() + " --scenarios " + replayed + " --out " + replayed);
  expect_refused(result, "--out " + replayed + " is also the scenarios input");
  EXPECT_EQ(test::read_text(replayed), "not a scenario file\n");
}

TEST_F(Clashes, PnlOnAnotherOutputIsRefused) {
  const std::string csv = out_.file("new/margins.csv");
  expect_refused(run(run_args() + " --pnl " + csv),
                 "--pnl " + csv + " is also the margins.csv output");
}

TEST_F(Clashes, AnOutFolderHoldingAnInputOfAnOutputsNameIsRefused) {
  const std::string positions =
      book_.write("margins.csv", test::small_book_files()["positions.csv"]);
  const auto result = run(" run --backend cpu --dir " + book_.path() + " --positions " + positions +
                          " --out " + book_.path());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output, "xmargin: error: the margins.csv output " + positions +
                               " is also the positions input\n");
  EXPECT_EQ(test::read_text(positions), test::small_book_files()["positions.csv"]);
  EXPECT_FALSE(fs::exists(book_.file("margins.json")));
}

TEST_F(Clashes, APathWithDotDotIsTheInputItLeadsTo) {
  // `missing` does not exist: the path is the config all the same once written.
  const std::string config = book_.file("config.json");
  const std::string spelled = book_.file("missing/../config.json");
  expect_refused(run(run_args() + " --pnl " + spelled),
                 "--pnl " + spelled + " is also the config input " + config);
  EXPECT_FALSE(fs::exists(book_.file("missing")));
}

TEST_F(Clashes, APathThroughASymbolicLinkIsTheInputItLeadsTo) {
  fs::create_directory_symlink(book_.path(), out_.file("link"));
  const std::string spelled = out_.file("link/accounts.csv");
  expect_refused(run(run_args() + " --pnl " + spelled),
                 "--pnl " + spelled + " is also the accounts input " + book_.file("accounts.csv"));
}

TEST_F(Clashes, AHardLinkToAnInputIsTheInput) {
  const std::string link = out_.file("history-link.csv");
  fs::create_hard_link(book_.file("history.csv"), link);
  expect_refused(run(" scenarios --dir " + book_.path() + " --out " + link),
                 "--out " + link + " is also the history input " + book_.file("history.csv"));
}

TEST_F(Clashes, TheEmbeddedSamplesFilesAreInputsToo) {
  // Through a link of its own, so that were the check to fail, the rename
  // would replace the link and never the sample in the source tree.
  const std::string market = std::string(XM_SAMPLE_DIR) + "/market.json";
  const std::string link = out_.file("market-link.json");
  fs::create_symlink(market, link);
  expect_refused(run(" run --backend cpu --out " + out_.file("new") + " --pnl " + link),
                 "--pnl " + link + " is also the market input " + market);
  EXPECT_TRUE(fs::is_symlink(link));
}

}  // namespace
}  // namespace xm
