#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "xmargin/margin_rows.hpp"

namespace xm {

// SPEC §3 "Precision": backends agree to a relative 1e-9 on every margin
// (absolute 1e-6 near zero) and pick the same worst scenario.
inline constexpr double kDefaultRelativeTolerance = 1e-9;
inline constexpr double kAbsoluteToleranceNearZero = 1e-6;

struct ValidationMismatch {
  std::string level;
  std::string id;
  std::string field;
  double reference = 0.0;  // cpu
  double candidate = 0.0;  // cuda
};

struct ValidationReport {
  std::size_t rows_compared = 0;
  std::size_t values_compared = 0;
  double max_relative_difference = 0.0;
  std::vector<ValidationMismatch> mismatches;
  bool passed() const { return mismatches.empty(); }
};

bool within_tolerance(double reference, double candidate, double relative_tolerance);

// Compares margin, var, es, worst_loss, isolated_margin and worst_scenario of
// every account and group row; the rows must describe the same book.
ValidationReport compare_margin_rows(const std::vector<MarginRow>& reference,
                                     const std::vector<MarginRow>& candidate,
                                     double relative_tolerance);

}  // namespace xm
