#include "xmargin/validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>

#include "xmargin/error.hpp"
#include "xmargin/vol_tenors.hpp"

namespace xm {
namespace {

std::string level_name(RowLevel level) {
  return level == RowLevel::account ? "account" : "group";
}

// Positions on each side of a row-level mismatch; −1 where the row is absent.
ValidationMismatch row_mismatch(const RowKey& key, std::ptrdiff_t reference_position,
                                std::ptrdiff_t candidate_position) {
  return {level_name(key.level),
          key.id,
          "row",
          static_cast<double>(reference_position),
          static_cast<double>(candidate_position),
          {}};
}

void compare_field(RowLevel level, const std::string& id, const std::string& field,
                   double reference, double candidate, double relative_tolerance,
                   ValidationReport& report) {
  ++report.values_compared;
  const double scale = std::max(std::fabs(reference), std::fabs(candidate));
  if (scale > 0.0) {
    report.max_relative_difference =
        std::max(report.max_relative_difference, std::fabs(reference - candidate) / scale);
  }
  if (!within_tolerance(reference, candidate, relative_tolerance)) {
    report.mismatches.push_back({level_name(level), id, field, reference, candidate, {}});
  }
}

void compare_values(const MarginRow& a, const MarginRow& b, double relative_tolerance,
                    ValidationReport& report) {
  const std::pair<const char*, std::pair<double, double>> fields[] = {
      {"margin", {a.margin, b.margin}},
      {"var", {a.var, b.var}},
      {"es", {a.es, b.es}},
      {"worst_loss", {a.worst_loss, b.worst_loss}},
      {"isolated_margin", {a.isolated_margin, b.isolated_margin}}};
  for (const auto& [field, values] : fields) {
    compare_field(a.level, a.id, field, values.first, values.second, relative_tolerance, report);
  }
}

void compare_worst_scenario(const MarginRow& a, const MarginRow& b,
                            const CrossLossMap& cross_losses, double relative_tolerance,
                            ValidationReport& report) {
  ++report.values_compared;
  if (a.worst_scenario == b.worst_scenario) return;
  // Without the cross losses the tie rule cannot hold: NaN is never within tolerance.
  const double unknown = std::numeric_limits<double>::quiet_NaN();
  WorstScenarioLosses losses{a.worst_loss, b.worst_loss, unknown, unknown};
  const auto found = cross_losses.find(RowKey{a.level, a.id});
  if (found != cross_losses.end()) {
    losses.reference_at_candidate_index = found->second.reference_at_candidate_index;
    losses.candidate_at_reference_index = found->second.candidate_at_reference_index;
  }
  if (worst_scenarios_agree(losses, relative_tolerance)) {
    ++report.worst_scenario_ties;
    return;
  }
  report.mismatches.push_back({level_name(a.level), a.id, "worst_scenario",
                               static_cast<double>(a.worst_scenario),
                               static_cast<double>(b.worst_scenario), losses});
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

bool within_tolerance(double reference, double candidate, double relative_tolerance) {
  const double difference = std::fabs(reference - candidate);
  const double scale = std::max(std::fabs(reference), std::fabs(candidate));
  return difference <= std::max(relative_tolerance * scale, kAbsoluteToleranceNearZero);
}

bool worst_scenarios_agree(const WorstScenarioLosses& losses, double relative_tolerance) {
  return within_tolerance(losses.reference_worst, losses.reference_at_candidate_index,
                          relative_tolerance) &&
         within_tolerance(losses.candidate_worst, losses.candidate_at_reference_index,
                          relative_tolerance);
}

ValidationReport compare_margin_rows(const std::vector<MarginRow>& reference,
                                     const std::vector<MarginRow>& candidate,
                                     const CrossLossMap& cross_losses, double relative_tolerance) {
  ValidationReport report;
  // The first candidate row of each key; a repeat stays unmatched and is reported as extra.
  std::map<RowKey, std::size_t> candidate_position;
  for (std::size_t c = 0; c < candidate.size(); ++c) {
    candidate_position.emplace(RowKey{candidate[c].level, candidate[c].id}, c);
  }
  std::vector<bool> matched(candidate.size(), false);
  std::optional<std::size_t> previous;
  for (std::size_t r = 0; r < reference.size(); ++r) {
    const MarginRow& a = reference[r];
    const RowKey key{a.level, a.id};
    const auto found = candidate_position.find(key);
    if (found == candidate_position.end() || matched[found->second]) {
      report.mismatches.push_back(row_mismatch(key, static_cast<std::ptrdiff_t>(r), -1));
      continue;
    }
    const std::size_t c = found->second;
    matched[c] = true;
    // margins.csv is sorted, so the candidate must list the rows in the reference's order.
    if (previous && c < *previous) {
      report.mismatches.push_back(
          row_mismatch(key, static_cast<std::ptrdiff_t>(r), static_cast<std::ptrdiff_t>(c)));
    }
    previous = c;
    ++report.rows_compared;
    compare_values(a, candidate[c], relative_tolerance, report);
    compare_worst_scenario(a, candidate[c], cross_losses, relative_tolerance, report);
  }
  for (std::size_t c = 0; c < candidate.size(); ++c) {
    if (matched[c]) continue;
    report.mismatches.push_back(row_mismatch(RowKey{candidate[c].level, candidate[c].id}, -1,
                                             static_cast<std::ptrdiff_t>(c)));
  }
  return report;
}

void compare_component_rows(const std::vector<ComponentRow>& reference,
                            const std::vector<ComponentRow>& candidate, const ComponentMask& mask,
                            double relative_tolerance, ValidationReport& report) {
  // Both come from margin rows of one prepared run: row r is the same row on
  // both sides (compare_margin_rows reports any difference in the rows themselves).
  if (reference.size() != candidate.size()) return;
  for (std::size_t r = 0; r < reference.size(); ++r) {
    const ComponentRow& a = reference[r];
    if (a.level != candidate[r].level || a.id != candidate[r].id) continue;
    for (std::size_t k = 0; k < kComponentCount; ++k) {
      const auto component = static_cast<Component>(k);
      // margins.csv's margin is compared already.
      if (!mask[k] || component == Component::margin) continue;
      compare_field(a.level, a.id, std::string("components.") + component_name(component),
                    a.values.value[k], candidate[r].values.value[k], relative_tolerance, report);
    }
  }
}

std::string describe_mismatch(const ValidationMismatch& m, const std::string& reference_name,
                              const std::string& candidate_name) {
  std::string line = m.level + " " + m.id + " " + m.field + ": ";
  if (m.field == "row") {
    if (m.candidate < 0) {
      return line + "missing from " + candidate_name + " (" + reference_name + " row " +
             number(m.reference) + ")";
    }
    if (m.reference < 0) {
      return line + "extra in " + candidate_name + " (" + candidate_name + " row " +
             number(m.candidate) + ")";
    }
    return line + "out of order (" + reference_name + " row " + number(m.reference) + ", " +
           candidate_name + " row " + number(m.candidate) + ")";
  }
  line +=
      reference_name + " " + number(m.reference) + " " + candidate_name + " " + number(m.candidate);
  if (m.field == "worst_scenario") {
    const WorstScenarioLosses& l = m.losses;
    line += "; " + reference_name + " loss " + number(l.reference_worst) + " at " +
            number(m.reference) + ", " + number(l.reference_at_candidate_index) + " at " +
            number(m.candidate) + "; " + candidate_name + " loss " + number(l.candidate_worst) +
            " at " + number(m.candidate) + ", " + number(l.candidate_at_reference_index) + " at " +
            number(m.reference);
  }
  return line;
}

ScenarioSet scenario_subset(const ScenarioSet& scenarios,
                            const std::vector<std::int32_t>& indices) {
  const std::size_t count = scenarios.count();
  for (const std::int32_t index : indices) {
    XM_EXPECTS(index >= 0 && static_cast<std::size_t>(index) < count,
               "scenario index out of range");
  }
  ScenarioSet subset;
  subset.underlying_ids = scenarios.underlying_ids;
  subset.vol_moves = scenarios.vol_moves;
  for (std::size_t u = 0; u < scenarios.underlying_count(); ++u) {
    for (const std::int32_t index : indices) {
      subset.price_factor.push_back(scenarios.price_factor[u * count + index]);
      subset.vol_shift.push_back(scenarios.vol_shift[u * count + index]);
    }
  }
  for (const std::int32_t index : indices) {
    subset.horizon_days.push_back(scenarios.horizon_days[index]);
    // Descriptive only; a set built without them stays without them.
    if (scenarios.source.size() == count) subset.source.push_back(scenarios.source[index]);
    if (scenarios.label.size() == count) subset.label.push_back(scenarios.label[index]);
  }
  subset.weight.assign(indices.size(), 1.0 / static_cast<double>(indices.size()));
  std::vector<std::size_t> all_underlyings(scenarios.underlying_count());
  std::iota(all_underlyings.begin(), all_underlyings.end(), std::size_t{0});
  select_vol_tenors(scenarios, all_underlyings,
                    std::vector<std::size_t>(indices.begin(), indices.end()), subset);
  return subset;
}

std::vector<double> losses_at_scenarios(Backend& backend, const BackendRequest& request,
                                        const std::vector<std::int32_t>& indices,
                                        std::size_t portfolios) {
  XM_EXPECTS(portfolios <= request.book->portfolio_count(), "more rows than portfolios");
  if (indices.empty() || portfolios == 0) return {};
  const ScenarioSet subset = scenario_subset(*request.scenarios, indices);
  BackendRequest subset_request = request;
  subset_request.scenarios = &subset;
  subset_request.pnl_rows = portfolios;
  const BackendResult result = backend.run(subset_request);
  XM_EXPECTS(result.pnl.size() == portfolios * indices.size(),
             backend.name() + " returned a P&L matrix of the wrong size");
  std::vector<double> losses(result.pnl.size());
  std::transform(result.pnl.begin(), result.pnl.end(), losses.begin(), loss_from_pnl);
  return losses;
}

CrossLossMap cross_losses(const std::vector<MarginRow>& reference_rows,
                          const std::vector<MarginRow>& candidate_rows,
                          const BackendRequest& request, Backend& reference, Backend& candidate) {
  XM_EXPECTS(reference_rows.size() <= request.book->portfolio_count(), "more rows than portfolios");
  const std::size_t count = request.scenarios->count();
  const auto in_range = [count](std::int32_t s) {
    return s >= 0 && static_cast<std::size_t>(s) < count;
  };
  std::map<RowKey, const MarginRow*> candidate_by_key;
  for (const MarginRow& row : candidate_rows) {
    candidate_by_key.emplace(RowKey{row.level, row.id}, &row);
  }

  struct Differing {
    RowKey key;
    std::size_t portfolio;
    std::int32_t reference_index;
    std::int32_t candidate_index;
  };
  std::vector<Differing> differing;
  std::vector<std::int32_t> indices;
  for (std::size_t r = 0; r < reference_rows.size(); ++r) {
    const MarginRow& a = reference_rows[r];
    RowKey key{a.level, a.id};
    const auto found = candidate_by_key.find(key);
    if (found == candidate_by_key.end()) continue;
    const std::int32_t b = found->second->worst_scenario;
    if (a.worst_scenario == b || !in_range(a.worst_scenario) || !in_range(b)) continue;
    differing.push_back({std::move(key), r, a.worst_scenario, b});
    indices.push_back(a.worst_scenario);
    indices.push_back(b);
  }
  if (differing.empty()) return {};

  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  // Rows are in portfolio order, so the last differing row bounds the P&L rows needed.
  const std::size_t portfolios = differing.back().portfolio + 1;
  const std::vector<double> reference_losses =
      losses_at_scenarios(reference, request, indices, portfolios);
  const std::vector<double> candidate_losses =
      losses_at_scenarios(candidate, request, indices, portfolios);
  const auto at = [&](const std::vector<double>& losses, std::size_t portfolio,
                      std::int32_t scenario) {
    const auto column =
        std::lower_bound(indices.begin(), indices.end(), scenario) - indices.begin();
    return losses[portfolio * indices.size() + static_cast<std::size_t>(column)];
  };
  CrossLossMap map;
  for (const Differing& d : differing) {
    map[d.key] = {at(reference_losses, d.portfolio, d.candidate_index),
                  at(candidate_losses, d.portfolio, d.reference_index)};
  }
  return map;
}

}  // namespace xm
