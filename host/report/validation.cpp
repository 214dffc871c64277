#include "xmargin/validation.hpp"

#include <algorithm>
#include <cmath>

#include "xmargin/error.hpp"

namespace xm {

bool within_tolerance(double reference, double candidate, double relative_tolerance) {
  const double difference = std::fabs(reference - candidate);
  const double scale = std::max(std::fabs(reference), std::fabs(candidate));
  return difference <= std::max(relative_tolerance * scale, kAbsoluteToleranceNearZero);
}

ValidationReport compare_margin_rows(const std::vector<MarginRow>& reference,
                                     const std::vector<MarginRow>& candidate,
                                     double relative_tolerance) {
  XM_EXPECTS(reference.size() == candidate.size(), "validation rows differ in number");
  ValidationReport report;
  for (std::size_t r = 0; r < reference.size(); ++r) {
    const MarginRow& a = reference[r];
    const MarginRow& b = candidate[r];
    XM_EXPECTS(a.id == b.id && a.level == b.level, "validation rows differ in order");
    const std::string level = a.level == RowLevel::account ? "account" : "group";
    ++report.rows_compared;
    const std::pair<const char*, std::pair<double, double>> fields[] = {
        {"margin", {a.margin, b.margin}},
        {"var", {a.var, b.var}},
        {"es", {a.es, b.es}},
        {"worst_loss", {a.worst_loss, b.worst_loss}},
        {"isolated_margin", {a.isolated_margin, b.isolated_margin}}};
    for (const auto& [field, values] : fields) {
      ++report.values_compared;
      const double scale = std::max(std::fabs(values.first), std::fabs(values.second));
      if (scale > 0.0) {
        report.max_relative_difference = std::max(report.max_relative_difference,
                                                  std::fabs(values.first - values.second) / scale);
      }
      if (!within_tolerance(values.first, values.second, relative_tolerance)) {
        report.mismatches.push_back({level, a.id, field, values.first, values.second});
      }
    }
    ++report.values_compared;
    if (a.worst_scenario != b.worst_scenario) {
      report.mismatches.push_back(
          {level, a.id, "worst_scenario", double(a.worst_scenario), double(b.worst_scenario)});
    }
  }
  return report;
}

}  // namespace xm
