#include "xmargin/pipeline.hpp"

#include <algorithm>
#include <atomic>

#include "stopwatch.hpp"
#include "xmargin/error.hpp"
#include "xmargin/margin_scenarios.hpp"
#include "xmargin/scenario_checks.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

// Atomic: the backends' worker threads may read it while the main thread
// moves on.
std::atomic<const char*> stage_now{"start"};

void announce(const StageListener& listener, const std::string& stage) {
  if (listener) listener(stage);
}

std::vector<InputFile> checksums(const InputPaths& paths) {
  std::vector<InputFile> files;
  const std::pair<const char*, const std::string*> roles[] = {
      {"market", &paths.market},       {"instruments", &paths.instruments},
      {"positions", &paths.positions}, {"accounts", &paths.accounts},
      {"history", &paths.history},     {"config", &paths.config},
      {"scenarios", &paths.scenarios}};
  for (const auto& [role, path] : roles) {
    if (!path->empty()) files.push_back({role, *path, sha256_of_file(*path)});
  }
  return files;
}

}  // namespace

void set_current_stage(const char* stage) {
  stage_now = stage;
}
const char* current_stage() {
  return stage_now;
}

PreparedRun prepare_run(const InputPaths& paths, const StageListener& listener,
                        bool draw_monte_carlo_on_host) {
  PreparedRun prepared;
  Stopwatch stopwatch;
  set_current_stage("load");
  announce(listener, "loading inputs");
  prepared.inputs = load_inputs(paths);
  prepared.input_files = checksums(paths);
  prepared.timings.push_back({"load", stopwatch.seconds()});

  stopwatch.restart();
  set_current_stage("pack");
  announce(listener, "packing the book");
  prepared.packed = pack_book(prepared.inputs.book);
  prepared.timings.push_back({"pack", stopwatch.seconds()});

  stopwatch.restart();
  set_current_stage("scenarios");
  announce(listener, "building scenarios");
  MarginScenarioSets sets = build_margin_scenarios(
      prepared.inputs, prepared.packed.book.underlying_ids, draw_monte_carlo_on_host);
  prepared.scenarios = std::move(sets.pooled);
  prepared.source_scenarios = std::move(sets.sources);
  prepared.floor_scenarios = std::move(sets.floor);
  prepared.stress = std::move(sets.stress);
  prepared.timings.push_back({"scenarios", stopwatch.seconds()});
  return prepared;
}

std::string describe_portfolio(const Book& book, const PortfolioLayout& layout, std::size_t row) {
  if (row < layout.account_count) return "account " + book.accounts[row].id;
  if (row < layout.account_count + layout.group_ids.size()) {
    return "group " + layout.group_ids[row - layout.account_count];
  }
  for (std::size_t i = 0; i < layout.long_unit_row.size(); ++i) {
    const auto r = static_cast<std::int64_t>(row);
    if (layout.long_unit_row[i] == r) return "instrument " + book.instruments[i].id + " held long";
    if (layout.short_unit_row[i] == r) {
      return "instrument " + book.instruments[i].id + " held short";
    }
  }
  return "portfolio row " + std::to_string(row);
}

