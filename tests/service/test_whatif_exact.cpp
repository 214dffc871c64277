// The service's answers are exact: a what-if's "after" rows, and the state
// after a batch of trades, are the bytes `xmargin run` writes for the input
// files changed the same way (trades appended to positions.csv, added
// instruments to instruments.csv). Hundreds of random what-ifs of every kind
// — new positions, changes, closes, flips, added instruments; isolated
// accounts, group members, plain accounts — on the sample, on the sample with
// every source, a floor, a blend and a held buffer, and on `small`.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "report/number_format.hpp"
#include "service/book_changes.hpp"
#include "service/margin_service.hpp"
#include "service/request_error.hpp"
#include "service/request_json.hpp"
#include "support/test_support.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/date.hpp"
#include "xmargin/pipeline.hpp"

namespace xm {
namespace {

namespace fs = std::filesystem;
using service::ServiceState;

std::string margins_csv(const std::vector<MarginRow>& rows) {
  std::ostringstream out;
  write_margins_csv(out, rows);
  return out.str();
}

std::string components_csv(const std::vector<ComponentRow>& rows, const ComponentMask& mask) {
  std::ostringstream out;
  write_components_csv(out, rows, mask);
  return out.str();
}

// What `xmargin run --backend cpu` computes for the files of `dir`.
struct BatchRun {
  std::vector<MarginRow> rows;
  std::vector<ComponentRow> components;
  ComponentMask mask{};
  std::map<std::string, std::size_t> row_of;  // "account:ID" / "group:ID"

  explicit BatchRun(const std::string& dir) {
    const PreparedRun prepared = prepare_run(test::book_paths(dir));
    auto backend = make_cpu_backend({});
    RunOutcome outcome = run_margins(prepared, *backend, false);
    rows = std::move(outcome.rows);
    components = std::move(outcome.components);
    mask = outcome.info.components;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      row_of[(rows[r].level == RowLevel::account ? "account:" : "group:") + rows[r].id] = r;
    }
  }
};

// A copy of a book folder whose files the test appends rows to.
class BookCopy {
 public:
  explicit BookCopy(const std::string& from) {
    for (const auto& entry : fs::directory_iterator(from)) {
      if (entry.is_regular_file())
        fs::copy_file(entry.path(), fs::path(dir_.path()) / entry.path().filename());
    }
  }
  std::string path() const { return dir_.path(); }
  void append(const std::string& file, const std::string& row) const {
    std::ofstream out(dir_.file(file), std::ios::app | std::ios::binary);
    out << row << "\n";
  }

 private:
  test::TempDir dir_;
};

// One random what-if: its request body and the rows it adds to the files.
struct WhatIfCase {
  std::string account;
  std::string body;
  std::vector<std::string> position_rows, instrument_rows;
  bool in_group = false;
};

class CaseMaker {
 public:
  CaseMaker(const ServiceState& state, std::uint64_t seed) : state_(state), rng_(seed) {}

  WhatIfCase make(std::size_t account) {
    const Book& book = state_.book;
    WhatIfCase c;
    c.account = book.accounts[account].id;
    c.in_group = !book.accounts[account].group.empty();
    const auto [first, last] = state_.positions_of(account);
    nlohmann::ordered_json trades = nlohmann::ordered_json::array();
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    std::map<std::string, double> net;  // the account's quantities as the trades move them
    for (std::size_t p = first; p < last; ++p) {
      net[book.instruments[book.positions[p].instrument].id] = book.positions[p].quantity;
    }
    const std::size_t count = 1 + pick(3);
    for (std::size_t t = 0; t < count; ++t) {
      std::string instrument;
      double quantity = 0.0;
      const std::size_t kind = pick(6);
      if (kind == 5 || (kind >= 1 && net.empty())) {
        if (kind == 5) {
          instrument = add_instrument(added, c);
        } else {
          instrument = book.instruments[pick(book.instruments.size())].id;
        }
        quantity = random_quantity();
      } else if (kind == 0) {
        instrument = book.instruments[pick(book.instruments.size())].id;  // new or held
        quantity = random_quantity();
      } else {
        auto held = net.begin();
        std::advance(held, static_cast<std::ptrdiff_t>(pick(net.size())));
        instrument = held->first;
        const double q = held->second;
        quantity = kind == 1 ? random_quantity() : kind == 2 ? -q : kind == 3 ? -2.0 * q : 0.5 * q;
      }
      net[instrument] += quantity;
      trades.push_back({{"instrument", instrument}, {"quantity", quantity}});
      c.position_rows.push_back(c.account + "," + instrument + "," + format_double(quantity));
    }
    nlohmann::ordered_json body = {{"account", c.account}, {"trades", trades}};
    if (!added.empty()) body["instruments"] = added;
    c.body = body.dump();
    return c;
  }

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

