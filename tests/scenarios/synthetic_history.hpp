#pragma once
// Histories built from chosen daily log returns, for the scenario tests.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "report/number_format.hpp"
#include "xmargin/inputs.hpp"

namespace xm::test {

// One series per id: P[0] = 100, P[t] = P[t−1]·e^{r_t} for the returns given
// (so n = returns + 1 rows); `vols[u]`, when given and not empty, is the
// series' implied vol level per row. Dates are consecutive days from 2000-01-03.
inline History history_from_returns(const std::vector<std::string>& ids,
                                    const std::vector<std::vector<double>>& returns,
                                    const std::vector<std::vector<double>>& vols = {}) {
  History history;
  history.path = "history.csv";
  const std::size_t rows = returns.front().size() + 1;
  const Date first = 10959;  // 2000-01-03
  for (std::size_t t = 0; t < rows; ++t) history.dates.push_back(first + static_cast<Date>(t));
  for (std::size_t u = 0; u < ids.size(); ++u) {
    HistorySeries series{ids[u], {100.0}, {}};
    for (const double r : returns[u]) series.levels.push_back(series.levels.back() * std::exp(r));
    if (u < vols.size()) series.vols = vols[u];
    history.series.push_back(series);
  }
  return history;
}

// The CSV text of a history (date, levels, then `.vol` columns).
inline std::string history_csv(const History& history) {
  std::string text = "date";
  for (const HistorySeries& series : history.series) text += "," + series.underlying;
  for (const HistorySeries& series : history.series) {
    if (!series.vols.empty()) text += "," + series.underlying + ".vol";
  }
  text += "\n";
  for (std::size_t t = 0; t < history.dates.size(); ++t) {
    text += format_iso_date(history.dates[t]);
    for (const HistorySeries& series : history.series)
      text += "," + format_double(series.levels[t]);
    for (const HistorySeries& series : history.series) {
      if (!series.vols.empty()) text += "," + format_double(series.vols[t]);
    }
    text += "\n";
  }
  return text;
}

}  // namespace xm::test
