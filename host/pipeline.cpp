#include "xmargin/pipeline.hpp"

#include <atomic>

#include "stopwatch.hpp"
#include "xmargin/error.hpp"
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
  prepared.scenarios = build_scenarios(prepared.inputs, prepared.packed.book.underlying_ids,
                                       draw_monte_carlo_on_host);
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

RunOutcome run_margins(const PreparedRun& prepared, Backend& backend, bool pnl_accounts,
                       const StageListener& listener, const ChunkListener& chunks) {
  const Book& book = prepared.inputs.book;
  const Config& config = prepared.inputs.config;
  RunOutcome outcome;

  BackendRequest request;
  request.book = &prepared.packed.book;
  request.scenarios = &prepared.scenarios;
  request.settings = RiskSettings{config.confidence, config.time_decay};
  request.pnl_rows = pnl_accounts ? prepared.packed.layout.account_count : 0;
  request.progress = chunks;
  set_current_stage("backend");
  announce(listener, "revaluing " + std::to_string(book.instruments.size()) + " instruments × " +
                         std::to_string(prepared.scenarios.count()) + " scenarios on " +
                         backend.name());
  try {
    outcome.backend = backend.run(request);
  } catch (const NonFiniteValue& bad) {
    const ScenarioSet& scenarios = prepared.scenarios;
    const std::string what = bad.portfolio()
                                 ? describe_portfolio(book, prepared.packed.layout, bad.index())
                                 : "instrument " + book.instruments[bad.index()].id;
    throw RunError("the P&L of " + what + " is not a finite number in scenario " +
                   std::to_string(bad.scenario()) + " (" + scenarios.source[bad.scenario()] + " " +
                   scenarios.label[bad.scenario()] +
                   "): an input is out of range; nothing was written");
  }

  set_current_stage("report");
  Stopwatch stopwatch;
  outcome.rows = margin_rows(book, prepared.packed.layout, outcome.backend.risk, config.measure);
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
  info.timings.push_back({"margins", rows_seconds});
  info.plan = outcome.backend.plan;
  return outcome;
}

}  // namespace xm
