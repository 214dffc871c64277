#include "xmargin/components.hpp"

#include <algorithm>
#include <cmath>

#include "xmargin/error.hpp"
#include "xmargin/stress.hpp"

namespace xm {

const char* component_name(Component component) {
  static const char* const names[kComponentCount] = {"historical",  "filtered_historical",
                                                     "monte_carlo", "statistical",
                                                     "span",        "grid",
                                                     "named",       "stress",
                                                     "buffer",      "floor",
                                                     "margin"};
  return names[static_cast<std::size_t>(component)];
}

ComponentMask configured_components(const Config& config, bool replayed) {
  ComponentMask mask{};
  const StressConfig& stress = config.stress;
  const AntiProcyclicality& apc = config.anti_procyclicality;
  mask[static_cast<std::size_t>(Component::historical)] = !replayed && config.historical;
  mask[static_cast<std::size_t>(Component::filtered_historical)] =
      !replayed && config.filtered_historical;
  mask[static_cast<std::size_t>(Component::monte_carlo)] = !replayed && config.monte_carlo;
  mask[static_cast<std::size_t>(Component::statistical)] = true;
  mask[static_cast<std::size_t>(Component::span)] = stress.span.has_value();
  mask[static_cast<std::size_t>(Component::grid)] = stress.grid.has_value();
  mask[static_cast<std::size_t>(Component::named)] = !stress.named.empty();
  mask[static_cast<std::size_t>(Component::stress)] = stress.any();
  mask[static_cast<std::size_t>(Component::buffer)] = apc.buffer.has_value();
  mask[static_cast<std::size_t>(Component::floor)] = apc.floor_lookback_days.has_value();
  mask[static_cast<std::size_t>(Component::margin)] = true;
  return mask;
}

ComponentValues portfolio_margin(const Config& config, const PortfolioRisk& risk) {
  XM_EXPECTS(risk.pooled != nullptr, "no pooled tail");
  const RiskMeasure measure = config.measure;
  const AntiProcyclicality& apc = config.anti_procyclicality;
  XM_EXPECTS((risk.stress != nullptr) == config.stress.any(), "stress charges and config disagree");
  XM_EXPECTS((risk.floor != nullptr) == apc.floor_lookback_days.has_value(),
             "floor tail and config disagree");
  const Component source_columns[3] = {Component::historical, Component::filtered_historical,
                                       Component::monte_carlo};
  ComponentValues c;
  for (std::size_t s = 0; s < 3; ++s) {
    if (risk.sources[s] != nullptr) c[source_columns[s]] = margin_of(*risk.sources[s], measure);
  }
  c[Component::statistical] = margin_of(*risk.pooled, measure);
  double base = c[Component::statistical];
  if (risk.floor != nullptr) {
    c[Component::floor] = margin_of(*risk.floor, measure);
    base = std::max(base, c[Component::floor]);
  }
  double combined = base;
  if (risk.stress != nullptr) {
    const double* charges = risk.stress;
    c[Component::span] = charges[0];
    c[Component::grid] = charges[1];
    c[Component::named] = charges[2];
    c[Component::stress] = std::max({charges[0], charges[1], charges[2]});
    combined =
        config.combine.rule == CombineRule::max
            ? std::max(base, c[Component::stress])
            : config.combine.blend * base + (1.0 - config.combine.blend) * c[Component::stress];
  }
  c[Component::margin] = combined;
  if (apc.buffer && !apc.buffer_released) c[Component::margin] = combined * (1.0 + *apc.buffer);
  c[Component::buffer] = c[Component::margin] - combined;
  return c;
}

PortfolioRisk portfolio_risk(const ComponentSources& sources, std::size_t p) {
  PortfolioRisk risk;
  risk.pooled = &(*sources.pooled)[p];
  for (std::size_t s = 0; s < 3; ++s) {
    if (sources.sources[s] != nullptr) risk.sources[s] = &(*sources.sources[s])[p];
  }
  if (sources.floor != nullptr) risk.floor = &(*sources.floor)[p];
  if (sources.stress != nullptr) risk.stress = sources.stress->data() + p * kStressKinds;
  return risk;
}

std::vector<ComponentValues> portfolio_components(const Config& config,
                                                  const ComponentSources& sources,
                                                  std::size_t rows) {
  XM_EXPECTS(sources.pooled != nullptr && sources.pooled->size() >= rows, "no pooled tails");
  std::vector<ComponentValues> out(rows);
  for (std::size_t p = 0; p < rows; ++p)
    out[p] = portfolio_margin(config, portfolio_risk(sources, p));
  return out;
}

std::vector<ComponentRow> component_rows(const Book& book, const PortfolioLayout& layout,
                                         const std::vector<ComponentValues>& per_row) {
  const std::size_t accounts = book.accounts.size();
  XM_EXPECTS(per_row.size() >= accounts + layout.group_ids.size(), "fewer rows than portfolios");
  // Stand-alone components of each account's positions, summed in position order.
  std::vector<ComponentValues> isolated(accounts);
  for (const Position& position : book.positions) {
    const double exposure = position.quantity * book.instruments[position.instrument].multiplier;
    if (exposure == 0.0) continue;
    const std::int64_t unit = exposure > 0.0 ? layout.long_unit_row[position.instrument]
                                             : layout.short_unit_row[position.instrument];
    XM_EXPECTS(unit >= 0, "a held instrument has no unit portfolio");
    const ComponentValues& one = per_row[static_cast<std::size_t>(unit)];
    for (std::size_t k = 0; k < kComponentCount; ++k) {
      isolated[position.account].value[k] += std::fabs(exposure) * one.value[k];
    }
  }
  std::vector<ComponentRow> rows;
  rows.reserve(accounts + layout.group_ids.size());
  for (std::size_t a = 0; a < accounts; ++a) {
    const Account& account = book.accounts[a];
    rows.push_back({RowLevel::account, account.id,
                    account.mode == MarginMode::isolated ? isolated[a] : per_row[a]});
  }
  for (std::size_t g = 0; g < layout.group_ids.size(); ++g) {
    rows.push_back({RowLevel::group, layout.group_ids[g], per_row[layout.group_row(g)]});
  }
  return rows;
}

std::string margin_driver(const ComponentValues& values, const Config& config) {
  if (!(values[Component::margin] > 0.0)) return "none";
  if (config.stress.any() && config.combine.rule == CombineRule::blend) return "blend";
  const bool floored = config.anti_procyclicality.floor_lookback_days &&
                       values[Component::floor] > values[Component::statistical];
  const double base = floored ? values[Component::floor] : values[Component::statistical];
  // On a tie with the statistical measure the stress charge names it: it is
  // the one that does not move with the market's recent past.
  if (config.stress.any() && values[Component::stress] >= base) {
    for (Component c : {Component::span, Component::grid, Component::named}) {
      if (values[c] == values[Component::stress]) return component_name(c);
    }
  }
  return floored ? "floor" : "statistical";
}

}  // namespace xm
