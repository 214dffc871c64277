#include "cli/input_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/flag_values.hpp"
#include "xmargin/error.hpp"

namespace xm::cli {
namespace fs = std::filesystem;

void add_input_options(CLI::App& command, InputOptions& options) {
  command.add_option("--dir", options.dir,
                     "folder holding market.json, instruments.csv, positions.csv, history.csv "
                     "and optionally accounts.csv, config.json");
  command.add_option("--market", options.market, "market.json: valuation date, spots, vols, rates");
  command.add_option("--instruments", options.instruments, "instruments.csv");
  command.add_option("--positions", options.positions, "positions.csv");
  command.add_option("--accounts", options.accounts, "accounts.csv (optional)");
  command.add_option("--history", options.history, "history.csv: closing levels (+ .vol columns)");
  command.add_option("--config", options.config, "config.json (optional; SPEC defaults)");
  command.add_option("--scenarios", options.scenarios,
                     "a scenario file written by `xmargin scenarios`; replaces generation");
}

InputPaths resolve_input_paths(const InputOptions& options) {
  InputPaths paths{options.market,  options.instruments, options.positions, options.accounts,
                   options.history, options.config,      options.scenarios};
  const bool any_file = !(paths.market.empty() && paths.instruments.empty() &&
                          paths.positions.empty() && paths.accounts.empty() &&
                          paths.history.empty() && paths.config.empty() && paths.scenarios.empty());
  std::string dir = options.dir;
  if (dir.empty() && !any_file) dir = XM_SAMPLE_DIR;

  if (!dir.empty()) {
    if (!fs::is_directory(dir)) throw InputError(dir, 0, 0, "no such folder (--dir)");
    auto fill = [&](std::string& path, const char* name, bool only_if_present) {
      const std::string candidate = (fs::path(dir) / name).string();
      if (path.empty() && (!only_if_present || fs::exists(candidate))) path = candidate;
    };
    fill(paths.market, "market.json", false);
    fill(paths.instruments, "instruments.csv", false);
    fill(paths.positions, "positions.csv", false);
    fill(paths.accounts, "accounts.csv", true);
    fill(paths.config, "config.json", true);
    // A replay needs no history, but reads one that is there: named stress
    // scenarios with history_dates take their moves from it.
    fill(paths.history, "history.csv", !paths.scenarios.empty());
  }
  const std::pair<const std::string*, const char*> required[] = {
      {&paths.market, "--market"},
      {&paths.instruments, "--instruments"},
      {&paths.positions, "--positions"}};
  for (const auto& [path, flag] : required) {
    if (path->empty()) throw InputError(std::string("missing ") + flag + " (or --dir)");
  }
  if (paths.history.empty() && paths.scenarios.empty()) {
    throw InputError("missing --history (or --scenarios, or --dir)");
  }
  return paths;
}

void add_backend_options(CLI::App& command, BackendFlags& flags, bool with_choice) {
  if (with_choice) {
    command
        .add_option("--backend", flags.backend, "auto (cuda when a GPU is present), cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  }
  // Read as text, strictly, by backend_options: the type names say what they hold.
  command
      .add_option("--threads", flags.threads,
                  "CPU backend threads, 1 to 4 × cores (default: all cores)")
      ->type_name("INT");
  command
      .add_option("--memory-budget,--device-memory-budget", flags.memory_budget,
                  "bytes the backend may allocate for the run, 1 to 2^63 - 1, optionally with "
                  "K, M, G or T (powers of 1024): device memory for cuda, host memory for cpu "
                  "(default: most of what is free); smaller budgets cut the run into more "
                  "chunks, with the same results")
      ->type_name("BYTES");
}

BackendOptions backend_options(const BackendFlags& flags) {
  BackendOptions options;
  // A bound well above any useful count (see thread_count).
  const int most_threads = 4 * static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (!flags.threads.empty()) options.cpu_threads = thread_count(flags.threads, most_threads);
  if (!flags.memory_budget.empty()) {
    options.memory_budget_bytes = memory_budget_bytes(flags.memory_budget);
  }
  return options;
}

BackendKind backend_kind(const std::string& name) {
  if (name == "cpu") return BackendKind::cpu;
  if (name == "cuda") return BackendKind::cuda;
  return BackendKind::automatic;
}

StageListener terminal_progress() {
  if (!isatty(STDERR_FILENO)) return {};
  return [](const std::string& stage) { std::cerr << "xmargin: " << stage << "…\n"; };
}

ChunkListener terminal_chunk_progress() {
  if (!isatty(STDERR_FILENO)) return {};
  const auto start =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [start](double done) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
    std::cerr << "\rxmargin: " << static_cast<int>(done * 100.0) << "% done";
    if (done > 0.0 && done < 1.0) {
      std::cerr << ", about " << static_cast<long>(elapsed * (1.0 - done) / done + 0.5)
                << " s left   ";
    }
    if (done >= 1.0) std::cerr << " in " << static_cast<long>(elapsed + 0.5) << " s          \n";
    std::cerr << std::flush;
  };
}

std::unique_ptr<Backend> chosen_backend(const std::string& name, const BackendOptions& options) {
  std::string note;
  auto backend = make_backend(backend_kind(name), options, &note);
  if (!note.empty()) std::cerr << "xmargin: " << note << "\n";
  return backend;
}

}  // namespace xm::cli
