#include "xmargin/chunk_plan.hpp"

#include <algorithm>
#include <limits>

#include "xmargin/error.hpp"

namespace xm {
namespace {

constexpr std::size_t kSaturated = std::numeric_limits<std::size_t>::max();

std::size_t saturating_product(std::size_t a, std::size_t b) {
  if (a != 0 && b > kSaturated / a) return kSaturated;
  return a * b;
}

std::size_t saturating_sum(std::size_t a, std::size_t b) {
  return a > kSaturated - b ? kSaturated : a + b;
}

// The largest n ≤ limit with n · unit ≤ room (unit > 0).
std::size_t most_that_fit(std::size_t room, std::size_t unit, std::size_t limit) {
  if (unit == 0) return limit;
  return std::min(limit, room / unit);
}

}  // namespace

std::size_t chunk_bytes(const ChunkCosts& costs, std::size_t rows, std::size_t columns) {
  return saturating_sum(saturating_sum(costs.fixed, saturating_product(rows, costs.per_row)),
                        saturating_product(columns, costs.per_column));
}

ChunkPlan plan_chunks(std::size_t budget_bytes, bool budget_given, std::size_t portfolios,
                      std::size_t scenarios, const ChunkCosts& costs,
                      const std::string& memory_name) {
  XM_EXPECTS(portfolios > 0 && scenarios > 0, "plan_chunks needs portfolios and scenarios");
  const std::size_t least = chunk_bytes(costs, 1, 1);
  if (least > budget_bytes) {
    const std::string message =
        "the memory budget of " + std::to_string(budget_bytes) + " bytes (" + memory_name +
        ") is too small for this run: it needs at least " + std::to_string(least) + " bytes (" +
        std::to_string(costs.fixed) + " resident, " + std::to_string(costs.per_row) +
        " per portfolio row, " + std::to_string(costs.per_column) + " per scenario column)";
    if (budget_given) throw InputError(message);
    throw RunError(message);
  }
  const std::size_t room = budget_bytes - costs.fixed;

  ChunkPlan plan;
  const std::size_t all_rows = saturating_product(portfolios, costs.per_row);
  if (all_rows <= room && most_that_fit(room - all_rows, costs.per_column, scenarios) > 0) {
    // Every portfolio in one chunk: each instrument is revalued once per scenario.
    plan.portfolio_chunk = portfolios;
    plan.scenario_chunk = most_that_fit(room - all_rows, costs.per_column, scenarios);
  } else {
    // Too many portfolios for one chunk: about half the room to rows, the rest
    // (at least one column) to columns. Each portfolio chunk revalues the
    // instruments again.
    std::size_t rows = most_that_fit(room / 2, costs.per_row, portfolios);
    rows = std::min(rows, most_that_fit(room - costs.per_column, costs.per_row, portfolios));
    plan.portfolio_chunk = std::max<std::size_t>(rows, 1);
    plan.scenario_chunk =
        most_that_fit(room - plan.portfolio_chunk * costs.per_row, costs.per_column, scenarios);
  }
  plan.unit_whole = plan.scenario_chunk == scenarios;
  plan.bytes = chunk_bytes(costs, plan.portfolio_chunk, plan.scenario_chunk);
  XM_EXPECTS(plan.bytes <= budget_bytes, "chunk plan exceeds its budget");
  return plan;
}

}  // namespace xm
