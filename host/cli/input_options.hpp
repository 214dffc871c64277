#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "xmargin/backend.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/pipeline.hpp"

namespace xm::cli {

// The input flags shared by every command (SPEC §1).
struct InputOptions {
  std::string dir;
  std::string market, instruments, positions, accounts, history, config, scenarios;
};

void add_input_options(CLI::App& command, InputOptions& options);

// With no input flag at all: the embedded sample. With --dir: the standard file
// names in that folder (accounts.csv and config.json when present). Explicit
// file flags override either. Throws InputError (exit 2) naming what is missing.
InputPaths resolve_input_paths(const InputOptions& options);

// The backend flags shared by run and validate. The numbers are kept as
// given and read strictly by backend_options; "" is a flag left out (one
// given empty is refused first: refuse_empty_values).
struct BackendFlags {
  std::string backend = "auto";
  std::string threads;
  std::string memory_budget;
};
void add_backend_options(CLI::App& command, BackendFlags& flags, bool with_choice);
// Throws InputError (exit 2) for a thread count or budget outside its rule.
BackendOptions backend_options(const BackendFlags& flags);
BackendKind backend_kind(const std::string& name);

// Prints stage names on stderr when it is a terminal (SPEC §1: progress).
StageListener terminal_progress();
// Prints the share of the backend run done and an estimate of the time left on
// stderr when it is a terminal, one line rewritten in place.
ChunkListener terminal_chunk_progress();
// The backend for a run; with --backend auto and no usable GPU, one line on
// stderr says why the cpu backend runs.
std::unique_ptr<Backend> chosen_backend(const std::string& name, const BackendOptions& options);

}  // namespace xm::cli
