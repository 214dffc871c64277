// The workloads' exact sizes, checked in-process on the generator's own functions for every
// workload: writing medium and eod and margining them is too slow for CI, but their catalogues
// and books build in well under a second. Prices here are a fixed spread, not a simulated
// history: the counts must not depend on the prices.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "make_book/accounts.hpp"
#include "make_book/instruments.hpp"
#include "make_book/rng.hpp"
#include "make_book/text.hpp"
#include "make_book/workloads.hpp"

namespace {

using namespace make_book;

constexpr std::uint64_t kSeed = 20010102;
constexpr std::int64_t kValuation = 11324;  // 2001-01-02, the sample's valuation date

// Underlyings priced from $5 to $500, so that both ends of the strike steps are exercised.
std::vector<Stock> stocks_for(const Workload& w) {
  std::vector<Quote> quotes;
  for (std::size_t j = 0; j < w.underlyings; ++j) {
    const auto cents = static_cast<std::int64_t>(500 + (j * 7919) % 49500);
    quotes.push_back({"U" + padded(j + 1, 3), fixed_from_scaled(cents, 2), cents, 3000});
  }
  Rng rng(kSeed);
  return make_stocks(quotes, rng);
}

struct Built {
  std::vector<Stock> stocks;
  Catalog catalog;
};

Built catalogue_for(const Workload& w) {
  Built b;
  b.stocks = stocks_for(w);
  const ExpiryCalendar calendar = workload_calendar(kValuation);
  const std::vector<ListingPlan> plans = plan_workload_listings(b.stocks, w.instruments, calendar);
  b.catalog = make_catalog(b.stocks, calendar, plans);
  return b;
}

TEST(WorkloadSizes, HistoriesCoverTheLookback) {
  for (const Workload& w : kWorkloads)
    EXPECT_GE(history_rows(w), w.lookback_days + kMporDays) << w.name;
}

TEST(WorkloadSizes, EveryWorkloadListsExactlyItsInstruments) {
  for (const Workload& w : kWorkloads) {
    const Built b = catalogue_for(w);
    EXPECT_EQ(b.catalog.list.size(), w.instruments) << w.name;
    std::set<std::string> ids;
    std::set<std::size_t> underlyings;
    for (const Instrument& inst : b.catalog.list) {
      ids.insert(inst.id);
      underlyings.insert(inst.stock);
      if (!inst.future) {
        EXPECT_GT(inst.strike, 0) << inst.id;
      }
    }
    EXPECT_EQ(ids.size(), w.instruments) << w.name << ": duplicate instrument ids";
    EXPECT_EQ(underlyings.size(), w.underlyings) << w.name;
  }
}

// Accounts and positions exactly, houses large, every position on its own instrument.
TEST(WorkloadSizes, BooksHaveExactlyTheirAccountsAndPositions) {
  for (const Workload& w : kWorkloads) {
    const Built b = catalogue_for(w);
    const Book book =
        make_workload_book({w.accounts, w.positions, w.houses}, b.stocks, b.catalog, kSeed);
    EXPECT_EQ(book.accounts.size(), w.accounts) << w.name;
    std::size_t positions = 0, largest_house = 0, houses = 0;
    for (const Account& a : book.accounts) {
      positions += a.legs.size();
      std::set<std::size_t> held;
      for (const Leg& leg : a.legs) {
        EXPECT_TRUE(held.insert(leg.instrument).second) << a.id << " holds an instrument twice";
        EXPECT_NE(leg.quantity, 0) << a.id;
      }
      if (!a.house) {
        EXPECT_LE(a.legs.size(), kLargestCustomer) << a.id;
        continue;
      }
      ++houses;
      largest_house = std::max(largest_house, a.legs.size());
    }
    EXPECT_EQ(positions, w.positions) << w.name;
    EXPECT_EQ(houses, w.houses) << w.name;
    EXPECT_GE(largest_house * 40, w.positions) << w.name;
    EXPECT_TRUE(book.split_tails.empty()) << w.name;
  }
}

}  // namespace
