#include "xmargin/scenario_checks.hpp"

#include <limits>

#include "report/number_format.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenario_bounds.hpp"

namespace xm {

namespace {

// The historical source's moves and the floor's: the levels h rows apart.
std::string history_move_cause(int mpor_days, const std::string& whose) {
  return "the history's levels move this far over mpor_days " + std::to_string(mpor_days) + whose +
         "; check those rows of the history or shorten mpor_days";
}

}  // namespace

ScenarioOrigin historical_origin(const HistoricalSource& source, const History& history) {
  return {source.spot, "scenarios.historical", history_move_cause(source.mpor_days, ""),
          history.path};
}

ScenarioOrigin filtered_historical_origin(const FilteredHistoricalSource& source,
                                          const History& history) {
  return {source.spot, "scenarios.filtered_historical",
          "filtering rescales the history's move over mpor_days " +
              std::to_string(source.mpor_days) + " by today's EWMA vol over the vol then (lambda " +
              format_double(source.lambda) + ", seed_days " + std::to_string(source.seed_days) +
              "); a lambda nearer 1 smooths the vol estimate",
          history.path};
}

ScenarioOrigin monte_carlo_origin(const MonteCarloSource& source, const History& history) {
  return {source.spot, "scenarios.monte_carlo",
          "the covariance of the last window_days " + std::to_string(source.window_days) +
              " daily moves, scaled to mpor_days " + std::to_string(source.mpor_days) +
              ", draws it; check the history or shorten mpor_days",
          history.path};
}

ScenarioOrigin floor_origin(const HistoricalSource& source, const AntiProcyclicality& apc,
                            const History& history) {
  return {apc.floor_spot, "anti_procyclicality.floor_lookback_days",
          history_move_cause(source.mpor_days, " (scenarios.historical)"), history.path};
}

ScenarioOrigin named_origin(const NamedScenario& named, const History& history) {
  return {named.from_spot, "scenarios.stress.named \"" + named.name + "\"",
          "the history's levels move this far between the two history_dates", history.path};
}

std::optional<OutOfBounds> first_out_of_bounds(const ScenarioSet& set) {
  const std::size_t count = set.count();
  OutOfBounds first{std::numeric_limits<std::size_t>::max(), 0, "", 0.0};
  // Underlying by underlying (the storage order), keeping the lowest scenario.
  for (std::size_t u = 0; u < set.underlying_count(); ++u) {
    const auto note = [&](std::size_t s, const std::string& what, double value) {
      first = {s, u, what, value};
    };
    for (std::size_t s = 0; s < count && s < first.scenario; ++s) {
      const double factor = set.price_factor[u * count + s];
      const double shift = set.vol_shift[u * count + s];
      if (!price_factor_in_bounds(factor)) {
        note(s, "price", factor);
      } else if (!vol_shift_in_bounds(shift)) {
        note(s, "vol", shift);
      }
    }
    for (std::size_t k = 0; k < set.tenor_count(u); ++k) {
      const auto tenor = static_cast<std::size_t>(set.tenor_offsets[u]) + k;
      for (std::size_t s = 0; s < count && s < first.scenario; ++s) {
        const double shift = set.tenor_shift[tenor * count + s];
        if (!vol_shift_in_bounds(shift)) {
          note(s, "vol@" + format_double(set.tenor_days[tenor]) + "d", shift);
        }
      }
    }
  }
  if (first.scenario == std::numeric_limits<std::size_t>::max()) return std::nullopt;
  return first;
}

void fail_out_of_bounds(const ScenarioSet& set, const OutOfBounds& first,
                        const ScenarioOrigin& origin) {
  const bool price = first.what == "price";
  const std::string message =
      origin.key + ": scenario " + std::to_string(first.scenario) + " (" +
      set.source[first.scenario] + " " + set.label[first.scenario] + ") " +
      (price ? "moves " : "shifts ") + set.underlying_ids[first.underlying] + "'s " + first.what +
      (price ? " by a factor of " : " by ") + format_double(first.value) +
      ", outside the bounds of every scenario (" +
      (price ? "a price factor between 1e-6 and 1e6" : "a vol shift between -10 and 10") +
      ", what a scenario file replays): " + origin.cause;
  if (origin.spot.file.empty()) throw InputError(origin.history, 0, 0, message);
  origin.spot.fail(message);
}

}  // namespace xm
