// SPEC §5.3: the span, grid and named stress scenarios as one scenario set.
#include "xmargin/stress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "xmargin/error.hpp"

namespace xm {

const std::array<SpanMove, 16>& span_moves() {
  // SPAN's order: each price move with vol up then down, then the extremes.
  static const std::array<SpanMove, 16> moves = {{{0.0, +1, false},
                                                  {0.0, -1, false},
                                                  {1.0 / 3.0, +1, false},
                                                  {1.0 / 3.0, -1, false},
                                                  {-1.0 / 3.0, +1, false},
                                                  {-1.0 / 3.0, -1, false},
                                                  {2.0 / 3.0, +1, false},
                                                  {2.0 / 3.0, -1, false},
                                                  {-2.0 / 3.0, +1, false},
                                                  {-2.0 / 3.0, -1, false},
                                                  {1.0, +1, false},
                                                  {1.0, -1, false},
                                                  {-1.0, +1, false},
                                                  {-1.0, -1, false},
                                                  {1.0, 0, true},
                                                  {-1.0, 0, true}}};
  return moves;
}

namespace {

// Scenarios are appended one at a time; the shocks are laid out
// underlying-major once all are known.
struct StressBuilder {
  std::size_t underlyings;
  std::vector<std::vector<double>> price, vol, power, min_days, covered;  // [U][scenario]
  StressSet set;

  explicit StressBuilder(std::size_t u)
      : underlyings(u), price(u), vol(u), power(u), min_days(u), covered(u) {}

  // Underlying u's shock in one scenario; the defaults leave it where it is.
  struct Shock {
    double price = 1.0;  // factor
    double vol = 0.0;
    double power = 0.0;
    double min_days = 0.0;
    double covered = 1.0;
  };

  // Adds one scenario; `move(u, shock)` fills underlying u's shock.
  template <typename Move>
  void add(const std::string& label, Move move) {
    for (std::size_t u = 0; u < underlyings; ++u) {
      Shock shock;
      move(u, shock);
      price[u].push_back(shock.price);
      vol[u].push_back(shock.vol);
      power[u].push_back(shock.power);
      min_days[u].push_back(shock.min_days);
      covered[u].push_back(shock.covered);
    }
    set.scenarios.label.push_back(label);
  }

  // Scenarios added so far.
  std::size_t size() const { return set.scenarios.label.size(); }

