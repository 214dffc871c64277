#include <gtest/gtest.h>

#include <sstream>

#include "io/loaders.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

History small_history() {
  History history;
  history.path = "history.csv";
  for (const char* date : {"2000-12-20", "2000-12-21", "2000-12-22", "2000-12-26", "2000-12-27",
                           "2000-12-28", "2000-12-29"}) {
    history.dates.push_back(*parse_iso_date(date));
  }
  history.series.push_back(
      {"AA", {90, 92, 95, 97, 99, 98, 100}, {.30, .31, .29, .33, .30, .28, .30}});
  history.series.push_back({"BB", {48, 49, 47, 50, 51, 52, 50}, {}});
  return history;
}

TEST(HistoricalScenarios, OverlappingMovesOldestFirst) {
  // n = 7 rows, L = 5, h = 2: scenario j moves row t = n − L − h + j = j to row j + 2.
  const ScenarioSet set = generate_historical(small_history(), HistoricalSource{5, 2});
  ASSERT_EQ(set.count(), 5u);
  ASSERT_EQ(set.underlying_ids, (std::vector<std::string>{"AA", "BB"}));
  const double aa[] = {90, 92, 95, 97, 99, 98, 100};
  const double bb[] = {48, 49, 47, 50, 51, 52, 50};
  const double aa_vol[] = {.30, .31, .29, .33, .30, .28, .30};
  for (std::size_t j = 0; j < 5; ++j) {
    EXPECT_EQ(set.price_factor[0 * 5 + j], aa[j + 2] / aa[j]) << j;
    EXPECT_EQ(set.price_factor[1 * 5 + j], bb[j + 2] / bb[j]) << j;
    EXPECT_EQ(set.vol_shift[0 * 5 + j], aa_vol[j + 2] - aa_vol[j]) << j;
    EXPECT_EQ(set.vol_shift[1 * 5 + j], 0.0);
    EXPECT_EQ(set.weight[j], 0.2);
    EXPECT_EQ(set.horizon_days[j], 2.0);
    EXPECT_EQ(set.source[j], "historical");
  }
  EXPECT_EQ(set.vol_moves, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(set.label[0], "2000-12-20/2000-12-22");
  EXPECT_EQ(set.label[4], "2000-12-27/2000-12-29");
}

TEST(HistoricalScenarios, UsesOnlyTheLatestRows) {
  // L = 2, h = 1: t = 7 − 2 − 1 + j = 4 + j.
  const ScenarioSet set = generate_historical(small_history(), HistoricalSource{2, 1});
  ASSERT_EQ(set.count(), 2u);
  EXPECT_EQ(set.price_factor[0], 98.0 / 99.0);
  EXPECT_EQ(set.price_factor[1], 100.0 / 98.0);
}

TEST(HistoricalScenarios, TooFewRowsIsAnError) {
  EXPECT_NO_THROW(generate_historical(small_history(), HistoricalSource{5, 2}));
  try {
    generate_historical(small_history(), HistoricalSource{6, 2});
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 "history.csv: history has 7 rows; lookback_days 6 + mpor_days 2 needs at least 8");
  }
}

const std::string kNysePath = std::string(XM_SOURCE_DIR) + "/scenarios/data/nyse_composite.csv";

TEST(HistoricalScenarios, TheRawNyseFileIsRejectedWhereItsDatesGoBackwards) {
  // The published data set has a mistyped date (1966-02-23 among February 1967);
  // the loader must refuse it rather than reorder or drop the row.
  try {
    load_history(kNysePath, {"NYSE"});
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()), kNysePath +
                                             ":289:1: column 'date': dates must be strictly "
                                             "ascending (previous row is 1967-02-21)");
  }
}

TEST(HistoricalScenarios, October1987IsInTheNyseComposite) {
  // Real data from 1970 on (clean): the NYSE composite closed at 159.13 on
  // 1987-10-16 and 128.62 on 1987-10-19.
  test::TempDir dir;
  std::istringstream lines(test::read_text(kNysePath));
  std::string line, text;
  while (std::getline(lines, line)) {
    if (text.empty() || line >= "1970") text += line + "\n";
  }
  const History nyse = load_history(dir.write("nyse.csv", text), {"NYSE"});
  const Date crash = *parse_iso_date("1987-10-19");
  std::size_t crash_row = 0;
  while (nyse.dates[crash_row] != crash) ++crash_row;
  const std::size_t rows = nyse.dates.size();
  const HistoricalSource source{static_cast<int>(rows - crash_row),
                                1};  // oldest scenario ends on the crash
  const ScenarioSet set = generate_historical(nyse, source);
  EXPECT_EQ(set.label[0], "1987-10-16/1987-10-19");
  EXPECT_EQ(set.price_factor[0], 128.62 / 159.13);
  EXPECT_NEAR(set.price_factor[0], 0.80827, 1e-5);
}

}  // namespace
}  // namespace xm