namespace {

// The NonFiniteValue of a backend run as the RunError the user reads: which
// account, group or instrument, and which scenario of `scenarios`.
[[noreturn]] void explain_non_finite(const NonFiniteValue& bad, const PreparedRun& prepared,
                                     const ScenarioSet& scenarios) {
  const Book& book = prepared.inputs.book;
  const std::string what = bad.portfolio()
                               ? describe_portfolio(book, prepared.packed.layout, bad.index())
                               : "instrument " + book.instruments[bad.index()].id;
  throw RunError("the P&L of " + what + " is not a finite number in scenario " +
                 std::to_string(bad.scenario()) + " (" + scenarios.source[bad.scenario()] + " " +
                 scenarios.label[bad.scenario()] +
                 "): an input is out of range; nothing was written");
}

// A backend that drew Monte Carlo scenarios itself found one out of bounds:
// the host draws the same set and names the move at its config key, as a
// run drawing on the host would have (an InputError, exit 2).
[[noreturn]] void explain_out_of_bounds(const MonteCarloOutOfBounds& bad,
                                        const PreparedRun& prepared) {
  const Config& config = prepared.inputs.config;
  XM_EXPECTS(config.monte_carlo && prepared.inputs.history, "draws without a Monte Carlo source");
  const History& history = *prepared.inputs.history;
  check_scenario_bounds(generate_monte_carlo(history, *config.monte_carlo, true),
                        monte_carlo_origin(*config.monte_carlo, history));
  throw RunError("the device drew Monte Carlo scenario " + std::to_string(bad.draw()) +
                 " out of bounds, but the host draws it within them; nothing was written");
}

// One more backend run of the same book (a source alone, the floor), its
// stage times prefixed with `name`.
std::vector<TailRisk> extra_tails(const PreparedRun& prepared, Backend& backend,
                                  const ScenarioSet& scenarios, const char* name,
                                  std::vector<StageTiming>& timings) {
  BackendRequest request;
  request.book = &prepared.packed.book;
  request.scenarios = &scenarios;
  request.settings = risk_settings(prepared.inputs.config);
  try {
    BackendResult result = backend.run(request);
    for (const StageTiming& timing : result.timings) {
      timings.push_back({std::string(name) + " " + timing.stage, timing.seconds});
    }
    return std::move(result.risk);
  } catch (const NonFiniteValue& bad) {
    explain_non_finite(bad, prepared, scenarios);
  } catch (const MonteCarloOutOfBounds& bad) {
    explain_out_of_bounds(bad, prepared);
  }
}

std::vector<double> stress_charges(const PreparedRun& prepared, Backend& backend,
                                   std::vector<StageTiming>& timings) {
  const StressRows rows = stress_rows_by_underlying(prepared.packed.book);
  StressRequest request;
  request.book = &prepared.packed.book;
  request.stress = &*prepared.stress;
  request.rows = &rows;
  request.settings = risk_settings(prepared.inputs.config);
  try {
    StressResult result = backend.stress(request);
    for (const StageTiming& timing : result.timings) {
      timings.push_back(timing);  // already named "stress …"
    }
    return std::move(result.charges);
  } catch (const NonFiniteValue& bad) {
    explain_non_finite(bad, prepared, prepared.stress->scenarios);
  }
}

// Accounts per driving component and their margin, largest margin first.
std::vector<MarginDriver> count_drivers(const std::vector<ComponentRow>& rows,
                                        const Config& config) {
  std::vector<MarginDriver> drivers;
  for (const ComponentRow& row : rows) {
    if (row.level != RowLevel::account) continue;
    const std::string name = margin_driver(row.values, config);
    auto it = std::find_if(drivers.begin(), drivers.end(),
                           [&](const MarginDriver& d) { return d.component == name; });
    if (it == drivers.end()) it = drivers.insert(drivers.end(), MarginDriver{name, 0, 0.0});
    ++it->accounts;
    it->margin += row.values[Component::margin];
  }
  std::stable_sort(
      drivers.begin(), drivers.end(),
      [](const MarginDriver& a, const MarginDriver& b) { return a.margin > b.margin; });
  return drivers;
}

}  // namespace

