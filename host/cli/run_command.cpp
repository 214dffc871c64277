#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "cli/input_options.hpp"
#include "cli/output_paths.hpp"
#include "report/atomic_files.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/report.hpp"

namespace xm::cli {
namespace {

struct RunOptions {
  InputOptions inputs;
  BackendFlags backend;
  std::string out_dir = "out";
  std::string pnl_path;
};

int run(const RunOptions& options) {
  const StageListener progress = terminal_progress();
  const BackendOptions backend_settings = backend_options(options.backend);
  const InputPaths paths = resolve_input_paths(options.inputs);
  const std::string csv = (std::filesystem::path(options.out_dir) / "margins.csv").string();
  const std::string json = (std::filesystem::path(options.out_dir) / "margins.json").string();
  const std::string components =
      (std::filesystem::path(options.out_dir) / "components.csv").string();
  std::vector<OutputPath> outputs = {{"the margins.csv output", csv},
                                     {"the margins.json output", json},
                                     {"the components.csv output", components}};
  if (!options.pnl_path.empty()) outputs.push_back({"--pnl", options.pnl_path});
  check_outputs_apart(paths, outputs);
  // Every output is opened before the computation, so that one that cannot
  // be written stops the run at once; none replaces the previous one unless
  // all of them are complete.
  AtomicFiles files;
  std::ostream& csv_out = files.open(csv);
  std::ostream& json_out = files.open(json);
  std::ostream& components_out = files.open(components);
  std::ostream* pnl_out = options.pnl_path.empty() ? nullptr : &files.open(options.pnl_path);

  const auto backend = chosen_backend(options.backend.backend, backend_settings);
  // The cuda backend draws Monte Carlo scenarios on the device itself.
  const PreparedRun prepared = prepare_run(paths, progress, backend->name() != "cuda");
  const RunOutcome outcome = run_margins(prepared, *backend, !options.pnl_path.empty(), progress,
                                         terminal_chunk_progress());

  write_margins_csv(csv_out, outcome.rows);
  write_margins_json(json_out, outcome.rows, outcome.info, &outcome.components);
  write_components_csv(components_out, outcome.components, outcome.info.components);
  if (pnl_out) {
    std::vector<std::string> ids;
    for (const Account& account : prepared.inputs.book.accounts) ids.push_back(account.id);
    write_pnl_matrix(*pnl_out, ids, outcome.backend.pnl, prepared.scenarios.count());
  }
  files.commit();
  std::cout << summary_text(outcome.rows, outcome.info);
  std::cout << "wrote " << csv << ", " << json;
  if (!options.pnl_path.empty()) std::cout << ", " << components << " and " << options.pnl_path;
  if (options.pnl_path.empty()) std::cout << " and " << components;
  std::cout << "\n";
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "margins per account and per group; with no input flags, the embedded sample");
  add_input_options(*command, options->inputs);
  add_backend_options(*command, options->backend, true);
  command
      ->add_option("--out", options->out_dir,
                   "output folder for margins.csv, margins.json and components.csv")
      ->capture_default_str();
  command->add_option("--pnl", options->pnl_path, "also write the account × scenario P&L matrix");
  command->callback([command, options, &exit_code] {
    refuse_empty_values(*command);
    exit_code = run(*options);
  });
}

}  // namespace xm::cli
