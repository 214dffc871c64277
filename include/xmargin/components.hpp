#pragma once
// What enters each margin (SPEC §5.4): the statistical measures, the stress
// charges, the margin rule and the anti-procyclicality tools, per portfolio
// row and per margins.csv row (components.csv, margins.json).
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "xmargin/book.hpp"
#include "xmargin/config.hpp"
#include "xmargin/margin_rows.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm {

// components.csv's columns after level,id, in order.
enum class Component : int {
  historical,           // the historical source's measure alone (stressed weights included)
  filtered_historical,  // the filtered historical source's measure alone
  monte_carlo,          // the Monte Carlo source's measure alone
  statistical,          // the measure of the pooled sources (margins.csv's var/es)
  span,
  grid,
  named,
  stress,  // the largest of span, grid, named
  buffer,  // what the buffer adds: margin − margin before the buffer
  floor,   // the measure over floor_lookback_days of history
  margin,  // the margin charged (margins.csv's margin)
};
inline constexpr std::size_t kComponentCount = 11;
const char* component_name(Component component);

// Every measure and charge is floored at 0 (a margin is never negative).
struct ComponentValues {
  std::array<double, kComponentCount> value{};
  double& operator[](Component c) { return value[static_cast<std::size_t>(c)]; }
  double operator[](Component c) const { return value[static_cast<std::size_t>(c)]; }
};

// Which components a run has: the others are empty cells. A replayed
// scenario file has no sources of its own: only `statistical` then.
using ComponentMask = std::array<bool, kComponentCount>;
ComponentMask configured_components(const Config& config, bool replayed = false);

// The backend results the components come from, one entry per portfolio row.
struct ComponentSources {
  const std::vector<TailRisk>* pooled = nullptr;
  // Per statistical source (historical, filtered_historical, monte_carlo):
  // its own tails, or null where not configured (a lone source's are `pooled`).
  std::array<const std::vector<TailRisk>*, 3> sources{};
  const std::vector<TailRisk>* floor = nullptr;  // null without a floor
  const std::vector<double>* stress = nullptr;   // [P × 3] charges, null without stress
};

// What one portfolio's margin is built from: its tails and stress charges.
struct PortfolioRisk {
  const TailRisk* pooled = nullptr;  // the pooled statistical tail
  // Each statistical source's own tail, null where not configured.
  std::array<const TailRisk*, 3> sources{};
  const TailRisk* floor = nullptr;  // null without a floor
  const double* stress = nullptr;   // [3] span, grid, named charges; null without stress
};

// The whole margin stack of SPEC §5.4 for one portfolio, in one place: the
// batch run applies it to every row, and anything that recomputes a row (a
// what-if) must call it too, so that both give the same bytes.
//   base = max(statistical, floor)            (floor where configured)
//   combined = max(base, stress)  or  x · base + (1 − x) · stress   (where stress is configured)
//   margin = combined × (1 + b)              (b the buffer unless released)
ComponentValues portfolio_margin(const Config& config, const PortfolioRisk& risk);

// The row `p` of each result in `sources`.
PortfolioRisk portfolio_risk(const ComponentSources& sources, std::size_t p);

// portfolio_margin of every row.
std::vector<ComponentValues> portfolio_components(const Config& config,
                                                  const ComponentSources& sources,
                                                  std::size_t rows);

// One components.csv row.
struct ComponentRow {
  RowLevel level = RowLevel::account;
  std::string id;
  ComponentValues values;
};

// Account rows then group rows, as margin_rows orders them. An isolated
// account's components are the sums of its positions' stand-alone components
// (each scaled from its unit row), as its margin is.
std::vector<ComponentRow> component_rows(const Book& book, const PortfolioLayout& layout,
                                         const std::vector<ComponentValues>& per_row);

// What sets a row's margin: the component equal to its pre-buffer margin
// ("statistical", "floor", "span", "grid", "named"), "blend" under the blend
// rule, "none" for a zero margin.
std::string margin_driver(const ComponentValues& values, const Config& config);

}  // namespace xm
