// The embedded sample (scenarios/default) and its generator (tools/make_book/): the committed
// files are exactly what the generator writes, and the sample holds what the README promises.
// The sample is parsed with book_files.hpp's deliberately simple code, independent of the
// loaders under test elsewhere.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "io/loaders.hpp"
#include "sample/book_files.hpp"

namespace {

namespace fs = std::filesystem;
using namespace xm::test::book_files;

const char* const kGeneratedFiles[] = {"market.json",  "instruments.csv", "positions.csv",
                                       "accounts.csv", "history.csv",     "config.json"};

fs::path source_dir() {
  return fs::path(XM_SOURCE_DIR);
}
fs::path sample_dir() {
  return source_dir() / "scenarios" / "default";
}
fs::path history_file() {
  return source_dir() / "scenarios" / "data" / "dowjones30.csv";
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

// Exit status of the shell command (or -1 when it did not exit normally).
int run_command(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

int run_generator(const std::string& args) {
  return run_command(quoted(XM_MAKE_BOOK_BINARY) + " " + args);
}

// A fresh directory removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(fs::temp_directory_path() / ("xm_sample_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string first_difference(const std::string& expected, const std::string& actual) {
  const std::vector<std::string> a = lines_of(expected);
  const std::vector<std::string> b = lines_of(actual);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "<end of file>";
    const std::string y = i < b.size() ? b[i] : "<end of file>";
    if (x != y)
      return "line " + std::to_string(i + 1) + ": committed '" + x + "', generated '" + y + "'";
  }
  return "same lines, different bytes (line ends?)";
}

TEST(SampleGenerator, DefaultArgumentsReproduceTheCommittedSample) {
  TempDir out("default");
  ASSERT_EQ(run_generator("--history " + quoted(history_file().string()) + " --out " +
                          quoted(out.path().string())),
            0);
  std::set<std::string> generated;
  for (const char* name : kGeneratedFiles) {
    generated.insert(name);
    ASSERT_TRUE(fs::exists(sample_dir() / name)) << "not committed: " << name;
  }
  for (const auto& entry : fs::directory_iterator(sample_dir())) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    ASSERT_TRUE(generated.count(name) == 1) << "committed but not generated: " << name;
    const std::string committed = read_text(entry.path());
    const std::string fresh = read_text(out.path() / name);
    EXPECT_TRUE(committed == fresh)
        << name << " differs from the generator's output, " << first_difference(committed, fresh);
  }
}

TEST(SampleGenerator, SeedChangesTheBookButNotTheHistory) {
  TempDir out("seed");
  ASSERT_EQ(run_generator("--history " + quoted(history_file().string()) + " --out " +
                          quoted(out.path().string()) + " --seed 7"),
            0);
  EXPECT_NE(read_text(out.path() / "positions.csv"), read_text(sample_dir() / "positions.csv"));
  EXPECT_EQ(read_text(out.path() / "history.csv"), read_text(sample_dir() / "history.csv"));
}

