#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "io/loaders.hpp"
#include "support/test_support.hpp"
#include "xmargin/inputs.hpp"

namespace xm {
namespace {

class Loaders : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::map<std::string, std::string> files = test::small_book_files();
  void SetUp() override {
    for (const auto& [file, text] : files) dir.write(file, text);
  }
  InputPaths paths() const { return test::small_book_paths(dir); }
};

TEST_F(Loaders, ReadsEveryFieldOfTheSmallBook) {
  const Inputs inputs = load_inputs(paths());
  const Book& book = inputs.book;
  EXPECT_EQ(book.market.valuation_date, *parse_iso_date("2001-01-02"));
  ASSERT_EQ(book.market.underlyings.size(), 2u);
  EXPECT_EQ(book.market.underlyings[0].rate, 0.05);
  EXPECT_EQ(book.market.underlyings[0].dividend_yield, 0.01);
  EXPECT_EQ(book.market.underlyings[1].rate, 0.0);  // default

  ASSERT_EQ(book.instruments.size(), 3u);
  EXPECT_EQ(book.instruments[0].terms.payoff, Payoff::forward);
  EXPECT_EQ(book.instruments[1].terms.payoff, Payoff::call);
  EXPECT_EQ(book.instruments[1].terms.strike, 100.0);
  EXPECT_FALSE(book.instruments[1].vol_annual.has_value());
  EXPECT_EQ(book.instruments[2].terms.payoff, Payoff::put);
  EXPECT_EQ(book.instruments[2].terms.exercise, Exercise::american);
  EXPECT_EQ(book.instruments[2].terms.underlier, Underlier::future);
  EXPECT_EQ(book.instruments[2].vol_annual, 0.25);
  EXPECT_EQ(book.instruments[2].underlying, 1u);

  ASSERT_EQ(book.accounts.size(), 2u);
  EXPECT_EQ(book.accounts[1].mode, MarginMode::isolated);
  EXPECT_EQ(book.accounts[1].group, "G1");
  EXPECT_EQ(book.accounts[1].collateral, 500.0);

  ASSERT_TRUE(inputs.history.has_value());
  EXPECT_EQ(inputs.history->dates.size(), 7u);
  ASSERT_EQ(inputs.history->series.size(), 2u);
  EXPECT_EQ(inputs.history->series[0].vols.size(), 7u);
  EXPECT_TRUE(inputs.history->series[1].vols.empty());
  EXPECT_EQ(inputs.config.confidence, 0.8);
  EXPECT_EQ(inputs.config.historical->lookback_days, 5);
}

TEST_F(Loaders, DuplicatePositionRowsAddUp) {
  dir.write("positions.csv",
            "account,instrument,quantity\nA1,FAA,1\nA2,PBB,3\nA1,FAA,2.5\nA1,CAA,-2\n");
  const Inputs inputs = load_inputs(paths());
  ASSERT_EQ(inputs.book.positions.size(), 3u);
  EXPECT_EQ(inputs.book.positions[0].account, 0u);
  EXPECT_EQ(inputs.book.positions[0].instrument, 0u);
  EXPECT_EQ(inputs.book.positions[0].quantity, 3.5);
  EXPECT_EQ(inputs.book.positions[1].quantity, -2.0);
}

TEST_F(Loaders, WithoutAccountsFileAccountsComeFromPositionsAsCross) {
  InputPaths without = paths();
  without.accounts.clear();
  const Inputs inputs = load_inputs(without);
  ASSERT_EQ(inputs.book.accounts.size(), 2u);
  EXPECT_EQ(inputs.book.accounts[0].id, "A1");
  EXPECT_EQ(inputs.book.accounts[1].mode, MarginMode::cross);
  EXPECT_EQ(inputs.book.accounts[1].collateral, 0.0);
}

TEST_F(Loaders, ListedAccountWithoutPositionsIsKept) {
  dir.write("accounts.csv", files["accounts.csv"] + "A0,cross,,7\n");
  const Inputs inputs = load_inputs(paths());
  ASSERT_EQ(inputs.book.accounts.size(), 3u);
  EXPECT_EQ(inputs.book.accounts[0].id, "A0");  // sorted by id
  EXPECT_EQ(inputs.book.positions[0].account, 1u);
}

TEST_F(Loaders, ConfigDefaultsAreTheSpecs) {
  dir.write("config.json", "{}");
  const Config config = load_config(dir.file("config.json"));
  EXPECT_EQ(config.measure, RiskMeasure::expected_shortfall);
  EXPECT_EQ(config.confidence, 0.99);
  EXPECT_TRUE(config.time_decay);
  ASSERT_TRUE(config.historical.has_value());
  EXPECT_EQ(config.historical->lookback_days, 1000);
  EXPECT_EQ(config.historical->mpor_days, 2);
}

TEST_F(Loaders, UsedUnderlyingsAreThoseOfInstruments) {
  dir.write("instruments.csv",
            "instrument,type,underlying,expiry,multiplier\nFBB,future,BB,2001-03-16,10\n");
  dir.write("positions.csv", "account,instrument,quantity\nA1,FBB,1\n");
  const Inputs inputs = load_inputs(paths());
  EXPECT_EQ(used_underlyings(inputs.book), std::vector<std::string>{"BB"});
}

TEST_F(Loaders, PositionsInAnyOrderAreSortedAndNetted) {
  dir.write("positions.csv",
            "account,instrument,quantity\nA2,PBB,1\nA1,FAA,1\nA2,PBB,2\nA1,CAA,-2\nA1,FAA,0.5\n");
  for (const bool with_accounts : {true, false}) {
    InputPaths which = paths();
    if (!with_accounts) which.accounts.clear();
    const Book book = load_inputs(which).book;
    ASSERT_EQ(book.accounts.size(), 2u);
    EXPECT_EQ(book.accounts[0].id, "A1");
    EXPECT_EQ(book.accounts[1].id, "A2");
    ASSERT_EQ(book.positions.size(), 3u);
    const std::vector<std::tuple<std::size_t, std::size_t, double>> expected{
        {0, 0, 1.5}, {0, 1, -2.0}, {1, 2, 3.0}};
    for (std::size_t p = 0; p < expected.size(); ++p) {
      EXPECT_EQ(std::tuple(book.positions[p].account, book.positions[p].instrument,
                           book.positions[p].quantity),
                expected[p])
          << "position " << p << (with_accounts ? " with" : " without") << " accounts.csv";
    }
  }
}

// Rows of one position add up in file order from 0.0, as SPEC §2's running sum
// does: 1e12 + 1e-5 rounds back to 1e12 (|quantity × multiplier| stays within its bound),
// so another order would leave 1e-5, not 0;
// and a lone -0 nets to +0.
TEST_F(Loaders, RepeatedRowsAddUpInFileOrder) {
  dir.write("positions.csv",
            "account,instrument,quantity\nA1,FAA,1e12\nA1,CAA,-0\nA1,FAA,1e-5\nA2,PBB,3\n"
            "A1,FAA,-1e12\n");
  const Book book = load_inputs(paths()).book;
  ASSERT_EQ(book.positions.size(), 3u);
  EXPECT_EQ(book.positions[0].quantity, 0.0);
  EXPECT_EQ(book.positions[1].quantity, 0.0);
  EXPECT_FALSE(std::signbit(book.positions[1].quantity));
}

}  // namespace
}  // namespace xm
