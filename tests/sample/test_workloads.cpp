// The generator's named workloads (xmargin_make_book --workload): the same bytes for the same
// seed, exactly the promised counts, the shape of a clearing-house book, and a book that xmargin
// loads and margins. Only `small` is generated here (in a few hundredths of a second; its run
// takes about a second): medium and eod take longer to write and far longer to margin than CI
// affords, so test_workload_sizes.cpp checks their counts in-process instead.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sample/book_files.hpp"
#include "support/test_support.hpp"

namespace xm::test {
namespace {

namespace fs = std::filesystem;
using book_files::InstrumentRow;
using book_files::Market;
using book_files::Table;

const std::string kGenerator = XM_MAKE_BOOK_BINARY;
const std::string kXmargin = XM_BINARY;
const char* const kFiles[] = {"market.json",  "instruments.csv", "positions.csv",
                              "accounts.csv", "history.csv",     "config.json"};

// What the README promises for `small`.
constexpr std::size_t kAccounts = 1000;
constexpr std::size_t kPositions = 10000;
constexpr std::size_t kInstruments = 1000;
constexpr std::size_t kUnderlyings = 20;
constexpr std::size_t kLookbackDays = 2500;
constexpr std::size_t kMporDays = 2;

CommandResult generate_small(const std::string& dir, const std::string& extra = "") {
  return run_command("'" + kGenerator + "' --workload small --out '" + dir + "'" + extra);
}

std::string text_of(const std::string& dir, const std::string& name) {
  return book_files::read_text(fs::path(dir) / name);
}

std::size_t count_true(const std::vector<bool>& flags) {
  std::size_t n = 0;
  for (bool f : flags) n += f ? 1 : 0;
  return n;
}

// `small` with the default seed, written once for the tests that only read it.
class SmallWorkload : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    generated_ = new CommandResult(generate_small(dir_->path()));
  }
  static void TearDownTestSuite() {
    delete generated_;
    delete dir_;
  }
  void SetUp() override { ASSERT_EQ(generated_->exit_code, 0) << generated_->output; }

  static fs::path file(const std::string& name) { return fs::path(dir_->path()) / name; }

  static TempDir* dir_;
  static CommandResult* generated_;
};

TempDir* SmallWorkload::dir_ = nullptr;
CommandResult* SmallWorkload::generated_ = nullptr;

TEST_F(SmallWorkload, SameSeedGivesTheSameBytesAnotherSeedAnotherBook) {
  TempDir again, other;
  ASSERT_EQ(generate_small(again.path()).exit_code, 0);
  ASSERT_EQ(generate_small(other.path(), " --seed 7").exit_code, 0);
  for (const char* name : kFiles) {
    const std::string first = text_of(dir_->path(), name);
    EXPECT_FALSE(first.empty()) << name;
    EXPECT_TRUE(first == text_of(again.path(), name)) << name << " differs between two runs";
  }
  for (const char* name :
       {"market.json", "instruments.csv", "positions.csv", "accounts.csv", "history.csv"})
    EXPECT_NE(text_of(dir_->path(), name), text_of(other.path(), name)) << name;
  EXPECT_EQ(text_of(dir_->path(), "config.json"), text_of(other.path(), "config.json"));
}