RunOutcome run_margins(const PreparedRun& prepared, Backend& backend, bool pnl_accounts,
                       const StageListener& listener, const ChunkListener& chunks) {
  const Book& book = prepared.inputs.book;
  const Config& config = prepared.inputs.config;
  RunOutcome outcome;

  BackendRequest request;
  request.book = &prepared.packed.book;
  request.scenarios = &prepared.scenarios;
  request.settings = risk_settings(config);
  request.pnl_rows = pnl_accounts ? prepared.packed.layout.account_count : 0;
  request.progress = chunks;
  set_current_stage("backend");
  announce(listener, "revaluing " + std::to_string(book.instruments.size()) + " instruments × " +
                         std::to_string(prepared.scenarios.count()) + " scenarios on " +
                         backend.name());
  try {
    outcome.backend = backend.run(request);
  } catch (const NonFiniteValue& bad) {
    explain_non_finite(bad, prepared, prepared.scenarios);
  } catch (const MonteCarloOutOfBounds& bad) {
    explain_out_of_bounds(bad, prepared);
  }

  // SPEC §5.3–5.4: each source alone, the floor and the stress charges.
  std::vector<StageTiming> extra_timings;
  std::array<std::vector<TailRisk>, 3> source_tails;
  ComponentSources sources;
  sources.pooled = &outcome.backend.risk;
  const char* source_names[3] = {"historical", "filtered_historical", "monte_carlo"};
  for (std::size_t s = 0; s < 3; ++s) {
    if (prepared.source_scenarios[s]) {
      announce(listener, std::string("revaluing the ") + source_names[s] + " scenarios alone");
      source_tails[s] = extra_tails(prepared, backend, *prepared.source_scenarios[s],
                                    source_names[s], extra_timings);
      sources.sources[s] = &source_tails[s];
    }
  }
  const bool replayed = prepared.inputs.replayed_scenarios.has_value();
  if (!replayed) {
    // A lone source's own measure is the pooled one.
    const bool configured[3] = {config.historical.has_value(),
                                config.filtered_historical.has_value(),
                                config.monte_carlo.has_value()};
    for (std::size_t s = 0; s < 3; ++s) {
      if (configured[s] && sources.sources[s] == nullptr)
        sources.sources[s] = &outcome.backend.risk;
    }
  }
  std::vector<TailRisk> floor_tails;
  if (prepared.floor_scenarios) {
    announce(listener, "revaluing the floor's lookback");
    floor_tails = extra_tails(prepared, backend, *prepared.floor_scenarios, "floor", extra_timings);
    sources.floor = &floor_tails;
  }
  std::vector<double> charges;
  if (prepared.stress) {
    announce(listener, "revaluing " + std::to_string(prepared.stress->count()) +
                           " stress scenarios on " + backend.name());
    charges = stress_charges(prepared, backend, extra_timings);
    sources.stress = &charges;
  }

  set_current_stage("report");
  Stopwatch stopwatch;
  const std::size_t portfolios = prepared.packed.book.portfolio_count();
  const std::vector<ComponentValues> per_row = portfolio_components(config, sources, portfolios);
  std::vector<double> row_margin(portfolios);
  for (std::size_t p = 0; p < portfolios; ++p) row_margin[p] = per_row[p][Component::margin];
  outcome.rows = margin_rows(book, prepared.packed.layout, outcome.backend.risk, row_margin);
  outcome.components = component_rows(book, prepared.packed.layout, per_row);
  const double rows_seconds = stopwatch.seconds();

  RunInfo& info = outcome.info;
  info.backend = backend.name();
  info.device = backend.device();
  info.inputs = prepared.input_files;
  info.config = config;
  info.scenario_count = prepared.scenarios.count();
  info.sources = describe_sources(prepared.scenarios);
  info.worst_scenarios = name_worst_scenarios(outcome.rows, prepared.scenarios);
  info.accounts = book.accounts.size();
  info.groups = prepared.packed.layout.group_ids.size();
  info.instruments = book.instruments.size();
  info.positions = book.positions.size();
  info.underlyings = prepared.packed.book.underlying_count();
  info.vol_surfaces = prepared.packed.book.surface_count();
  info.timings = prepared.timings;
  info.timings.insert(info.timings.end(), outcome.backend.timings.begin(),
                      outcome.backend.timings.end());
  info.timings.insert(info.timings.end(), extra_timings.begin(), extra_timings.end());
  info.timings.push_back({"margins", rows_seconds});
  info.plan = outcome.backend.plan;
  info.components = configured_components(config, replayed);
  info.drivers = count_drivers(outcome.components, config);
  return outcome;
}

}  // namespace xm
