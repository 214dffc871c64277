#pragma once
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xmargin/backend.hpp"
#include "xmargin/components.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/margin_rows.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/report.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// Called with a short description as each stage starts (progress display).
using StageListener = std::function<void(const std::string&)>;

// Everything before the backend: load + validate, pack, scenarios (DESIGN.md
// data flow). Shared by run, validate and scenarios, so validate compares only
// what the backends do.
struct PreparedRun {
  Inputs inputs;
  std::vector<InputFile> input_files;  // paths and SHA-256, for margins.json
  Packed packed;
  ScenarioSet scenarios;  // the pooled statistical scenarios
  // The other sets of SPEC §5.3–5.4 (build_margin_scenarios), each revalued
  // by the backend in its own run.
  std::array<std::optional<ScenarioSet>, 3> source_scenarios;
  std::optional<ScenarioSet> floor_scenarios;
  std::optional<StressSet> stress;
  std::vector<StageTiming> timings;
};

// `draw_monte_carlo_on_host` false leaves Monte Carlo scenarios for the cuda
// backend to draw on the device (ScenarioSet::monte_carlo); only cuda runs them.
PreparedRun prepare_run(const InputPaths& paths, const StageListener& listener = {},
                        bool draw_monte_carlo_on_host = true);

// Everything from the backend on: revalue, aggregate, measure, margin rows.
struct RunOutcome {
  BackendResult backend;
  std::vector<MarginRow> rows;
  std::vector<ComponentRow> components;  // components.csv, same rows as `rows`
  RunInfo info;
};

// Called during the backend run with the share of it done, in [0, 1].
using ChunkListener = std::function<void(double)>;

// `pnl_accounts`: also return the accounts' P&L vectors (for --pnl). A
// non-finite P&L is a RunError naming the account, group or instrument and the
// scenario (nothing is computed from it).
RunOutcome run_margins(const PreparedRun& prepared, Backend& backend, bool pnl_accounts,
                       const StageListener& listener = {}, const ChunkListener& chunks = {});

// The stage a command is in: "load", "pack", "scenarios", "backend" or
// "report" ("start" before the first), so that running out of memory can say
// where (host/cli/main.cpp). prepare_run and run_margins set it.
void set_current_stage(const char* stage);
const char* current_stage();

// What portfolio row `row` of a packed book stands for, in words ("account A1",
// "group G", "instrument X held alone").
std::string describe_portfolio(const Book& book, const PortfolioLayout& layout, std::size_t row);

}  // namespace xm