TEST_F(SmallWorkload, HitsThePromisedCountsExactly) {
  const Market market = book_files::read_market(file("market.json"));
  const Table instruments = book_files::read_csv(file("instruments.csv"));
  const Table positions = book_files::read_csv(file("positions.csv"));
  const Table accounts = book_files::read_csv(file("accounts.csv"));
  const Table history = book_files::read_csv(file("history.csv"));

  EXPECT_EQ(market.prices.size(), kUnderlyings);
  EXPECT_EQ(history.header.size(), 1 + 2 * kUnderlyings);  // date, prices, vols
  for (const auto& [id, price] : market.prices) {
    EXPECT_NE(std::find(history.header.begin(), history.header.end(), id), history.header.end());
    EXPECT_NE(std::find(history.header.begin(), history.header.end(), id + ".vol"),
              history.header.end());
  }

  const std::vector<std::string> instrument_ids = instruments.values("instrument");
  EXPECT_EQ(instrument_ids.size(), kInstruments);
  EXPECT_EQ(std::set<std::string>(instrument_ids.begin(), instrument_ids.end()).size(),
            kInstruments);
  for (const std::string& u : instruments.values("underlying"))
    EXPECT_EQ(market.prices.count(u), 1u);

  const std::vector<std::string> account_ids = accounts.values("account");
  const std::set<std::string> known_accounts(account_ids.begin(), account_ids.end());
  EXPECT_EQ(account_ids.size(), kAccounts);
  EXPECT_EQ(known_accounts.size(), kAccounts);

  // One row per position: exactly kPositions distinct (account, instrument) pairs.
  const std::set<std::string> known_instruments(instrument_ids.begin(), instrument_ids.end());
  std::set<std::pair<std::string, std::string>> pairs;
  const std::size_t p_account = positions.column("account");
  const std::size_t p_instrument = positions.column("instrument");
  const std::size_t p_quantity = positions.column("quantity");
  for (const auto& row : positions.rows) {
    EXPECT_EQ(known_accounts.count(row[p_account]), 1u) << row[p_account];
    EXPECT_EQ(known_instruments.count(row[p_instrument]), 1u) << row[p_instrument];
    EXPECT_NE(std::strtoll(row[p_quantity].c_str(), nullptr, 10), 0) << row[p_account];
    pairs.insert({row[p_account], row[p_instrument]});
  }
  EXPECT_EQ(positions.rows.size(), kPositions);
  EXPECT_EQ(pairs.size(), kPositions);

  // Scenarios: the lookback, with enough history behind it.
  const std::string config = text_of(dir_->path(), "config.json");
  EXPECT_NE(config.find("\"lookback_days\": " + std::to_string(kLookbackDays)), std::string::npos)
      << config;
  EXPECT_NE(config.find("\"mpor_days\": " + std::to_string(kMporDays)), std::string::npos);
  EXPECT_GE(history.rows.size(), kLookbackDays + kMporDays);
}

TEST_F(SmallWorkload, HasTheShapeOfAClearingHouseBook) {
  const std::vector<InstrumentRow> instruments =
      book_files::read_instruments(file("instruments.csv"));
  const Table positions = book_files::read_csv(file("positions.csv"));
  const Table accounts = book_files::read_csv(file("accounts.csv"));

  std::map<std::string, const InstrumentRow*> by_id;
  std::map<std::string, std::set<std::string>> futures_of, expiries_of;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> strikes_of;
  for (const InstrumentRow& row : instruments) {
    by_id[row.id] = &row;
    if (row.type == "future") {
      futures_of[row.underlying].insert(row.expiry);
      continue;
    }
    expiries_of[row.underlying].insert(row.expiry);
    strikes_of[{row.underlying, row.expiry}].insert(row.strike);
  }
  // Several expiries and strikes per underlying, futures on each.
  EXPECT_EQ(expiries_of.size(), kUnderlyings);
  for (const auto& [underlying, expiries] : expiries_of) {
    EXPECT_GE(expiries.size(), 4u) << underlying;
    EXPECT_GE(futures_of[underlying].size(), 4u) << underlying;
    std::size_t widest = 0;
    for (const std::string& e : expiries)
      widest = std::max(widest, strikes_of[{underlying, e}].size());
    EXPECT_GE(widest, 3u) << underlying;
  }

  // Held: options dominate, in both styles, on spot and on futures.
  std::map<std::string, std::size_t> per_account;
  std::size_t options = 0, american = 0, european = 0, on_spot = 0, on_future = 0;
  const std::size_t p_account = positions.column("account");
  const std::size_t p_instrument = positions.column("instrument");
  for (const auto& row : positions.rows) {
    ++per_account[row[p_account]];
    const InstrumentRow* inst = by_id[row[p_instrument]];
    ASSERT_NE(inst, nullptr) << row[p_instrument];
    if (inst->type != "option") continue;
    ++options;
    (inst->style == "american" ? american : european) += 1;
    (inst->on == "future" ? on_future : on_spot) += 1;
  }
  EXPECT_GE(options * 10, positions.rows.size() * 6) << "options are not 60% of the positions";
  EXPECT_GT(american, 0u);
  EXPECT_GT(european, 0u);
  EXPECT_GT(on_spot, 0u);
  EXPECT_GT(on_future, 0u);

  // Most accounts hold 5-20 positions; a few houses hold hundreds (at least 2.5% of the book
  // for the largest: 25,000 positions in eod, 2,500 in medium, 250 here); some hold none.
  std::size_t in_band = 0, largest_house = 0, houses = 0, empty = 0;
  const std::vector<std::string> ids = accounts.values("account");
  for (const std::string& id : ids) {
    const std::size_t n = per_account[id];
    in_band += n >= 5 && n <= 20 ? 1 : 0;
    empty += n == 0 ? 1 : 0;
    if (id.rfind("HOUSE", 0) == 0) {
      ++houses;
      largest_house = std::max(largest_house, n);
    }
  }
  EXPECT_GE(in_band * 10, ids.size() * 8) << "fewer than 80% of the accounts hold 5-20 positions";
  EXPECT_GE(houses, 1u);
  EXPECT_GE(largest_house * 40, kPositions) << "largest house " << largest_house;
  EXPECT_GE(empty, 1u);

  // Some isolated accounts, some cross-margin groups of 2-6 cross accounts.
  const std::vector<std::string> modes = accounts.values("mode");
  const std::vector<std::string> groups = accounts.values("group");
  std::vector<bool> isolated;
  std::map<std::string, std::size_t> group_sizes;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    isolated.push_back(modes[i] == "isolated");
    if (groups[i].empty()) continue;
    ++group_sizes[groups[i]];
    EXPECT_EQ(modes[i], "cross") << ids[i] << " is isolated and in a group";
  }
  EXPECT_GT(count_true(isolated), 0u);
  EXPECT_LT(count_true(isolated), ids.size() / 10);
  EXPECT_GE(group_sizes.size(), 3u);
  for (const auto& [group, size] : group_sizes) {
    EXPECT_GE(size, 2u) << group;
    EXPECT_LE(size, 6u) << group;
  }
}