  StressSet finish(const std::vector<std::string>& ids, int mpor_days) {
    ScenarioSet& s = set.scenarios;
    const std::size_t n = size();
    s.underlying_ids = ids;
    // Every stress kind moves vols (by 0 where a scenario leaves them).
    s.vol_moves.assign(underlyings, 1);
    bool any_power = false;
    for (std::size_t u = 0; u < underlyings; ++u) {
      s.price_factor.insert(s.price_factor.end(), price[u].begin(), price[u].end());
      s.vol_shift.insert(s.vol_shift.end(), vol[u].begin(), vol[u].end());
      set.covered.insert(set.covered.end(), covered[u].begin(), covered[u].end());
      for (double p : power[u]) any_power = any_power || p != 0.0;
    }
    if (any_power) {
      for (std::size_t u = 0; u < underlyings; ++u) {
        s.vol_term_power.insert(s.vol_term_power.end(), power[u].begin(), power[u].end());
        s.vol_term_min_days.insert(s.vol_term_min_days.end(), min_days[u].begin(),
                                   min_days[u].end());
      }
    }
    s.horizon_days.assign(n, static_cast<double>(mpor_days));
    s.weight.assign(n, 0.0);
    s.source.assign(n, "stress");
    return std::move(set);
  }
};

std::string signed_fraction(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%+g", x);
  return text;
}

void add_span(StressBuilder& builder, const PerUnderlying<SpanParams>& span,
              const std::vector<std::string>& ids) {
  std::vector<const SpanParams*> params;
  for (const std::string& id : ids) params.push_back(&span.for_underlying(id));
  int number = 1;
  for (const SpanMove& move : span_moves()) {
    const std::string label = "span " + std::to_string(number++) + ": price " +
                              (move.extreme ? "extreme " : "") +
                              signed_fraction(move.scan_fraction) + " scan, vol " +
                              (move.vol > 0   ? "up"
                               : move.vol < 0 ? "down"
                                              : "0");
    builder.add(label, [&](std::size_t u, StressBuilder::Shock& shock) {
      const SpanParams& p = *params[u];
      const double scan = move.extreme ? move.scan_fraction * p.extreme * p.price_scan
                                       : move.scan_fraction * p.price_scan;
      shock.price = 1.0 + scan;
      shock.vol = move.vol * p.vol_scan;
      if (move.extreme) shock.covered = p.covered;
    });
  }
}

void add_grid(StressBuilder& builder, const PerUnderlying<GridParams>& grid,
              const std::vector<std::string>& ids) {
  std::vector<const GridParams*> params;
  std::size_t extended = 0;
  for (const std::string& id : ids) {
    params.push_back(&grid.for_underlying(id));
    extended = std::max(extended, params.back()->extended.size());
  }
  // Step j of n moves the price by (2j − n)/n of the range: exactly 0 at j = n/2.
  // Underlyings may override the range and steps; the grid has the most steps
  // any underlying asks for, and an underlying with fewer repeats its own points.
  int steps = 0;
  for (const GridParams* p : params) steps = std::max(steps, p->steps);
  if (params.empty()) steps = grid.defaults.steps;
  const char* vol_names[] = {"up", "0", "down"};
  for (int j = 0; j <= steps; ++j) {
    for (int v = 0; v < 3; ++v) {
      const int direction = 1 - v;
      const std::string label =
          "grid step " + std::to_string(j) + "/" + std::to_string(steps) + ", vol " + vol_names[v];
      builder.add(label, [&](std::size_t u, StressBuilder::Shock& shock) {
        const GridParams& p = *params[u];
        // This underlying's own step nearest to the grid's j (the same j when
        // its steps are the grid's).
        const long own = std::lround(static_cast<double>(j) * p.steps / steps);
        shock.price = 1.0 + static_cast<double>(2 * own - p.steps) * p.range / p.steps;
        if (direction != 0) {
          shock.vol = direction * p.vol_shock;
          shock.power = p.power;
          shock.min_days = p.min_days;
        }
      });
    }
  }
  for (std::size_t k = 0; k < extended; ++k) {
    for (int sign : {+1, -1}) {
      const std::string label =
          "grid extended " + std::to_string(k + 1) + (sign > 0 ? " up" : " down");
      builder.add(label, [&](std::size_t u, StressBuilder::Shock& shock) {
        const GridParams& p = *params[u];
        if (k >= p.extended.size()) {
          shock.covered = 0.0;  // this underlying has fewer extended moves
          return;
        }
        shock.price = 1.0 + sign * p.extended[k].move;
        shock.covered = p.extended[k].covered;
      });
    }
  }
}

std::size_t history_row(const History& history, Date date, const ConfigSpot& spot) {
  const auto it = std::lower_bound(history.dates.begin(), history.dates.end(), date);
  if (it == history.dates.end() || *it != date) {
    spot.fail("history_dates: " + history.path + " has no row for " + format_iso_date(date));
  }
  return static_cast<std::size_t>(it - history.dates.begin());
}

void add_named(StressBuilder& builder, const NamedScenario& named,
               const std::vector<std::string>& ids, const History* history) {
  if (named.history_dates) {
    if (history == nullptr) {
      named.from_spot.fail("history_dates needs a history file (--history)");
    }
    const std::size_t from = history_row(*history, named.history_dates->first, named.from_spot);
    const std::size_t to = history_row(*history, named.history_dates->second, named.to_spot);
    builder.add("named " + named.name, [&](std::size_t u, StressBuilder::Shock& shock) {
      const HistorySeries& series = history->series[u];
      // The §3 move between the two rows, price and `.vol` column alike.
      shock.price = series.levels[to] / series.levels[from];
      if (!series.vols.empty()) shock.vol = series.vols[to] - series.vols[from];
    });
    return;
  }
  builder.add("named " + named.name, [&](std::size_t u, StressBuilder::Shock& shock) {
    // The underlying's own entry, else "*", else unmoved.
    const NamedShock* chosen = nullptr;
    for (const NamedShock& entry : named.shocks) {
      if (entry.underlying == ids[u]) chosen = &entry;
    }
    for (const NamedShock& entry : named.shocks) {
      if (chosen == nullptr && entry.underlying == "*") chosen = &entry;
    }
    if (chosen == nullptr) return;
    shock.price = 1.0 + chosen->price;
    shock.vol = chosen->vol;
  });
}

}  // namespace

StressSet generate_stress(const StressConfig& stress, const std::vector<std::string>& ids,
                          const History* history) {
  if (history != nullptr) {
    XM_EXPECTS(history->series.size() == ids.size(), "history not aligned with the book");
  }
  StressBuilder builder(ids.size());
  StressSet& set = builder.set;
  set.kind_offsets[0] = 0;
  if (stress.span) add_span(builder, *stress.span, ids);
  set.kind_offsets[1] = builder.size();
  if (stress.grid) add_grid(builder, *stress.grid, ids);
  set.kind_offsets[2] = builder.size();
  for (const NamedScenario& named : stress.named) add_named(builder, named, ids, history);
  set.kind_offsets[3] = builder.size();
  set.configured = {stress.span.has_value(), stress.grid.has_value(), !stress.named.empty()};
  return builder.finish(ids, stress.mpor_days);
}

void check_stress_underlyings(const StressConfig& stress, const Market& market) {
  auto check = [&](const std::string& id, const ConfigSpot& spot) {
    if (id == "*") return;
    for (const Underlying& u : market.underlyings) {
      if (u.id == id) return;
    }
    spot.fail("unknown underlying '" + id + "': the market has no such underlying");
  };
  if (stress.span) {
    for (const auto& entry : stress.span->underlyings) check(entry.underlying, entry.spot);
  }
  if (stress.grid) {
    for (const auto& entry : stress.grid->underlyings) check(entry.underlying, entry.spot);
  }
  for (const NamedScenario& named : stress.named) {
    for (const NamedShock& shock : named.shocks) check(shock.underlying, shock.spot);
  }
}

}  // namespace xm
