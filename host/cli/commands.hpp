#pragma once
#include <CLI/CLI.hpp>

namespace xm::cli {

// Each adds its subcommand to the app; its callback sets `exit_code`
// (0 success, 1 failed run or validation) and throws InputError for bad input.
void add_run_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_scenarios_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace xm::cli
