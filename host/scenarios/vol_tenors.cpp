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

void pool_vol_tenors(const std::vector<const ScenarioSet*>& parts, ScenarioSet& pooled) {
  const std::size_t underlyings = pooled.underlying_count(), count = pooled.count();
  pooled.tenor_offsets.clear();
  pooled.tenor_days.clear();
  pooled.tenor_shift.clear();
  // Each underlying's tenors: those of the first part that has any.
  std::vector<const ScenarioSet*> lister(underlyings, nullptr);
  for (std::size_t u = 0; u < underlyings; ++u) {
    for (const ScenarioSet* part : parts) {
      if (part->tenor_count(u) == 0) continue;
      if (lister[u] == nullptr) lister[u] = part;
      const auto days = [u](const ScenarioSet& set) {
        const auto begin = set.tenor_days.begin() + set.tenor_offsets[u];
        return std::vector<double>(begin, begin + static_cast<std::ptrdiff_t>(set.tenor_count(u)));
      };
      XM_EXPECTS(days(*part) == days(*lister[u]), "pooled sources list different vol tenors");
    }
  }
  if (std::all_of(lister.begin(), lister.end(), [](const ScenarioSet* p) { return !p; })) return;

  pooled.tenor_offsets.push_back(0);
  for (std::size_t u = 0; u < underlyings; ++u) {
    const std::size_t tenors = lister[u] ? lister[u]->tenor_count(u) : 0;
    for (std::size_t k = 0; k < tenors; ++k) {
      pooled.tenor_days.push_back(
          lister[u]->tenor_days[static_cast<std::size_t>(lister[u]->tenor_offsets[u]) + k]);
      for (const ScenarioSet* part : parts) {
        const std::size_t n = part->count();
        const double* row = part->tenor_count(u) > 0
                                ? part->tenor_shift.data() +
                                      (static_cast<std::size_t>(part->tenor_offsets[u]) + k) * n
                            : part->vol_moves[u] ? part->vol_shift.data() + u * n
                                                 : nullptr;
        if (row) {
          pooled.tenor_shift.insert(pooled.tenor_shift.end(), row, row + n);
        } else {
          pooled.tenor_shift.insert(pooled.tenor_shift.end(), n, 0.0);
        }
      }
    }
    pooled.tenor_offsets.push_back(static_cast<std::int32_t>(pooled.tenor_days.size()));
    if (tenors == 0) continue;
    pooled.vol_moves[u] = 0;
    std::fill_n(pooled.vol_shift.begin() + static_cast<std::ptrdiff_t>(u * count), count, 0.0);
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
