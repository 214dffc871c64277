// Small hand-made books run through the CLI, their margins computed
// independently here from the SPEC's formulas.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "support/test_support.hpp"

namespace xm {
namespace {

constexpr std::size_t kScenarios = 5;
using Pnl = std::array<double, kScenarios>;

// History with h = 1, L = 5 over 7 rows: scenario j moves row 1 + j to row 2 + j.
const double kAA[] = {100, 110, 90, 105, 95, 100, 80};
const double kBB[] = {50, 50, 55, 44, 44, 55, 50};

double factor(const double* levels, std::size_t j) {
  return levels[j + 2] / levels[j + 1];
}

// Black–Scholes call with r = q = 0, written independently of xmargin's pricing.
double call_value(double spot, double strike, double vol, double years) {
  const double sd = vol * std::sqrt(years);
  const double d1 = (std::log(spot / strike) + 0.5 * sd * sd) / sd;
  auto n = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  return spot * n(d1) - strike * n(d1 - sd);
}

struct Tail {
  double var, es, worst_loss;
  int worst_scenario;
};

// Tail at 60% confidence over 5 equal-weight scenarios: k = 2, ES = mean of the 2 worst.
Tail tail_of(const Pnl& pnl) {
  std::array<int, kScenarios> order{};
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return -pnl[a] > -pnl[b]; });
  return Tail{-pnl[order[1]], (-pnl[order[0]] - pnl[order[1]]) / 2, -pnl[order[0]], order[0]};
}

Pnl scaled(const Pnl& unit, double weight) {
  Pnl out{};
  for (std::size_t j = 0; j < kScenarios; ++j) out[j] = weight * unit[j];
  return out;
}
Pnl sum(const Pnl& a, const Pnl& b) {
  Pnl out{};
  for (std::size_t j = 0; j < kScenarios; ++j) out[j] = a[j] + b[j];
  return out;
}

std::map<std::string, std::vector<std::string>> read_margins(const std::string& path) {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream lines(test::read_text(path));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::istringstream split(line);
    std::string cell;
    while (std::getline(split, cell, ',')) cells.push_back(cell);
    rows[cells[0] + ":" + cells[1]] = cells;
  }
  return rows;
}

void expect_near(const std::string& actual, double expected, const std::string& what) {
  EXPECT_NEAR(std::stod(actual), expected, 1e-9 * std::max(1.0, std::fabs(expected))) << what;
}

class HandBook : public ::testing::Test {
 protected:
  test::TempDir dir;
  void write_book(const std::string& measure) {
    dir.write("market.json",
              R"({"valuation_date": "2001-01-02", "underlyings": [
                   {"id": "AA", "price": 100, "vol": 0.2},
                   {"id": "BB", "price": 50, "vol": 0.3}]})");
    dir.write("instruments.csv",
              "instrument,type,underlying,expiry,multiplier,strike,right,style,on\n"
              "FAA,future,AA,2001-06-15,10,,,,\n"
              "FBB,future,BB,2001-06-15,20,,,,\n"
              "CAA,option,AA,2001-01-03,100,100,C,european,spot\n");  // expires inside the MPOR
    dir.write("positions.csv",
              "account,instrument,quantity\n"
              "X1,FAA,1\n"
              "X2,FAA,1\nX2,FBB,-1\nX2,FBB,-1\n"  // split rows add up to −2
              "X3,FAA,1\nX3,FBB,-2\n"
              "X4,CAA,-1\n");
    dir.write("accounts.csv",
              "account,mode,group,collateral\n"
              "X1,cross,G,100\nX2,cross,G,2000\nX3,isolated,,0\nX4,cross,,10\nX5,cross,,1\n");
    std::string history = "date,AA,BB\n";
    const char* dates[] = {"2000-12-20", "2000-12-21", "2000-12-22", "2000-12-26",
                           "2000-12-27", "2000-12-28", "2000-12-29"};
    for (int r = 0; r < 7; ++r) {
      history += std::string(dates[r]) + "," + std::to_string(kAA[r]) + "," +
                 std::to_string(kBB[r]) + "\n";
    }
    dir.write("history.csv", history);
    dir.write("config.json", R"({"measure": ")" + measure +
                                 R"(", "confidence": 0.6, "time_decay": true,
                                 "scenarios": {"historical": {"lookback_days": 5, "mpor_days": 1}}})");
  }
  std::map<std::string, std::vector<std::string>> run() {
    const auto result = test::run_command(std::string(XM_BINARY) + " run --backend cpu --dir " +
                                          dir.path() + " --out " + dir.path());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return read_margins(dir.file("margins.csv"));
  }

  // Unit P&Ls per scenario (r = q = 0, so a future is worth its spot).
  Pnl future_aa{}, future_bb{}, call_aa{};
  void SetUp() override {
    const double call_base = call_value(100, 100, 0.2, 1.0 / 365);
    for (std::size_t j = 0; j < kScenarios; ++j) {
      future_aa[j] = 100 * factor(kAA, j) - 100;
      future_bb[j] = 50 * factor(kBB, j) - 50;
      call_aa[j] = std::max(100 * factor(kAA, j) - 100, 0.0) - call_base;  // T' = 0: intrinsic
    }
  }
};