TEST(SampleBook, HoldsWhatTheReadmePromises) {
  const Market market = read_market(sample_dir() / "market.json");
  const std::vector<InstrumentRow> instruments = read_instruments(sample_dir() / "instruments.csv");
  const Table positions = read_csv(sample_dir() / "positions.csv");
  const Table accounts = read_csv(sample_dir() / "accounts.csv");
  const Table history = read_csv(sample_dir() / "history.csv");
  const Table source = read_csv(history_file());

  // Market: every stock of the source history priced, valued on its last date.
  ASSERT_EQ(source.header.size(), 31u);
  EXPECT_EQ(market.valuation_date, source.rows.back()[0]);
  EXPECT_EQ(market.prices.size(), 30u);
  for (std::size_t c = 1; c < source.header.size(); ++c) {
    const auto it = market.prices.find(source.header[c]);
    ASSERT_NE(it, market.prices.end()) << "no price for " << source.header[c];
    EXPECT_GT(it->second, 0.0);
    EXPECT_DOUBLE_EQ(it->second, std::strtod(source.rows.back()[c].c_str(), nullptr));
  }

  // History: the full source history plus a vol column per stock.
  EXPECT_EQ(history.rows.size(), source.rows.size());
  EXPECT_GE(history.rows.size(), 1002u);  // lookback 1000 + MPOR 2
  for (const auto& [id, price] : market.prices) {
    const std::vector<std::string> vols = history.values(id + ".vol");
    ASSERT_FALSE(vols.empty());
    for (const std::string& v : vols) ASSERT_GE(std::strtod(v.c_str(), nullptr), 0.05) << id;
  }
  EXPECT_EQ(history.values("date").back(), market.valuation_date);

  // Instruments: every kind present, every expiry after the valuation date.
  std::set<std::string> instrument_ids;
  std::size_t futures = 0, calls = 0, puts = 0, european = 0, american = 0, on_spot = 0,
              on_future = 0, overrides = 0;
  for (const InstrumentRow& row : instruments) {
    EXPECT_TRUE(instrument_ids.insert(row.id).second) << "duplicate " << row.id;
    EXPECT_EQ(market.prices.count(row.underlying), 1u) << row.id;
    EXPECT_GT(row.expiry, market.valuation_date) << row.id;  // ISO dates sort as text
    if (row.type == "future") {
      ++futures;
      continue;
    }
    ASSERT_EQ(row.type, "option") << row.id;
    calls += row.right == "C";
    puts += row.right == "P";
    european += row.style == "european";
    american += row.style == "american";
    on_spot += row.on == "spot";
    on_future += row.on == "future";
    overrides += !row.vol.empty();
  }
  EXPECT_GT(futures, 0u);
  EXPECT_GT(calls, 0u);
  EXPECT_GT(puts, 0u);
  EXPECT_GT(european, 0u);
  EXPECT_GT(american, 0u);
  EXPECT_GT(on_spot, 0u);
  EXPECT_GT(on_future, 0u);
  EXPECT_GT(overrides, 0u);
  EXPECT_EQ(calls + puts, european + american);
  EXPECT_EQ(calls + puts, on_spot + on_future);
  EXPECT_GE(instruments.size(), 1500u);
  EXPECT_LE(instruments.size(), 2500u);

  // Accounts: enough of them, some isolated, at least three groups, collateral in cents.
  std::set<std::string> account_ids, groups;
  std::size_t isolated = 0;
  const std::size_t c_account = accounts.column("account");
  const std::size_t c_mode = accounts.column("mode");
  const std::size_t c_group = accounts.column("group");
  const std::size_t c_collateral = accounts.column("collateral");
  for (const auto& row : accounts.rows) {
    ASSERT_EQ(row.size(), accounts.header.size());
    EXPECT_TRUE(account_ids.insert(row[c_account]).second) << "duplicate " << row[c_account];
    EXPECT_TRUE(row[c_mode] == "cross" || row[c_mode] == "isolated") << row[c_account];
    isolated += row[c_mode] == "isolated";
    if (!row[c_group].empty()) groups.insert(row[c_group]);
    const std::string& collateral = row[c_collateral];
    ASSERT_GE(collateral.size(), 4u);
    EXPECT_EQ(collateral[collateral.size() - 3], '.') << row[c_account];
  }
  EXPECT_GE(account_ids.size(), 500u);
  EXPECT_GT(isolated, 0u);
  EXPECT_LT(isolated, account_ids.size() / 10);
  EXPECT_GE(groups.size(), 3u);

  // Positions: known references, some split rows, some large books, some empty accounts.
  std::map<std::pair<std::string, std::string>, int> rows_per_position;
  std::map<std::string, std::size_t> positions_per_account;
  const std::size_t p_account = positions.column("account");
  const std::size_t p_instrument = positions.column("instrument");
  const std::size_t p_quantity = positions.column("quantity");
  for (const auto& row : positions.rows) {
    ASSERT_EQ(row.size(), positions.header.size());
    EXPECT_EQ(account_ids.count(row[p_account]), 1u) << "unknown account " << row[p_account];
    EXPECT_EQ(instrument_ids.count(row[p_instrument]), 1u)
        << "unknown instrument " << row[p_instrument];
    EXPECT_NE(std::strtoll(row[p_quantity].c_str(), nullptr, 10), 0) << row[p_account];
    ++rows_per_position[{row[p_account], row[p_instrument]}];
    ++positions_per_account[row[p_account]];
  }
  const auto split_rows = std::count_if(rows_per_position.begin(), rows_per_position.end(),
                                        [](const auto& p) { return p.second > 1; });
  EXPECT_GE(split_rows, 1);
  EXPECT_LT(positions_per_account.size(), account_ids.size()) << "no account without positions";
  const auto largest =
      std::max_element(positions_per_account.begin(), positions_per_account.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  ASSERT_NE(largest, positions_per_account.end());
  EXPECT_GE(largest->second, 100u) << "no house account with hundreds of positions";

  // config.json as the SPEC's example.
  const std::string config = read_text(sample_dir() / "config.json");
  for (const char* needle : {"\"measure\": \"es\"", "\"confidence\": 0.99", "\"time_decay\": true",
                             "\"lookback_days\": 1000", "\"mpor_days\": 2"})
    EXPECT_NE(config.find(needle), std::string::npos) << needle;
}

TEST(SampleGenerator, SurfacesOffWritesTheSameBookWithFlatVols) {
  TempDir out("flat");
  ASSERT_EQ(run_generator("--history " + quoted(history_file().string()) + " --out " +
                          quoted(out.path().string()) + " --surfaces off"),
            0);
  const std::string flat = read_text(out.path() / "market.json");
  EXPECT_EQ(flat.find("vol_surface"), std::string::npos);
  // Each underlying's line is the sample's up to where its surface starts.
  const std::vector<std::string> flat_lines = lines_of(flat);
  const std::string sample = read_text(sample_dir() / "market.json");
  for (const std::string& line : flat_lines) {
    if (line.find("\"id\"") == std::string::npos) continue;
    const std::string start = line.substr(0, line.rfind(" }"));
    EXPECT_NE(sample.find(start + ",\n      \"vol_surface\""), std::string::npos) << line;
  }
  for (const char* name : kGeneratedFiles) {
    if (std::string(name) == "market.json") continue;
    EXPECT_EQ(read_text(out.path() / name), read_text(sample_dir() / name)) << name;
  }
}

TEST(SampleBook, EveryStockHasAPutSkewAndNoCalendarArbitrage) {
  // The production loader rejects calendar arbitrage and bad grids.
  const xm::Market market = xm::load_market((sample_dir() / "market.json").string());
  ASSERT_EQ(market.underlyings.size(), 30u);
  for (const xm::Underlying& u : market.underlyings) {
    ASSERT_TRUE(u.vol_surface.has_value()) << u.id;
    const xm::VolSurface& s = *u.vol_surface;
    EXPECT_EQ(s.expiries.size(), 6u) << u.id;
    ASSERT_EQ(s.moneyness.size(), 11u) << u.id;
    EXPECT_EQ(s.sticky, xm::Sticky::moneyness);
    for (std::size_t e = 0; e < s.expiries.size(); ++e) {
      const double* row = s.vols.data() + e * 11;
      for (std::size_t j = 1; j < 11; ++j) EXPECT_LE(row[j], row[j - 1]) << u.id << " " << e;
      EXPECT_GT(row[3], row[7]) << u.id << " " << e;  // vol(0.9) > vol(1.1)
    }
    // The ATM vol starts within a few points of today's (the EWMA proxy) and moves
    // towards the long-run level: the 1-year ATM vol is nearer the middle.
    EXPECT_NEAR(s.vols[5], u.vol_annual, 0.04) << u.id;
  }
}

TEST(SampleGenerator, TwentyThousandAccountsGiveAtLeastHundredThousandPositions) {
  TempDir out("large");
  ASSERT_EQ(run_generator("--history " + quoted(history_file().string()) + " --out " +
                          quoted(out.path().string()) + " --accounts 20000"),
            0);
  const std::vector<std::string> positions = lines_of(read_text(out.path() / "positions.csv"));
  ASSERT_FALSE(positions.empty());
  EXPECT_GE(positions.size() - 1, 100000u);
  const std::vector<std::string> accounts = lines_of(read_text(out.path() / "accounts.csv"));
  EXPECT_EQ(accounts.size(), 20001u);
}

TEST(SampleGenerator, BadArgumentsExitWithTwo) {
  TempDir out("bad");
  const std::string history = " --history " + quoted(history_file().string());
  const std::string dir = " --out " + quoted(out.path().string());
  EXPECT_EQ(run_generator(history + dir + " --accounts abc"), 2);
  EXPECT_EQ(run_generator(history + dir + " --accounts 3"), 2);
  EXPECT_EQ(run_generator(history + dir + " --seed -1"), 2);
  EXPECT_EQ(run_generator(history + dir + " --frobnicate"), 2);
  EXPECT_EQ(run_generator(history + dir + " --accounts"), 2);
  EXPECT_EQ(run_generator(history + dir + " --surfaces maybe"), 2);
  EXPECT_EQ(run_generator(dir), 2);
  EXPECT_EQ(run_generator(history), 2);
  EXPECT_EQ(run_generator(" --history " + quoted((out.path() / "missing.csv").string()) + dir), 2);
  EXPECT_EQ(run_generator("--help"), 0);
}

}  // namespace
