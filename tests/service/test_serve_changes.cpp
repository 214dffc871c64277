// The service's changes as users make them, over HTTP to a real server on
// the sample: what-ifs, trades and market updates with their refusals; eight
// clients at once while changes land, every answer checked against the
// state version it names; and SIGKILL at any moment under load, the restart
// holding every acknowledged change.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "service/margin_service.hpp"
#include "service/request_error.hpp"
#include "service/request_json.hpp"
#include "service/server_process.hpp"
#include "support/test_support.hpp"
#include "xmargin/pipeline.hpp"

namespace xm {
namespace {

using Json = nlohmann::json;
const std::string kSample = std::string(XM_SOURCE_DIR) + "/scenarios/default";

// The sample's first state, computed in this process as the oracle.
std::shared_ptr<const service::ServiceState> sample_state() {
  static const auto prepared =
      std::make_shared<const PreparedRun>(prepare_run(test::book_paths(kSample)));
  return service::build_state(prepared, 0, 0);
}

// Every number of a margins.csv row read back from JSON is the double of the row.
void expect_row(const Json& json, const MarginRow& row, const std::string& what) {
  EXPECT_EQ(json["id"], row.id) << what;
  EXPECT_EQ(json["margin"].get<double>(), row.margin) << what;
  EXPECT_EQ(json["var"].get<double>(), row.var) << what;
  EXPECT_EQ(json["es"].get<double>(), row.es) << what;
  EXPECT_EQ(json["worst_loss"].get<double>(), row.worst_loss) << what;
  EXPECT_EQ(json["worst_scenario"].get<std::int32_t>(), row.worst_scenario) << what;
  EXPECT_EQ(json["isolated_margin"].get<double>(), row.isolated_margin) << what;
  EXPECT_EQ(json["excess"].get<double>(), row.excess) << what;
  EXPECT_EQ(json["positions"].get<std::size_t>(), row.positions) << what;
}

std::string what_if_body(const std::string& account, const std::string& instrument, double q) {
  return Json{{"account", account}, {"trades", {{{"instrument", instrument}, {"quantity", q}}}}}
      .dump();
}

class ServeChanges : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<test::ServerProcess>(std::vector<std::string>{"--dir", kSample});
    ASSERT_NE(server->port(), 0) << server->output();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
  }
  std::unique_ptr<test::ServerProcess> server;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(ServeChanges, AWhatIfIsWhatTheSameTradesThenAre) {
  const auto oracle = sample_state();
  const Book& book = oracle->book;
  // A group member: its group's row comes back too.
  std::size_t member = 0;
  while (book.accounts[member].group.empty()) ++member;
  const std::string account = book.accounts[member].id;
  const std::string instrument = book.instruments[42].id;
  const auto what_if =
      client->Post("/v1/whatif", what_if_body(account, instrument, 3.0), "application/json");
  ASSERT_TRUE(what_if);
  ASSERT_EQ(what_if->status, 200) << what_if->body;
  const Json answer = Json::parse(what_if->body);
  EXPECT_EQ(answer["state_version"], 1);
  expect_row(answer["account"]["before"], oracle->rows()[oracle->account_row.at(account)],
             "before");
  EXPECT_EQ(answer["account"]["change"]["margin"].get<double>(),
            answer["account"]["after"]["margin"].get<double>() -
                answer["account"]["before"]["margin"].get<double>());
  ASSERT_TRUE(answer["group"].is_object());

  // Nothing changed...
  const Json health = Json::parse(client->Get("/v1/health")->body);
  EXPECT_EQ(health["state_version"], 1);
  // ...until the trades land: then the rows are the what-if's "after".
  const auto trades = client->Post(
      "/v1/trades",
      Json{{"trades", {{{"account", account}, {"instrument", instrument}, {"quantity", 3.0}}}}}
          .dump(),
      "application/json");
  ASSERT_TRUE(trades);
  ASSERT_EQ(trades->status, 200) << trades->body;
  const Json landed = Json::parse(trades->body);
  EXPECT_EQ(landed["state_version"], 2);
  EXPECT_EQ(landed["accounts"][0], answer["account"]["after"]);
  EXPECT_EQ(landed["groups"][0], answer["group"]["after"]);
  const Json read = Json::parse(client->Get("/v1/accounts/" + account)->body);
  EXPECT_EQ(read["state_version"], 2);
  EXPECT_EQ(read["account"], answer["account"]["after"]);

  // curl, as the README shows it.
  const test::CommandResult curl =
      test::run_command("curl -s -X POST http://127.0.0.1:" + std::to_string(server->port()) +
                        "/v1/whatif -H 'Content-Type: application/json' -d '" +
                        what_if_body(account, instrument, -3.0) + "'");
  ASSERT_EQ(curl.exit_code, 0);
  const Json back = Json::parse(curl.output);
  EXPECT_EQ(back["state_version"], 2);
  EXPECT_EQ(back["account"]["after"]["margin"], answer["account"]["before"]["margin"]);
}

TEST_F(ServeChanges, RefusalsNameTheFieldAndChangeNothing) {
  const std::string account = sample_state()->book.accounts[0].id;
  const std::string instrument = sample_state()->book.instruments[0].id;
  struct Case {
    const char* path;
    std::string body;
    int status;
    std::string pointer;
  };
  std::string deep(40, '[');
  deep += std::string(40, ']');
  const std::vector<Case> cases = {
      {"/v1/whatif", "{\"account\": ", 400, ""},
      {"/v1/whatif", "{\"account\": \"" + account + "\", \"account\": \"x\", \"trades\": []}", 400,
       "/account"},
      {"/v1/whatif", "{\"account\": \"" + account + "\", \"trades\": [], \"x\": " + deep + "}", 400,
       "/x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"},
      {"/v1/whatif", "{\"account\": \"" + account + "\", \"trades\": [], \"bogus\": 1}", 400,
       "/bogus"},
      {"/v1/whatif",
       "{\"account\": \"" + account + "\", \"trades\": [{\"instrument\": \"" + instrument + "\"}]}",
       400, "/trades/0/quantity"},
      {"/v1/whatif",
       "{\"account\": \"" + account + "\", \"trades\": [{\"instrument\": \"" + instrument +
           "\", \"quantity\": \"5\"}]}",
       400, "/trades/0/quantity"},
      {"/v1/whatif", what_if_body("NO-SUCH", instrument, 1), 404, "/account"},
      {"/v1/whatif", what_if_body(account, "NO-SUCH", 1), 422, "/trades/0/instrument"},
      {"/v1/whatif", what_if_body(account, instrument, 1e300), 422, "/trades/0/quantity"},
      {"/v1/whatif",
       "{\"account\": \"" + account +
           "\", \"trades\": [], \"instruments\": [{\"instrument\": \"N\", \"type\": \"option\", "
           "\"underlying\": \"AA\", \"expiry\": \"2000-01-01\", \"multiplier\": 100, \"strike\": "
           "30, \"right\": \"C\", \"style\": \"european\", \"on\": \"spot\"}]}",
       400, "/instruments/0/expiry"},
      {"/v1/whatif",
       "{\"account\": \"" + account + "\", \"trades\": [], \"instruments\": [{\"instrument\": \"" +
           instrument +
           "\", \"type\": \"future\", \"underlying\": \"AA\", \"expiry\": \"2001-06-15\", "
           "\"multiplier\": 100}]}",
       422, "/instruments/0/instrument"},
      {"/v1/trades", "{\"trades\": []}", 400, "/trades"},
      {"/v1/trades",
       "{\"trades\": [{\"account\": \"" + account + "\", \"instrument\": \"" + instrument +
           "\", \"quantity\": 1}, {\"account\": \"NO-SUCH\", \"instrument\": \"" + instrument +
           "\", \"quantity\": 1}]}",
       404, "/trades/1/account"},
      {"/v1/trades", "[1, 2]", 400, ""},
  };
  for (const Case& c : cases) {
    const auto response = client->Post(c.path, c.body, "application/json");
    ASSERT_TRUE(response) << c.body;
    EXPECT_EQ(response->status, c.status) << c.body << " → " << response->body;
    const Json error = Json::parse(response->body);
    EXPECT_TRUE(error["error"].is_string()) << response->body;
    EXPECT_EQ(error.value("pointer", ""), c.pointer) << c.body << " → " << response->body;
  }
  const auto market = client->Put(
      "/v1/market", "{\"underlyings\": [{\"id\": \"AA\", \"price\": 0}]}", "application/json");
  ASSERT_TRUE(market);
  EXPECT_EQ(market->status, 400) << market->body;
  EXPECT_EQ(Json::parse(market->body)["pointer"], "/underlyings/0/price");
  const auto big = client->Post("/v1/whatif", std::string(2 << 20, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  // None of it changed the state.
  EXPECT_EQ(Json::parse(client->Get("/v1/health")->body)["state_version"], 1);
}

TEST_F(ServeChanges, AMarketUpdateRevaluesEverythingAndSaysHowLong) {
  const auto response = client->Put(
      "/v1/market",
      "{\"underlyings\": [{\"id\": \"AA\", \"price\": 33.0}, {\"id\": \"GE\", \"vol\": 0.5}]}",
      "application/json");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  const Json answer = Json::parse(response->body);
  EXPECT_EQ(answer["state_version"], 2);
  for (const char* stage : {"pack", "scenarios", "revalue", "margins", "total"}) {
    EXPECT_GE(answer["timings"][stage].get<double>(), 0.0) << stage;
  }
  // The margins are those of the oracle after the same update.
  service::MarginService oracle(sample_state());
  const auto state = oracle.update_market(service::read_market_change(
      "{\"underlyings\": [{\"id\": \"AA\", \"price\": 33.0}, {\"id\": \"GE\", \"vol\": 0.5}]}"));
  EXPECT_EQ(client->Get("/v1/margins?format=csv")->body, state->margins_csv);
  const std::string metrics = client->Get("/metrics")->body;
  EXPECT_NE(metrics.find("xmargin_state_version 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("endpoint=\"market\""), std::string::npos);
}

// Eight clients at once — what-ifs, reads, and one writing trades and
// market updates — and every answer is the one of the version it names.
TEST_F(ServeChanges, EightClientsWhileChangesLandSeeWholeVersions) {
  const auto first = sample_state();
  const Book& book = first->book;
  struct Seen {
    std::string body;  // the what-if's body, or "" for a read of `account`
    std::string account;
    Json answer;
  };
  std::mutex seen_lock;
  std::vector<Seen> seen;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  // The writer's changes, by the version each made.
  std::map<int, std::pair<std::string, std::string>> changes;  // version → (path, body)

  auto reader = [&](unsigned seed, bool what_ifs) {
    httplib::Client c("127.0.0.1", server->port());
    std::mt19937 rng(seed);
    while (writing) {
      const std::string account = book.accounts[rng() % book.accounts.size()].id;
      const std::string instrument = book.instruments[rng() % book.instruments.size()].id;
      const std::string body =
          what_ifs ? what_if_body(account, instrument, 1.0 + static_cast<double>(rng() % 5)) : "";
      const auto response = what_ifs ? c.Post("/v1/whatif", body, "application/json")
                                     : c.Get("/v1/accounts/" + account);
      if (!response || response->status != 200) {
        ++failures;
        continue;
      }
      const std::lock_guard<std::mutex> lock(seen_lock);
      seen.push_back({body, account, Json::parse(response->body)});
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 6; ++t) threads.emplace_back(reader, t, true);
  threads.emplace_back(reader, 6u, false);
  threads.emplace_back([&] {
    httplib::Client c("127.0.0.1", server->port());
    std::mt19937 rng(77);
    for (int k = 0; k < 12; ++k) {
      std::string path = "/v1/trades", body;
      if (k % 4 == 3) {
        path = "/v1/market";
        body = Json{{"underlyings", {{{"id", "AA"}, {"price", 30.0 + k}}}}}.dump();
      } else {
        Json trades = Json::array();
        for (int t = 0; t < 3; ++t) {
          trades.push_back({{"account", book.accounts[rng() % book.accounts.size()].id},
                            {"instrument", book.instruments[rng() % book.instruments.size()].id},
                            {"quantity", static_cast<int>(rng() % 9) - 4}});
        }
        body = Json{{"trades", trades}}.dump();
      }
      const auto response = path == "/v1/market" ? c.Put(path, body, "application/json")
                                                 : c.Post(path, body, "application/json");
      if (!response || response->status != 200) {
        ++failures;
        continue;
      }
      changes[Json::parse(response->body)["state_version"].get<int>()] = {path, body};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    writing = false;
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(changes.size(), 12u);

  // The oracle: each version rebuilt in this process from the same changes.
  std::map<int, std::shared_ptr<const service::ServiceState>> states = {{1, first}};
  service::MarginService oracle(first);
  for (const auto& [version, change] : changes) {
    ASSERT_EQ(version, static_cast<int>(states.size()) + 1);
    states[version] = change.first == "/v1/market"
                          ? oracle.update_market(service::read_market_change(change.second))
                          : oracle.apply_trades(service::read_trades(change.second)).state;
  }
  std::size_t what_ifs = 0, reads = 0;
  std::set<int> versions_seen;
  for (const Seen& s : seen) {
    const int version = s.answer["state_version"].get<int>();
    versions_seen.insert(version);
    const service::ServiceState& state = *states.at(version);
    if (s.body.empty()) {
      expect_row(s.answer["account"], state.rows()[state.account_row.at(s.account)], s.account);
      ++reads;
    } else {
      const service::WhatIfAnswer expected =
          service::evaluate_what_if(state, service::read_what_if(s.body, state.book.market));
      expect_row(s.answer["account"]["before"], expected.account_before.margin, s.body);
      expect_row(s.answer["account"]["after"], expected.account_after.margin, s.body);
      ++what_ifs;
    }
  }
  EXPECT_GT(what_ifs, 100u);
  EXPECT_GT(reads, 20u);
  EXPECT_GT(versions_seen.size(), 4u);  // answers came from many versions
}

// SIGKILL at random moments while trades land and what-ifs run: each
// restart replays the journal to a state holding every acknowledged batch
// (and the one in flight at the kill only if it reached the disk).
TEST(ServeJournal, KilledAtAnyMomentItRestartsWithEveryAcknowledgedChange) {
  test::TempDir dir;
  const std::string journal = dir.file("journal");
  const auto first = sample_state();
  const Book& book = first->book;
  std::vector<std::string> sent;  // every batch sent, in order
  std::size_t acknowledged = 0;
  std::mt19937 rng(2026);
  for (int round = 0; round < 5; ++round) {
    test::ServerProcess server({"--dir", kSample, "--journal", journal});
    ASSERT_NE(server.port(), 0) << server.output();
    httplib::Client c("127.0.0.1", server.port());
    // The restart holds every acknowledged batch, and at most the one in flight.
    const int version = Json::parse(c.Get("/v1/health")->body)["state_version"].get<int>();
    const auto held = static_cast<std::size_t>(version - 1);
    EXPECT_GE(held, acknowledged) << server.output();
    EXPECT_LE(held, std::min(acknowledged + 1, sent.size())) << server.output();
    service::MarginService oracle(first);
    for (std::size_t b = 0; b < held; ++b) oracle.apply_trades(service::read_trades(sent[b]));
    EXPECT_EQ(c.Get("/v1/margins?format=csv")->body, oracle.state()->margins_csv);
    sent.resize(held);  // a batch lost in flight was never acknowledged: it is not resent
    acknowledged = held;

    std::atomic<bool> running{true};
    std::thread load([&] {
      httplib::Client w("127.0.0.1", server.port());
      while (running)
        w.Post("/v1/whatif", what_if_body(book.accounts[1].id, book.instruments[7].id, 2),
               "application/json");
    });
    std::thread writer([&] {
      httplib::Client w("127.0.0.1", server.port());
      for (unsigned k = 0; running; ++k) {
        const std::string body =
            Json{{"trades",
                  {{{"account", book.accounts[(k * 7 + sent.size()) % book.accounts.size()].id},
                    {"instrument", book.instruments[(k * 13) % book.instruments.size()].id},
                    {"quantity", 1 + static_cast<int>(k % 3)}}}}}
                .dump();
        sent.push_back(body);
        const auto response = w.Post("/v1/trades", body, "application/json");
        if (!response || response->status != 200) break;  // killed
        acknowledged = sent.size();
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    server.stop(SIGKILL);
    running = false;
    writer.join();
    load.join();
  }
  EXPECT_GT(acknowledged, 5u);

  // A record torn by a crash mid-append is dropped with a warning.
  {
    std::ofstream torn(journal, std::ios::app | std::ios::binary);
    torn << "120 0123456789abcdef";
  }
  test::ServerProcess torn({"--dir", kSample, "--journal", journal});
  ASSERT_NE(torn.port(), 0) << torn.output();
  EXPECT_NE(torn.output().find("cut short by a crash"), std::string::npos) << torn.output();
  httplib::Client c("127.0.0.1", torn.port());
  const auto version = Json::parse(c.Get("/v1/health")->body)["state_version"].get<std::size_t>();
  EXPECT_GE(version, acknowledged + 1);  // the last round's batch in flight may have landed
  EXPECT_LE(version, acknowledged + 2);
  EXPECT_EQ(torn.stop(), 0);

  // Damage before the last record is not a crash's: it refuses to start.
  std::string text = test::read_text(journal);
  text[text.find('\n', 20) + 5] ^= 1;  // a byte inside the first record's payload
  std::ofstream(journal, std::ios::binary) << text;
  test::ServerProcess damaged({"--dir", kSample, "--journal", journal});
  EXPECT_EQ(damaged.port(), 0);
  EXPECT_EQ(damaged.wait(), 2) << damaged.output();
  EXPECT_NE(damaged.output().find("journal is damaged"), std::string::npos) << damaged.output();
}

}  // namespace
}  // namespace xm
