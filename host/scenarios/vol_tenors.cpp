#include "xmargin/vol_tenors.hpp"

#include <algorithm>
#include <cstdint>

#include "xmargin/error.hpp"

namespace xm {

void lay_out_vol_tenors(ScenarioSet& set, const History& history) {
  XM_EXPECTS(set.underlying_count() == history.series.size(),
             "one scenario underlying per history series");
  set.tenor_offsets.clear();
  set.tenor_days.clear();
  set.tenor_shift.clear();
  const bool any = std::any_of(history.series.begin(), history.series.end(),
                               [](const HistorySeries& s) { return !s.tenor_vols.empty(); });
  if (!any) return;
  const std::size_t count = set.count();
  set.tenor_offsets.push_back(0);
  for (std::size_t u = 0; u < history.series.size(); ++u) {
    const std::vector<VolTenorSeries>& tenors = history.series[u].tenor_vols;
    for (const VolTenorSeries& tenor : tenors) set.tenor_days.push_back(tenor.days);
    set.tenor_offsets.push_back(static_cast<std::int32_t>(set.tenor_days.size()));
    if (tenors.empty()) continue;
    set.vol_moves[u] = 0;
    std::fill_n(set.vol_shift.begin() + static_cast<std::ptrdiff_t>(u * count), count, 0.0);
  }
  set.tenor_shift.assign(set.tenor_days.size() * count, 0.0);
}

void fill_historical_tenor_shifts(ScenarioSet& set, const History& history, std::size_t first_row,
                                  std::size_t mpor) {
  if (set.tenor_offsets.empty()) return;
  const std::size_t count = set.count();
  for (std::size_t u = 0; u < history.series.size(); ++u) {
    const std::vector<VolTenorSeries>& tenors = history.series[u].tenor_vols;
    for (std::size_t k = 0; k < tenors.size(); ++k) {
      const std::vector<double>& vols = tenors[k].vols;
      double* shift =
          set.tenor_shift.data() + (static_cast<std::size_t>(set.tenor_offsets[u]) + k) * count;
      for (std::size_t j = 0; j < count; ++j) {
        const std::size_t t = first_row + j;
        shift[j] = vols[t + mpor] - vols[t];
      }
    }
  }
}

void select_vol_tenors(const ScenarioSet& from, const std::vector<std::size_t>& underlyings,
                       const std::optional<std::vector<std::size_t>>& scenarios, ScenarioSet& to) {
  to.tenor_offsets.clear();
  to.tenor_days.clear();
  to.tenor_shift.clear();
  const bool any = std::any_of(underlyings.begin(), underlyings.end(),
                               [&](std::size_t u) { return from.tenor_count(u) > 0; });
  if (!any) return;
  const std::size_t count = from.count();
  to.tenor_offsets.push_back(0);
  for (const std::size_t u : underlyings) {
    const auto begin = static_cast<std::size_t>(from.tenor_offsets[u]);
    for (std::size_t k = begin; k < begin + from.tenor_count(u); ++k) {
      to.tenor_days.push_back(from.tenor_days[k]);
      const double* shift = from.tenor_shift.data() + k * count;
      if (scenarios) {
        for (const std::size_t s : *scenarios) to.tenor_shift.push_back(shift[s]);
      } else {
        to.tenor_shift.insert(to.tenor_shift.end(), shift, shift + count);
      }
    }
    to.tenor_offsets.push_back(static_cast<std::int32_t>(to.tenor_days.size()));
  }
}

}  // namespace xm
