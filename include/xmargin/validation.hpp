#pragma once
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "xmargin/backend.hpp"
#include "xmargin/components.hpp"
#include "xmargin/margin_rows.hpp"

namespace xm {

// SPEC §3 "Precision": backends agree to a relative 1e-9 on every margin
// (absolute 1e-6 near zero), and on the worst scenario up to ties.
inline constexpr double kDefaultRelativeTolerance = 1e-9;
inline constexpr double kAbsoluteToleranceNearZero = 1e-6;

/// @brief |reference − candidate| ≤ max(relative_tolerance · max(|reference|, |candidate|),
/// kAbsoluteToleranceNearZero). NaN is never within tolerance.
bool within_tolerance(double reference, double candidate, double relative_tolerance);

/// @brief The four losses SPEC §3's tie rule compares for one row.
struct WorstScenarioLosses {
  double reference_worst = 0.0;               // the reference's loss at its own worst scenario
  double candidate_worst = 0.0;               // the candidate's loss at its own worst scenario
  double reference_at_candidate_index = 0.0;  // the reference's loss at the candidate's index
  double candidate_at_reference_index = 0.0;  // the candidate's loss at the reference's index
};

/// @brief SPEC §3's tie rule: two worst-scenario indices agree when each backend's loss at the
/// other's index is within tolerance of its own worst loss. Two scenarios a few ulps apart may
/// swap order, since the device's exp/log/erf differ from the host's in the last bits.
bool worst_scenarios_agree(const WorstScenarioLosses& losses, double relative_tolerance);

/// @brief A row of margins.csv is identified by its level and id.
struct RowKey {
  RowLevel level = RowLevel::account;
  std::string id;
  auto operator<=>(const RowKey&) const = default;
};

/// @brief Each backend's loss at the other's worst scenario, for one row whose worst scenarios
/// differ.
struct CrossLosses {
  double reference_at_candidate_index = 0.0;
  double candidate_at_reference_index = 0.0;
};
using CrossLossMap = std::map<RowKey, CrossLosses>;

struct ValidationMismatch {
  std::string level;  // "account" or "group"
  std::string id;
  // A compared field ("margin", "var", "es", "worst_loss", "isolated_margin",
  // "worst_scenario"), or "row" for a row missing from one side, extra on one side, or out of
  // order.
  std::string field;
  // The reference's (cpu) and the candidate's (cuda) value. For "worst_scenario" the indices;
  // for "row" the row's position on each side, −1 where it is absent.
  double reference = 0.0;
  double candidate = 0.0;
  // "worst_scenario" only; the cross losses are NaN where they were not computed.
  WorstScenarioLosses losses;
};

struct ValidationReport {
  std::size_t rows_compared = 0;
  std::size_t values_compared = 0;
  double max_relative_difference = 0.0;
  // Rows whose worst-scenario indices differ but agree by the tie rule.
  std::size_t worst_scenario_ties = 0;
  std::vector<ValidationMismatch> mismatches;
  bool passed() const { return mismatches.empty(); }
};

/// @brief Compares margin, var, es, worst_loss, isolated_margin and worst_scenario of every
/// row, matched by level and id. A row missing from the candidate, one the reference lacks (or
/// repeated), and rows in a different order are mismatches too. Where worst-scenario indices
/// differ the tie rule decides, from `cross_losses`; a row with differing indices and no entry
/// there is a mismatch.
ValidationReport compare_margin_rows(const std::vector<MarginRow>& reference,
                                     const std::vector<MarginRow>& candidate,
                                     const CrossLossMap& cross_losses, double relative_tolerance);

/// @brief Adds every configured component but `margin` (compared as margins.csv's) of the
/// rows of one prepared run on two backends, row by row, to `report` ("components.<name>").
void compare_component_rows(const std::vector<ComponentRow>& reference,
                            const std::vector<ComponentRow>& candidate, const ComponentMask& mask,
                            double relative_tolerance, ValidationReport& report);

/// @brief One line for a mismatch, naming level, id, field and both sides' values (for
/// "worst_scenario" both indices and the four losses).
std::string describe_mismatch(const ValidationMismatch& mismatch, const std::string& reference_name,
                              const std::string& candidate_name);

/// @brief `scenarios` reduced to the scenarios `indices`, in that order, with equal weights.
/// @throws LogicError if an index is out of range.
ScenarioSet scenario_subset(const ScenarioSet& scenarios, const std::vector<std::int32_t>& indices);

/// @brief Losses (0.0 − P&L) of portfolios [0, portfolios) at the scenarios `indices` of
/// request.scenarios, computed by `backend` in one run over just those scenarios. Element
/// [p · indices.size() + k] is portfolio p's loss at scenario indices[k].
std::vector<double> losses_at_scenarios(Backend& backend, const BackendRequest& request,
                                        const std::vector<std::int32_t>& indices,
                                        std::size_t portfolios);

/// @brief The cross losses compare_margin_rows needs: for every row whose worst-scenario index
/// differs between the two sides, each backend's loss at the other's index, from one extra run
/// of each backend (none when every index agrees). `reference_rows` must be margin_rows' output
/// for request.book, so that row r is portfolio r. Rows with an index out of range get no entry.
CrossLossMap cross_losses(const std::vector<MarginRow>& reference_rows,
                          const std::vector<MarginRow>& candidate_rows,
                          const BackendRequest& request, Backend& reference, Backend& candidate);

}  // namespace xm
