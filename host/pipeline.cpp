#include "xmargin/pipeline.hpp"

#include "stopwatch.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

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

PreparedRun prepare_run(const InputPaths& paths, const StageListener& listener) {
  PreparedRun prepared;
  Stopwatch stopwatch;
  announce(listener, "loading inputs");
  prepared.inputs = load_inputs(paths);
  prepared.input_files = checksums(paths);
  prepared.timings.push_back({"load", stopwatch.seconds()});

  stopwatch.restart();
  announce(listener, "packing the book");
  prepared.packed = pack_book(prepared.inputs.book);
  prepared.timings.push_back({"pack", stopwatch.seconds()});

  stopwatch.restart();
  announce(listener, "building scenarios");
  prepared.scenarios = build_scenarios(prepared.inputs, prepared.packed.book.underlying_ids);
  prepared.timings.push_back({"scenarios", stopwatch.seconds()});
  return prepared;
}

RunOutcome run_margins(const PreparedRun& prepared, Backend& backend, bool pnl_accounts,
                       const StageListener& listener) {
  const Book& book = prepared.inputs.book;
  const Config& config = prepared.inputs.config;
  RunOutcome outcome;

  BackendRequest request;
  request.book = &prepared.packed.book;
  request.scenarios = &prepared.scenarios;
  request.settings = RiskSettings{config.confidence, config.time_decay};
  request.pnl_rows = pnl_accounts ? prepared.packed.layout.account_count : 0;
  announce(listener, "revaluing " + std::to_string(book.instruments.size()) + " instruments × " +
                         std::to_string(prepared.scenarios.count()) + " scenarios on " +
                         backend.name());
  outcome.backend = backend.run(request);

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
  info.accounts = book.accounts.size();
  info.groups = prepared.packed.layout.group_ids.size();
  info.instruments = book.instruments.size();
  info.positions = book.positions.size();
  info.underlyings = prepared.packed.book.underlying_count();
  info.timings = prepared.timings;
  info.timings.insert(info.timings.end(), outcome.backend.timings.begin(),
                      outcome.backend.timings.end());
  info.timings.push_back({"margins", rows_seconds});
  return outcome;
}

}  // namespace xm
