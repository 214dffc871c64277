#include <gtest/gtest.h>

#include "xmargin/margin_rows.hpp"

namespace xm {
namespace {

// Two instruments (multipliers 10 and 100), three accounts:
//   A cross:    +2 of I0, −1 of I1   (group G)
//   B isolated: −3 of I0             (group G)
//   C cross:    no positions
// Portfolio rows: A, B, C, G, then units I0 long, I0 short, I1 short.
struct Fixture {
  Book book;
  PortfolioLayout layout;
  std::vector<TailRisk> risk;

  Fixture() {
    Instrument i0, i1;
    i0.multiplier = 10;
    i1.multiplier = 100;
    book.instruments = {i0, i1};
    book.accounts = {Account{"A", MarginMode::cross, "G", 1000},
                     Account{"B", MarginMode::isolated, "G", 50},
                     Account{"C", MarginMode::cross, "", 5}};
    book.positions = {Position{0, 0, 2}, Position{0, 1, -1}, Position{1, 0, -3}};
    layout.account_count = 3;
    layout.group_ids = {"G"};
    layout.group_accounts = {{0, 1}};
    layout.long_unit_row = {4, -1};
    layout.short_unit_row = {5, 6};
    risk = {
        TailRisk{300, 400, 900, 7},  // A
        TailRisk{80, 90, 120, 3},    // B
        TailRisk{0, 0, 0, 0},        // C
        TailRisk{-10, -5, 60, 2},    // G: a net gain in the tail
        TailRisk{1.5, 2.0, 3, 1},    // unit long I0
        TailRisk{2.5, 3.0, 4, 2},    // unit short I0
        TailRisk{0.25, 0.5, 1, 3},   // unit short I1
    };
  }
};

TEST(MarginRows, CrossIsolatedEmptyAndGroup) {
  const Fixture f;
  const auto rows = margin_rows(f.book, f.layout, f.risk, RiskMeasure::expected_shortfall);
  ASSERT_EQ(rows.size(), 4u);

  const MarginRow& a = rows[0];
  EXPECT_EQ(a.id, "A");
  EXPECT_EQ(a.margin, 400.0);
  // Stand-alone: |2·10|·ES(long I0) + |−1·100|·ES(short I1) = 20·2 + 100·0.5.
  EXPECT_EQ(a.isolated_margin, 90.0);
  EXPECT_EQ(a.offset_benefit, 90.0 - 400.0);
  EXPECT_EQ(a.excess, 600.0);
  EXPECT_EQ(a.worst_scenario, 7);
  EXPECT_EQ(a.positions, 2u);

  const MarginRow& b = rows[1];
  EXPECT_EQ(b.margin, 90.0);  // isolated: |−3·10|·ES(short I0) = 30·3
  EXPECT_EQ(b.isolated_margin, 90.0);
  EXPECT_EQ(b.offset_benefit, 0.0);
  EXPECT_EQ(b.es, 90.0);  // var/es still describe the net P&L
  EXPECT_EQ(b.excess, -40.0);

  const MarginRow& c = rows[2];
  EXPECT_EQ(c.margin, 0.0);
  EXPECT_EQ(c.positions, 0u);
  EXPECT_EQ(c.excess, 5.0);

  const MarginRow& g = rows[3];
  EXPECT_EQ(g.level, RowLevel::group);
  EXPECT_EQ(g.id, "G");
  EXPECT_EQ(g.margin, 0.0);  // max(ES, 0)
  EXPECT_EQ(g.es, -5.0);
  EXPECT_EQ(g.isolated_margin, 180.0);
  EXPECT_EQ(g.offset_benefit, 180.0);
  EXPECT_EQ(g.collateral, 1050.0);
  EXPECT_EQ(g.excess, 1050.0);
  EXPECT_EQ(g.positions, 3u);
}

TEST(MarginRows, VarMeasure) {
  const Fixture f;
  const auto rows = margin_rows(f.book, f.layout, f.risk, RiskMeasure::value_at_risk);
  EXPECT_EQ(rows[0].margin, 300.0);
  EXPECT_EQ(rows[0].isolated_margin, 20 * 1.5 + 100 * 0.25);
  EXPECT_EQ(rows[1].margin, 30 * 2.5);
}

}  // namespace
}  // namespace xm