 private:
  const ServiceState& state_;
  std::mt19937_64 rng_;
  std::size_t added_ = 0;

  double random_quantity() {
    const double q = static_cast<double>(1 + pick(40)) * (pick(2) == 0 ? 1.0 : -1.0);
    return pick(4) == 0 ? q / 4.0 : q;  // some fractional quantities
  }

  // An option or future the book does not list, on the underlying and expiry
  // of one it does.
  std::string add_instrument(nlohmann::ordered_json& added, WhatIfCase& c) {
    const Book& book = state_.book;
    const Instrument& like = book.instruments[pick(book.instruments.size())];
    const Underlying& underlying = book.market.underlyings[like.underlying];
    const std::string id = "WHATIF-" + std::to_string(++added_) + "-" + c.account;
    const std::string expiry = format_iso_date(like.expiry);
    nlohmann::ordered_json row = {
        {"instrument", id}, {"underlying", underlying.id}, {"expiry", expiry}, {"multiplier", 100}};
    std::string csv;
    if (pick(4) == 0) {
      row["type"] = "future";
      csv = id + ",future," + underlying.id + "," + expiry + ",100,,,,,";
    } else {
      const double strike =
          std::round(underlying.price * (0.7 + 0.05 * static_cast<double>(pick(13))));
      const std::string right = pick(2) == 0 ? "C" : "P";
      const std::string style = pick(2) == 0 ? "european" : "american";
      const std::string on = pick(3) == 0 ? "future" : "spot";
      row["type"] = "option";
      row["strike"] = strike;
      row["right"] = right;
      row["style"] = style;
      row["on"] = on;
      std::string vol;
      if (pick(3) == 0) {
        row["vol"] = 0.35;
        vol = "0.35";
      }
      csv = id + ",option," + underlying.id + "," + expiry + ",100," + format_double(strike) + "," +
            right + "," + style + "," + on + "," + vol;
    }
    added.push_back(row);
    c.instrument_rows.push_back(csv);
    return id;
  }
};

std::string row_line(const MarginRow& row) {
  return margins_csv({row});
}

// `batches` batches of what-ifs on distinct accounts of distinct groups, each
// batch checked against one batch run of the files with all its changes.
void check_what_ifs(const std::string& book_dir, std::size_t batches, std::size_t per_batch,
                    std::uint64_t seed, std::size_t& checked) {
  auto prepared = std::make_shared<const PreparedRun>(prepare_run(test::book_paths(book_dir)));
  const auto state = service::build_state(prepared, 0, 0);
  {
    const BatchRun batch(book_dir);
    ASSERT_EQ(state->margins_csv, margins_csv(batch.rows));
    ASSERT_EQ(components_csv(state->components(), state->info.components),
              components_csv(batch.components, batch.mask));
  }
  CaseMaker maker(*state, seed);
  const Book& book = state->book;
  std::size_t isolated = 0, grouped = 0, added = 0;
  // Group members, isolated accounts, any account: taken in turn.
  std::array<std::vector<std::size_t>, 3> kinds;
  for (std::size_t a = 0; a < book.accounts.size(); ++a) {
    if (!book.accounts[a].group.empty()) kinds[0].push_back(a);
    if (book.accounts[a].mode == MarginMode::isolated) kinds[1].push_back(a);
    kinds[2].push_back(a);
  }
  for (std::size_t b = 0; b < batches; ++b) {
    BookCopy copy(book_dir);
    std::vector<std::pair<WhatIfCase, service::WhatIfAnswer>> answers;
    std::set<std::string> groups_used;
    for (std::size_t tries = 0; answers.size() < per_batch && tries < 20 * per_batch; ++tries) {
      const std::vector<std::size_t>& from = kinds[tries % 3].empty() ? kinds[2] : kinds[tries % 3];
      const std::size_t a = from[maker.pick(from.size())];
      const Account& account = book.accounts[a];
      if (!account.group.empty() && !groups_used.insert(account.group).second) continue;
      bool taken = false;
      for (const auto& [done, ignored] : answers) taken |= done.account == account.id;
      if (taken) continue;
      WhatIfCase c = maker.make(a);
      service::WhatIfAnswer answer =
          service::evaluate_what_if(*state, service::read_what_if(c.body, book.market));
      for (const std::string& row : c.instrument_rows) copy.append("instruments.csv", row);
      for (const std::string& row : c.position_rows) copy.append("positions.csv", row);
      isolated += account.mode == MarginMode::isolated ? 1 : 0;
      grouped += c.in_group ? 1 : 0;
      added += c.instrument_rows.empty() ? 0 : 1;
      answers.emplace_back(std::move(c), std::move(answer));
    }
    const BatchRun batch(copy.path());
    for (const auto& [c, answer] : answers) {
      const std::size_t r = batch.row_of.at("account:" + c.account);
      EXPECT_EQ(row_line(answer.account_after.margin), row_line(batch.rows[r])) << c.body;
      EXPECT_EQ(components_csv({answer.account_after.components}, batch.mask),
                components_csv({batch.components[r]}, batch.mask))
          << c.body;
      EXPECT_EQ(row_line(answer.account_before.margin),
                row_line(state->rows()[state->account_row.at(c.account)]));
      ASSERT_EQ(answer.group_after.has_value(), c.in_group);
      if (c.in_group) {
        const std::size_t g = batch.row_of.at("group:" + answer.group_after->margin.id);
        EXPECT_EQ(row_line(answer.group_after->margin), row_line(batch.rows[g])) << c.body;
        EXPECT_EQ(components_csv({answer.group_after->components}, batch.mask),
                  components_csv({batch.components[g]}, batch.mask))
            << c.body;
      }
      ++checked;
    }
  }
  // The mix reached every kind of account and added instruments.
  EXPECT_GT(added, 0u);
  const auto any = [&](auto&& has) {
    return std::any_of(book.accounts.begin(), book.accounts.end(), has);
  };
  if (any([](const Account& a) { return !a.group.empty(); })) {
    EXPECT_GT(grouped, 0u);
  }
  if (any([](const Account& a) { return a.mode == MarginMode::isolated; })) {
    EXPECT_GT(isolated, 0u);
  }
}

const std::string kSample = std::string(XM_SOURCE_DIR) + "/scenarios/default";

TEST(WhatIfExact, SampleWhatIfsEqualTheBatchRunOfTheChangedFiles) {
  std::size_t checked = 0;
  check_what_ifs(kSample, 6, 40, 20261206, checked);
  EXPECT_GE(checked, 200u);
}

// The sample with every statistical source (each alone is a component), a
// floor, the blend rule and a buffer that is not released.
void use_every_source(const BookCopy& book) {
  nlohmann::ordered_json config =
      nlohmann::ordered_json::parse(test::read_text(book.path() + "/config.json"));
  config["scenarios"]["historical"] = {{"lookback_days", 400}, {"mpor_days", 2}};
  config["scenarios"]["filtered_historical"] = {{"lookback_days", 300}, {"mpor_days", 2}};
  config["scenarios"]["monte_carlo"] = {{"count", 300}, {"mpor_days", 2}, {"seed", 11}};
  config["combine"] = {{"rule", "blend"}, {"blend", 0.7}};
  config["anti_procyclicality"] = {
      {"buffer", 0.25}, {"buffer_released", false}, {"floor_lookback_days", 1500}};
  std::ofstream(book.path() + "/config.json") << config.dump(1);
}

TEST(WhatIfExact, EverySourceFloorBlendAndBufferToo) {
  BookCopy book(kSample);
  use_every_source(book);
  std::size_t checked = 0;
  check_what_ifs(book.path(), 3, 40, 7, checked);
  EXPECT_GE(checked, 100u);
}

TEST(WhatIfExact, SmallWhatIfsEqualTheBatchRunOfTheChangedFiles) {
  test::TempDir small;
  const test::CommandResult made = test::run_command(
      std::string("'") + XM_MAKE_BOOK_BINARY + "' --workload small --out '" + small.path() + "'");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::size_t checked = 0;
  check_what_ifs(small.path(), 2, 30, 99, checked);
  EXPECT_GE(checked, 50u);
}

// Random trade batches applied one after another: the state is the batch
// run of positions.csv with every trade appended, margins.csv and
// components.csv to the byte; the journal replays it.
TEST(TradesExact, BatchesOfTradesEqualTheBatchRunAndReplayFromTheJournal) {
  BookCopy book(kSample);
  auto prepared = std::make_shared<const PreparedRun>(prepare_run(test::book_paths(book.path())));
  const auto first = service::build_state(prepared, 0, 0);
  test::TempDir journal_dir;
  const std::string journal = journal_dir.file("journal");
  service::MarginService service(first);
  std::ostringstream warnings;
  service.open_journal(journal, warnings);
  EXPECT_EQ(warnings.str(), "");
  std::mt19937_64 rng(5);
  const Book& base = first->book;
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::vector<std::string> rows;
  for (std::size_t b = 0; b < 12; ++b) {
    std::vector<service::Trade> trades;
    const std::size_t count = 1 + pick(6);
    for (std::size_t t = 0; t < count; ++t) {
      const std::string account = base.accounts[pick(base.accounts.size())].id;
      const std::string instrument = base.instruments[pick(base.instruments.size())].id;
      const double quantity = static_cast<double>(static_cast<int>(pick(21)) - 10) / 2.0;
      trades.push_back({account, instrument, quantity, "/trades/" + std::to_string(t)});
      rows.push_back(account + "," + instrument + "," + format_double(quantity));
    }
    const service::TradeOutcome outcome = service.apply_trades(trades);
    EXPECT_EQ(outcome.state->version, b + 2);
  }
  // Refused batches change nothing, not even in part.
  const auto before = service.state();
  EXPECT_THROW(
      service.apply_trades({{base.accounts[0].id, base.instruments[0].id, 1.0, "/trades/0"},
                            {base.accounts[0].id, "NO-SUCH", 1.0, "/trades/1"}}),
      service::RequestError);
  EXPECT_EQ(service.state(), before);

  for (const std::string& row : rows) book.append("positions.csv", row);
  const BatchRun batch(book.path());
  EXPECT_EQ(service.state()->margins_csv, margins_csv(batch.rows));
  EXPECT_EQ(components_csv(service.state()->components(), service.state()->info.components),
            components_csv(batch.components, batch.mask));

  // A restart replays the journal onto the files it started from.
  BookCopy original(kSample);
  auto again = std::make_shared<const PreparedRun>(prepare_run(test::book_paths(original.path())));
  service::MarginService restarted(service::build_state(again, 0, 0));
  restarted.open_journal(journal, warnings);
  EXPECT_EQ(restarted.state()->version, 13u);
  EXPECT_EQ(restarted.state()->margins_csv, service.state()->margins_csv);
}

// A market update after trades: the state is the batch run of market.json
// changed the same way and positions.csv with the trades, every source (the
// Monte Carlo targets move with the spot), stress and floor included.
TEST(MarketExact, AMarketUpdateEqualsTheBatchRunOfTheChangedMarket) {
  BookCopy book(kSample);
  use_every_source(book);
  auto prepared = std::make_shared<const PreparedRun>(prepare_run(test::book_paths(book.path())));
  service::MarginService service(service::build_state(prepared, 0, 0));
  const Book& base = service.state()->book;
  const std::vector<service::Trade> trades = {
      {base.accounts[3].id, base.instruments[10].id, 7.0, "/trades/0"},
      {base.accounts[0].id, base.instruments[200].id, -2.5, "/trades/1"}};
  service.apply_trades(trades);
  for (const service::Trade& t : trades) {
    book.append("positions.csv", t.account + "," + t.instrument + "," + format_double(t.quantity));
  }

  const service::Json change = service::read_market_change(R"({
    "valuation_date": "2001-01-03",
    "underlyings": [{"id": "AA", "price": 32.5, "vol": 0.55},
                    {"id": "IBM", "rate": 0.055, "dividend_yield": 0.01},
                    {"id": "KO", "price": 58.125, "vol_surface": null, "vol": 0.3}]})");
  const auto state = service.update_market(change);
  EXPECT_EQ(state->version, 3u);
  ASSERT_EQ(state->revaluation_stages.size(), 4u);