TEST_F(HandBook, ExpectedShortfallMarginsMatchHandComputation) {
  write_book("es");
  const auto rows = run();
  ASSERT_EQ(rows.size(), 6u);  // 5 accounts + 1 group

  const Pnl x1 = scaled(future_aa, 10);
  const Pnl x2 = sum(scaled(future_aa, 10), scaled(future_bb, -40));
  const Pnl x4 = scaled(call_aa, -100);
  const double long_aa = std::max(tail_of(future_aa).es, 0.0);
  const double short_bb = std::max(tail_of(scaled(future_bb, -1)).es, 0.0);
  const double short_call = std::max(tail_of(scaled(call_aa, -1)).es, 0.0);

  const auto& r1 = rows.at("account:X1");
  const Tail t1 = tail_of(x1);
  expect_near(r1[2], std::max(t1.es, 0.0), "X1 margin");
  expect_near(r1[3], t1.var, "X1 var");
  expect_near(r1[4], t1.es, "X1 es");
  expect_near(r1[5], t1.worst_loss, "X1 worst loss");
  EXPECT_EQ(std::stoi(r1[6]), t1.worst_scenario);
  expect_near(r1[7], 10 * long_aa, "X1 isolated");
  EXPECT_EQ(r1[11], "1");

  const auto& r2 = rows.at("account:X2");
  const Tail t2 = tail_of(x2);
  expect_near(r2[2], std::max(t2.es, 0.0), "X2 margin");
  expect_near(r2[7], 10 * long_aa + 40 * short_bb, "X2 isolated");
  expect_near(r2[8], 10 * long_aa + 40 * short_bb - std::max(t2.es, 0.0), "X2 offset");
  expect_near(r2[10], 2000 - std::max(t2.es, 0.0), "X2 excess");
  EXPECT_EQ(r2[11], "2");

  const auto& r3 = rows.at("account:X3");  // isolated: sum of stand-alone margins
  expect_near(r3[2], 10 * long_aa + 40 * short_bb, "X3 margin");
  expect_near(r3[4], t2.es, "X3 es of its net P&L");
  expect_near(r3[8], 0.0, "X3 offset");

  const auto& r4 = rows.at("account:X4");
  const Tail t4 = tail_of(x4);
  expect_near(r4[2], std::max(t4.es, 0.0), "X4 margin");
  expect_near(r4[7], 100 * short_call, "X4 isolated");

  const auto& r5 = rows.at("account:X5");
  EXPECT_EQ(r5[2], "0");
  EXPECT_EQ(r5[6], "0");
  EXPECT_EQ(r5[10], "1");
  EXPECT_EQ(r5[11], "0");

  const auto& g = rows.at("group:G");
  const Tail tg = tail_of(sum(x1, x2));
  expect_near(g[2], std::max(tg.es, 0.0), "G margin");
  expect_near(g[4], tg.es, "G es");
  EXPECT_EQ(std::stoi(g[6]), tg.worst_scenario);
  expect_near(g[7], 10 * long_aa + 10 * long_aa + 40 * short_bb, "G isolated");
  expect_near(g[9], 2100, "G collateral");
  EXPECT_EQ(g[11], "3");
}

TEST_F(HandBook, ValueAtRiskMarginsMatchHandComputation) {
  write_book("var");
  const auto rows = run();
  const Tail t2 = tail_of(sum(scaled(future_aa, 10), scaled(future_bb, -40)));
  expect_near(rows.at("account:X2")[2], std::max(t2.var, 0.0), "X2 margin");
  const double long_aa = std::max(tail_of(future_aa).var, 0.0);
  const double short_bb = std::max(tail_of(scaled(future_bb, -1)).var, 0.0);
  expect_near(rows.at("account:X3")[2], 10 * long_aa + 40 * short_bb, "X3 margin");
}

}  // namespace
}  // namespace xm
