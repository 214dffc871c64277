#pragma once
#include <cstddef>

#include "xmargin/book.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm::bench {

// The baseline the benchmark compares against: what a risk system does without
// xmargin's design — every position revalued on its own, under every scenario,
// through QuantLib's instrument/engine objects (AnalyticEuropeanEngine,
// BaroneAdesiWhaleyApproximationEngine; futures by their forward).
// Revalues at the base time to expiry (no time decay): the same amount of
// pricing work per revaluation. Returns the summed P&L, so the work cannot be
// optimised away. `positions` are taken evenly spread over the book.
double naive_quantlib_pnl(const Book& book, const ScenarioSet& scenarios, std::size_t positions);

}  // namespace xm::bench
