#include "xmargin/margin_rows.hpp"

#include <algorithm>
#include <cmath>

#include "xmargin/error.hpp"

namespace xm {

double margin_of(const TailRisk& risk, RiskMeasure measure) {
  const double chosen = measure == RiskMeasure::expected_shortfall ? risk.es : risk.var;
  return std::max(chosen, 0.0);
}

std::vector<MarginRow> margin_rows(const Book& book, const PortfolioLayout& layout,
                                   const std::vector<TailRisk>& risk, RiskMeasure measure) {
  std::vector<double> row_margin(risk.size());
  for (std::size_t p = 0; p < risk.size(); ++p) row_margin[p] = margin_of(risk[p], measure);
  return margin_rows(book, layout, risk, row_margin);
}

std::vector<MarginRow> margin_rows(const Book& book, const PortfolioLayout& layout,
                                   const std::vector<TailRisk>& risk,
                                   const std::vector<double>& row_margin) {
  XM_EXPECTS(risk.size() >= layout.account_count + layout.group_ids.size() &&
                 row_margin.size() == risk.size(),
             "fewer tails than portfolios");
  const std::size_t accounts = book.accounts.size();
  std::vector<double> isolated(accounts, 0.0);
  std::vector<std::size_t> position_count(accounts, 0);
  for (const Position& position : book.positions) {
    const double exposure = position.quantity * book.instruments[position.instrument].multiplier;
    ++position_count[position.account];
    if (exposure == 0.0) continue;
    const std::int64_t unit = exposure > 0.0 ? layout.long_unit_row[position.instrument]
                                             : layout.short_unit_row[position.instrument];
    XM_EXPECTS(unit >= 0, "a held instrument has no unit portfolio");
    isolated[position.account] += std::fabs(exposure) * row_margin[static_cast<std::size_t>(unit)];
  }

  auto fill_tail = [&](MarginRow& row, const TailRisk& tail) {
    row.var = tail.var;
    row.es = tail.es;
    row.worst_loss = tail.worst_loss;
    row.worst_scenario = tail.worst_scenario;
  };

  std::vector<MarginRow> rows;
  for (std::size_t a = 0; a < accounts; ++a) {
    const Account& account = book.accounts[a];
    MarginRow row;
    row.level = RowLevel::account;
    row.id = account.id;
    fill_tail(row, risk[a]);
    row.isolated_margin = isolated[a];
    row.margin = account.mode == MarginMode::isolated ? isolated[a] : row_margin[a];
    row.offset_benefit = row.isolated_margin - row.margin;
    row.collateral = account.collateral;
    row.excess = row.collateral - row.margin;
    row.positions = position_count[a];
    rows.push_back(std::move(row));
  }
  for (std::size_t g = 0; g < layout.group_ids.size(); ++g) {
    const TailRisk& tail = risk[layout.group_row(g)];
    MarginRow row;
    row.level = RowLevel::group;
    row.id = layout.group_ids[g];
    fill_tail(row, tail);
    row.margin = row_margin[layout.group_row(g)];
    for (std::size_t a : layout.group_accounts[g]) {
      row.isolated_margin += isolated[a];
      row.collateral += book.accounts[a].collateral;
      row.positions += position_count[a];
    }
    row.offset_benefit = row.isolated_margin - row.margin;
    row.excess = row.collateral - row.margin;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace xm
