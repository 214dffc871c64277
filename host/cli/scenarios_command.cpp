#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "cli/input_options.hpp"
#include "cli/output_paths.hpp"
#include "report/atomic_files.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/scenarios.hpp"

namespace xm::cli {
namespace {

struct ScenariosOptions {
  InputOptions inputs;
  std::string out_path;
};

int write_scenarios(const ScenariosOptions& options) {
  const InputPaths paths = resolve_input_paths(options.inputs);
  check_outputs_apart(paths, {{"--out", options.out_path}});
  // Opened first, so that a path that cannot be written stops before the work.
  AtomicFiles files;
  std::ostream& out = files.open(options.out_path);
  const PreparedRun prepared = prepare_run(paths, terminal_progress());
  set_current_stage("report");
  write_scenario_file(out, prepared.scenarios);
  files.commit();
  std::cout << "wrote " << prepared.scenarios.count() << " scenarios over "
            << prepared.scenarios.underlying_count() << " underlyings to " << options.out_path;
  // The generation time alone (load, pack and writing the file excluded): the
  // figure bench/RESULTS.md reports for Monte Carlo.
  for (const StageTiming& timing : prepared.timings) {
    if (timing.stage == "scenarios") {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.3f", timing.seconds);
      std::cout << " (built in " << seconds << " s)";
    }
  }
  std::cout << "\n";
  return 0;
}

}  // namespace

void add_scenarios_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ScenariosOptions>();
  CLI::App* command = app.add_subcommand(
      "scenarios", "write the scenario set a run would use (audit; replay with --scenarios)");
  add_input_options(*command, options->inputs);
  command->add_option("--out", options->out_path, "scenario file to write (CSV)")->required();
  command->callback([command, options, &exit_code] {
    refuse_empty_values(*command);
    exit_code = write_scenarios(*options);
  });
}

}  // namespace xm::cli