  nlohmann::ordered_json market =
      nlohmann::ordered_json::parse(test::read_text(book.path() + "/market.json"));
  market["valuation_date"] = "2001-01-03";
  for (auto& u : market["underlyings"]) {
    if (u["id"] == "AA") {
      u["price"] = 32.5;
      u["vol"] = 0.55;
    } else if (u["id"] == "IBM") {
      u["rate"] = 0.055;
      u["dividend_yield"] = 0.01;
    } else if (u["id"] == "KO") {
      u["price"] = 58.125;
      u.erase("vol_surface");
      u["vol"] = 0.3;
    }
  }
  std::ofstream(book.path() + "/market.json") << market.dump(1);
  const BatchRun batch(book.path());
  EXPECT_EQ(state->margins_csv, margins_csv(batch.rows));
  EXPECT_EQ(components_csv(state->components(), state->info.components),
            components_csv(batch.components, batch.mask));

  // What-ifs read the new market too.
  WhatIfCase c = CaseMaker(*state, 3).make(5);
  const auto answer =
      service::evaluate_what_if(*state, service::read_what_if(c.body, state->book.market));
  for (const std::string& row : c.instrument_rows) book.append("instruments.csv", row);
  for (const std::string& row : c.position_rows) book.append("positions.csv", row);
  const BatchRun after(book.path());
  EXPECT_EQ(row_line(answer.account_after.margin),
            row_line(after.rows[after.row_of.at("account:" + c.account)]));

  // Refused changes leave the state as it was, and say where.
  const auto refused = [&](const char* body, int status, const std::string& pointer) {
    try {
      service.update_market(service::read_market_change(body));
      ADD_FAILURE() << body << " was accepted";
    } catch (const service::RequestError& error) {
      EXPECT_EQ(error.status(), status) << body << ": " << error.what();
      EXPECT_EQ(error.pointer(), pointer) << body << ": " << error.what();
    }
    EXPECT_EQ(service.state(), state);
  };
  refused(R"({"underlyings": [{"id": "NOPE", "price": 1}]})", 422, "/underlyings/0/id");
  refused(R"({"underlyings": [{"id": "AA"}, {"id": "KO", "price": -3}]})", 400,
          "/underlyings/1/price");
  refused(R"({"underlyings": [], "valuation_date": "2001-02-30"})", 400, "/valuation_date");
  refused(R"({"underlyings": [], "valuation_date": "2001-06-01"})", 400, "/valuation_date");
  refused(R"({"underlyings": [], "valuation_date": "2001-01-25"})", 422, "/valuation_date");
  refused(R"({"underlyings": [{"id": "AA", "price": "high"}]})", 400, "/underlyings/0/price");
}

}  // namespace
}  // namespace xm
