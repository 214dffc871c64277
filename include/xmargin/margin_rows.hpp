#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xmargin/book.hpp"
#include "xmargin/config.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm {

enum class RowLevel { account, group };

// One row of margins.csv (SPEC §4).
struct MarginRow {
  RowLevel level = RowLevel::account;
  std::string id;
  double margin = 0.0;
  double var = 0.0;
  double es = 0.0;
  double worst_loss = 0.0;
  std::int32_t worst_scenario = 0;
  double isolated_margin = 0.0;  // sum of the stand-alone margins of the positions
  double offset_benefit = 0.0;   // isolated_margin − margin
  double collateral = 0.0;
  double excess = 0.0;  // collateral − margin
  std::size_t positions = 0;
};

// Margin from a tail: max(chosen measure, 0).
double margin_of(const TailRisk& risk, RiskMeasure measure);

// Account rows (by id) then group rows (by id), from a backend's per-portfolio
// tails and each portfolio row's margin (an isolated account's margin sums its
// positions' unit rows, scaled).
std::vector<MarginRow> margin_rows(const Book& book, const PortfolioLayout& layout,
                                   const std::vector<TailRisk>& risk,
                                   const std::vector<double>& row_margin);
// The same with each row's margin the measure alone, max(measure, 0).
std::vector<MarginRow> margin_rows(const Book& book, const PortfolioLayout& layout,
                                   const std::vector<TailRisk>& risk, RiskMeasure measure);

}  // namespace xm
