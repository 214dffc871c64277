#include <algorithm>
#include <cstdio>
#include <sstream>

#include "xmargin/report.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {
namespace {

// 1234567.891 -> "1,234,567.89": margins are read by people in currency units.
std::string money(double value) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.2f", value < 0 ? -value : value);
  std::string text = digits;
  const auto dot = text.find('.');
  for (auto i = static_cast<std::ptrdiff_t>(dot) - 3; i > 0; i -= 3) {
    text.insert(static_cast<std::size_t>(i), ",");
  }
  return (value < 0 ? "-" : "") + text;
}

// "21610 (monte_carlo mc#019610)" or "3 (historical 1987-10-16/1987-10-19)"; the bare index
// where the run did not record the scenario.
std::string scenario_words(const RunInfo& info, std::int32_t scenario) {
  const auto found = info.worst_scenarios.find(scenario);
  if (found == info.worst_scenarios.end()) return std::to_string(scenario);
  return std::to_string(scenario) + " (" + found->second.source + " " + found->second.label + ")";
}

}  // namespace

std::map<std::int32_t, ScenarioName> name_worst_scenarios(const std::vector<MarginRow>& rows,
                                                          const ScenarioSet& scenarios) {
  std::map<std::int32_t, ScenarioName> names;
  for (const MarginRow& row : rows) {
    const auto index = static_cast<std::size_t>(row.worst_scenario);
    if (row.worst_scenario < 0 || index >= scenarios.count()) continue;
    names.emplace(row.worst_scenario,
                  ScenarioName{scenarios.source[index], scenarios.label[index]});
  }
  return names;
}

std::string summary_text(const std::vector<MarginRow>& rows, const RunInfo& info) {
  std::ostringstream out;
  out << "xmargin " << XM_VERSION << " — " << info.backend << " backend on " << info.device << "\n";
  out << "book: " << info.accounts << " accounts, " << info.groups << " groups, " << info.positions
      << " positions, " << info.instruments << " instruments on " << info.underlyings
      << " underlyings (" << info.vol_surfaces << " with vol surfaces)\n";
  out << "scenarios: " << info.scenario_count;
  for (const ScenarioSourceInfo& source : info.sources) {
    out << " (" << source.name << " " << source.count << ": " << source.first_label << " … "
        << source.last_label << ")";
  }
  out << "\nmeasure: " << (info.config.measure == RiskMeasure::expected_shortfall ? "ES" : "VaR")
      << " at " << info.config.confidence * 100.0 << "%, time decay "
      << (info.config.time_decay ? "on" : "off") << "\n";
  out << "time:";
  for (const StageTiming& timing : info.timings) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", timing.seconds);
    out << " " << timing.stage << " " << seconds << "s";
  }
  out << "\n";

  double total = 0.0, isolated = 0.0, shortfall = 0.0;
  std::size_t short_accounts = 0;
  std::vector<const MarginRow*> accounts;
  for (const MarginRow& row : rows) {
    if (row.level != RowLevel::account) continue;
    accounts.push_back(&row);
    total += row.margin;
    isolated += row.isolated_margin;
    if (row.excess < 0) {
      shortfall -= row.excess;
      ++short_accounts;
    }
  }
  out << "total margin: " << money(total) << " (stand-alone sum " << money(isolated)
      << ", offset benefit " << money(isolated - total) << ")\n";
  // SPEC §5.4: what sets the margins, when more than the statistical measure can.
  if (info.drivers.size() > 1 ||
      (info.drivers.size() == 1 && info.drivers[0].component != "statistical" &&
       info.drivers[0].component != "none")) {
    out << "margin driven by:";
    for (const MarginDriver& driver : info.drivers) {
      out << " " << driver.component << " " << driver.accounts
          << (driver.accounts == 1 ? " account" : " accounts") << " (" << money(driver.margin)
          << ")";
      if (&driver != &info.drivers.back()) out << ",";
    }
    out << "; the total is driven most by " << info.drivers.front().component << "\n";
  }
  out << "under-collateralised: " << short_accounts << " accounts, shortfall " << money(shortfall)
      << "\n";

  std::stable_sort(accounts.begin(), accounts.end(),
                   [](const MarginRow* a, const MarginRow* b) { return a->margin > b->margin; });
  const std::size_t shown = std::min<std::size_t>(accounts.size(), 10);
  if (shown > 0) out << "largest accounts:\n";
  for (std::size_t i = 0; i < shown; ++i) {
    const MarginRow& row = *accounts[i];
    char line[256];
    std::snprintf(line, sizeof line, "  %-16s %18s  excess %18s  worst scenario ", row.id.c_str(),
                  money(row.margin).c_str(), money(row.excess).c_str());
    out << line << scenario_words(info, row.worst_scenario) << "\n";
  }
  return out.str();
}

}  // namespace xm