TEST_F(SmallWorkload, HistoryIsWeekdaysEndingOnTheValuationDate) {
  using namespace std::chrono;
  const Market market = book_files::read_market(file("market.json"));
  const Table history = book_files::read_csv(file("history.csv"));
  ASSERT_FALSE(history.rows.empty());
  EXPECT_EQ(history.rows.back()[0], market.valuation_date);
  std::string previous;
  for (const auto& row : history.rows) {
    const std::string& date = row[0];
    ASSERT_EQ(date.size(), 10u) << date;
    EXPECT_GT(date, previous);  // ISO dates sort as text
    previous = date;
    const year_month_day ymd{year{std::atoi(date.substr(0, 4).c_str())},
                             month{static_cast<unsigned>(std::atoi(date.substr(5, 2).c_str()))},
                             day{static_cast<unsigned>(std::atoi(date.substr(8, 2).c_str()))}};
    ASSERT_TRUE(ymd.ok()) << date;
    const weekday w{sys_days{ymd}};
    EXPECT_TRUE(w != Saturday && w != Sunday) << date;
  }
  for (const auto& [id, price] : market.prices) {
    const std::vector<std::string> closes = history.values(id);
    const std::vector<std::string> vols = history.values(id + ".vol");
    for (const std::string& c : closes) ASSERT_GT(std::strtod(c.c_str(), nullptr), 0.0) << id;
    for (const std::string& v : vols) ASSERT_GE(std::strtod(v.c_str(), nullptr), 0.05) << id;
    EXPECT_DOUBLE_EQ(price, std::strtod(closes.back().c_str(), nullptr)) << id;
  }
}

TEST_F(SmallWorkload, LoadsAndRunsInXmargin) {
  TempDir out;
  const CommandResult run = run_command("'" + kXmargin + "' run --backend cpu --dir '" +
                                        dir_->path() + "' --out '" + out.path() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("book: 1000 accounts"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("10000 positions, 1000 instruments on 20 underlyings"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("scenarios: 2500"), std::string::npos) << run.output;
  const Table margins = book_files::read_csv(fs::path(out.path()) / "margins.csv");
  const std::vector<std::string> levels = margins.values("level");
  EXPECT_EQ(static_cast<std::size_t>(std::count(levels.begin(), levels.end(), "account")),
            kAccounts);
}

TEST(Workloads, BadWorkloadArgumentsExitWithTwo) {
  TempDir out;
  const std::string generator = "'" + kGenerator + "'";
  const std::string dir = " --out '" + out.path() + "'";
  EXPECT_EQ(run_command(generator + " --workload huge" + dir).exit_code, 2);
  EXPECT_EQ(run_command(generator + " --workload small --accounts 50" + dir).exit_code, 2);
  EXPECT_EQ(run_command(generator + " --workload small").exit_code, 2);
  EXPECT_EQ(run_command(generator + dir + " --workload").exit_code, 2);
  EXPECT_EQ(
      run_command(generator + " --workload small --history '" + out.path() + "/missing.csv'" + dir)
          .exit_code,
      2);
}

TEST(Workloads, HelpExplainsTheWorkloadsAndTheModel) {
  const CommandResult help = run_command("'" + kGenerator + "' --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* needle : {"small", "medium", "eod", "12,500", "block bootstrap", "beta"})
    EXPECT_NE(help.output.find(needle), std::string::npos) << needle;
}

}  // namespace
}  // namespace xm::test
