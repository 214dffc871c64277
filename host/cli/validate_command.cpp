#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "cli/input_options.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/validation.hpp"

namespace xm::cli {
namespace {

struct ValidateOptions {
  InputOptions inputs;
  BackendFlags backend;
  // As given, read by relative_tolerance; "" when left out (one given empty is
  // refused first: refuse_empty_values).
  std::string tolerance;
  bool allow_no_device = false;
};

double backend_seconds(const BackendResult& result) {
  double total = 0.0;
  for (const StageTiming& timing : result.timings) total += timing.seconds;
  return total;
}

int validate(const ValidateOptions& options) {
  const StageListener progress = terminal_progress();
  const double tolerance =
      options.tolerance.empty() ? kDefaultRelativeTolerance : relative_tolerance(options.tolerance);
  const BackendOptions backend = backend_options(options.backend);
  const InputPaths paths = resolve_input_paths(options.inputs);
  // The inputs are checked in full (scenarios built too) before the device
  // question, so that a broken book fails on a machine without a device too.
  const PreparedRun prepared = prepare_run(paths, progress);
  if (cuda_device_count() == 0) {
    std::cout << "validate: no CUDA device ("
              << (cuda_backend_built() ? "none found" : "cuda backend not built")
              << "): compared nothing\n";
    return options.allow_no_device ? 0 : 1;
  }
  const auto cpu = make_backend(BackendKind::cpu, backend);
  const auto cuda = make_backend(BackendKind::cuda, backend);
  const RunOutcome reference = run_margins(prepared, *cpu, false, progress);
  const RunOutcome candidate = run_margins(prepared, *cuda, false, progress);
  // Where the worst scenarios differ, the tie rule needs each backend's own loss at the other's
  // index, so both backends run once more over just those scenarios.
  BackendRequest request;
  request.book = &prepared.packed.book;
  request.scenarios = &prepared.scenarios;
  request.settings = risk_settings(prepared.inputs.config);
  const CrossLossMap ties = cross_losses(reference.rows, candidate.rows, request, *cpu, *cuda);
  ValidationReport report = compare_margin_rows(reference.rows, candidate.rows, ties, tolerance);
  // SPEC §5.3–5.4: each source alone, the floor and the stress charges too.
  compare_component_rows(reference.components, candidate.components, reference.info.components,
                         tolerance, report);

  const double cpu_seconds = backend_seconds(reference.backend);
  const double cuda_seconds = backend_seconds(candidate.backend);
  std::printf("validate: cpu (%s) vs cuda (%s)\n", cpu->device().c_str(), cuda->device().c_str());
  std::printf("book: %zu accounts, %zu groups, %zu positions, %zu instruments; %zu scenarios\n",
              reference.info.accounts, reference.info.groups, reference.info.positions,
              reference.info.instruments, reference.info.scenario_count);
  std::printf("backend time: cpu %.3fs, cuda %.3fs (cuda %.1fx faster)\n", cpu_seconds,
              cuda_seconds, cuda_seconds > 0 ? cpu_seconds / cuda_seconds : 0.0);
  std::printf(
      "compared %zu rows, %zu values; max relative difference %.3g; tolerance %.3g relative "
      "(%.0e absolute near zero)\n",
      report.rows_compared, report.values_compared, report.max_relative_difference, tolerance,
      kAbsoluteToleranceNearZero);
  std::printf("worst scenarios: %zu rows differ in index but agree up to ties\n",
              report.worst_scenario_ties);
  const std::size_t shown = std::min<std::size_t>(report.mismatches.size(), 20);
  for (std::size_t i = 0; i < shown; ++i) {
    std::printf("  MISMATCH %s\n", describe_mismatch(report.mismatches[i], "cpu", "cuda").c_str());
  }
  if (!report.passed()) {
    std::printf("validate: FAILED, %zu mismatches\n", report.mismatches.size());
    return 1;
  }
  std::printf("validate: PASSED\n");
  return 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = app.add_subcommand(
      "validate", "run the cpu and cuda backends on the same inputs and compare every row");
  add_input_options(*command, options->inputs);
  add_backend_options(*command, options->backend, false);
  command
      ->add_option("--tolerance", options->tolerance,
                   "relative tolerance, a finite number > 0 and < 1 (default: 1e-9)")
      ->type_name("FLOAT");
  command->add_flag("--allow-no-device", options->allow_no_device,
                    "exit 0 when no CUDA device is present (compares nothing)");
  command->callback([command, options, &exit_code] {
    refuse_empty_values(*command);
    exit_code = validate(*options);
  });
}

}  // namespace xm::cli
