#include "xmargin/margin_scenarios.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenario_checks.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {

MarginScenarioSets build_margin_scenarios(const Inputs& inputs,
                                          const std::vector<std::string>& underlying_ids,
                                          bool draw_monte_carlo_on_host) {
  const Config& config = inputs.config;
  const AntiProcyclicality& apc = config.anti_procyclicality;
  MarginScenarioSets sets;
  if (inputs.replayed_scenarios) {
    if (apc.stressed_weight) {
      apc.stressed_weight_spot.fail(
          "stressed_weight takes its scenarios from --history, not "
          "from replayed --scenarios");
    }
    if (apc.floor_lookback_days) {
      apc.floor_spot.fail(
          "floor_lookback_days takes its scenarios from --history, not from "
          "replayed --scenarios");
    }
    sets.pooled = build_scenarios(inputs, underlying_ids, draw_monte_carlo_on_host);
  } else {
    XM_EXPECTS(inputs.history, "generated scenarios need a history");
    const History& history = *inputs.history;
    auto aligned = [&](ScenarioSet set) {
      // The history is loaded in the book's underlying order: the usual case needs no copy.
      if (set.underlying_ids == underlying_ids) return set;
      return align_scenarios(set, underlying_ids, history.path);
    };
    std::vector<ConfiguredSource> parts =
        configured_sources(history, config, draw_monte_carlo_on_host);
    if (parts.size() > 1) {
      for (const ConfiguredSource& source : parts) {
        sets.sources[static_cast<std::size_t>(source.which)] = aligned(source.part.scenarios);
      }
    }
    sets.pooled = aligned(pool_configured(std::move(parts)));
    if (apc.floor_lookback_days) {
      ScenarioSet floor = generate_floor_historical(history, *config.historical, apc);
      check_scenario_bounds(floor, floor_origin(*config.historical, apc, history));
      sets.floor = aligned(std::move(floor));
    }
  }
  if (config.stress.any()) {
    const History* history = inputs.history ? &*inputs.history : nullptr;
    if (history != nullptr) {
      std::vector<std::string> ids;
      for (const HistorySeries& series : history->series) ids.push_back(series.underlying);
      XM_EXPECTS(ids == underlying_ids, "the history is loaded in the book's underlying order");
    }
    sets.stress = generate_stress(config.stress, underlying_ids, history);
    // Span, grid and explicit shocks stay within the bounds by the config's
    // own; history_dates scenarios move as far as the history does.
    const ScenarioSet& stress = sets.stress->scenarios;
    if (const auto bad = first_out_of_bounds(stress)) {
      const std::size_t named = bad->scenario - sets.stress->kind_offsets[2];
      XM_EXPECTS(bad->scenario >= sets.stress->kind_offsets[2] && history != nullptr,
                 "span and grid scenarios are bounded by the config");
      fail_out_of_bounds(stress, *bad, named_origin(config.stress.named[named], *history));
    }
  }
  return sets;
}

}  // namespace xm
