// Margin-run benchmark: both backends and a naive QuantLib baseline on one book.
//
//   build/bench/xmargin_bench [--workload sample|small|medium|eod | --dir BOOK]
//       [--cache DIR] [--seed N] [--backends cpu1,cpu,cuda,naive] [--repetitions R]
//       [--naive-positions N] [--threads N] [--memory-budget BYTES]
//
// Prints the machine and the workload, stage times, throughputs and peak memory
// per backend, the ratios cuda / cpu and cpu (1 thread) / naive QuantLib, then
// one line of JSON with all of it (see bench/RESULTS.md). Every figure is the
// median over the repetitions; each repetition is a whole run from the files.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_main.hpp"
#include "child_process.hpp"
#include "cli/input_options.hpp"
#include "measure.hpp"
#include "report.hpp"
#include "workload.hpp"
#include "xmargin/error.hpp"

namespace {

using json = nlohmann::ordered_json;
using xm::bench::run_in_child;

struct BenchFlags {
  std::string workload;
  std::string dir;
  std::string cache;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> backends = {"cpu1", "cpu", "cuda", "naive"};
  xm::bench::MeasureOptions measure;
};

bool wanted(const BenchFlags& flags, const std::string& name) {
  return std::find(flags.backends.begin(), flags.backends.end(), name) != flags.backends.end();
}

// The book folder and the workload's name for the report.
std::pair<std::string, std::string> chosen_book(const BenchFlags& flags) {
  if (!flags.dir.empty()) return {"dir", flags.dir};
  if (flags.workload.empty() || flags.workload == "sample") return {"sample", XM_SAMPLE_DIR};
  return {flags.workload, xm::bench::workload_dir(flags.workload, flags.cache, flags.seed)};
}

json method(int repetitions) {
  const std::size_t parent_bytes = xm::bench::resident_bytes();
  return {{"repetitions", repetitions},
          {"statistic", "median"},
          {"run",
           "each repetition loads the files, packs, builds the scenarios, runs the backend and "
           "makes the margin rows"},
          {"peak_host_memory", "VmHWM of a process forked for each contender"},
          {"parent_resident_bytes", parent_bytes},
          {"peak_device_memory",
           "the cuda backend's one device allocation, its planned bytes (ChunkPlan::bytes); "
           "the CUDA context's own memory is not counted"},
          {"summary", "median of " + std::to_string(repetitions) +
                          (repetitions == 1 ? " repetition" : " repetitions") +
                          ", each a whole run from the files; each contender in its own forked "
                          "process, whose peak resident set (VmHWM) is its peak host memory "
                          "(the parent held " +
                          std::to_string(parent_bytes >> 20) + " MiB at the fork)"}};
}

// Exit status 1 when a contender that was asked for failed.
int run(const BenchFlags& flags) {
  xm::bench::Measurements measurements;
  const auto [name, dir] = chosen_book(flags);
  xm::cli::InputOptions inputs;
  inputs.dir = dir;
  const xm::InputPaths paths = xm::cli::resolve_input_paths(inputs);
  measurements.workload = {{"name", name}, {"dir", dir}};

  // The GPU is named by a child too: the parent must not touch CUDA before forking.
  const json cuda = run_in_child(xm::bench::probe_cuda);
  const std::string cuda_note = cuda.value("error", cuda.value("reason", std::string()));
  measurements.machine = xm::bench::describe_host();
  measurements.machine["gpu"] = cuda.value("gpu", json());
  measurements.machine["gpu_note"] = cuda_note;
  measurements.method = method(flags.measure.repetitions);

  // cuda first: on a machine lent for a limited time its figures matter most.
  int status = 0;
  for (const char* contender : {"cuda", "cpu", "cpu1", "naive"}) {
    if (!wanted(flags, contender)) continue;
    json& raw = measurements.raw[contender];
    if (std::string(contender) == "cuda" && !cuda.value("usable", false)) {
      raw = {{"why_not_run", cuda_note}};
      continue;
    }
    std::fprintf(stderr, "measuring %s\n", contender);
    raw = run_in_child([&] {
      return std::string(contender) == "naive"
                 ? xm::bench::measure_naive(paths, flags.measure)
                 : xm::bench::measure_backend(contender, paths, flags.measure);
    });
    if (raw.contains("error")) {
      std::fprintf(stderr, "  %s failed: %s\n", contender, raw["error"].get<std::string>().c_str());
      status = 1;
    }
  }
  xm::bench::print_report(xm::bench::summarize(measurements), stdout);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xmargin_bench — cpu and cuda backends against a naive QuantLib loop",
               "xmargin_bench"};
  BenchFlags flags;
  auto* workload = app.add_option("--workload", flags.workload,
                                  "sample (the embedded book, default), or small, medium, eod: "
                                  "made by xmargin_make_book into --cache, reused when there")
                       ->check(CLI::IsMember({"sample", "small", "medium", "eod"}));
  app.add_option("--dir", flags.dir, "a book folder instead of a workload")->excludes(workload);
  app.add_option("--cache", flags.cache,
                 "where the workload's book is kept (default /tmp/xmargin-workloads/NAME)")
      ->needs(workload);
  app.add_option("--seed", flags.seed, "the workload generator's seed (its default if absent)")
      ->needs(workload);
  app.add_option("--backends", flags.backends,
                 "what to measure, comma-separated (default cpu1,cpu,cuda,naive); cpu1 is the "
                 "cpu backend on 1 thread")
      ->delimiter(',')
      ->check(CLI::IsMember({"cpu1", "cpu", "cuda", "naive"}));
  app.add_option("--repetitions", flags.measure.repetitions,
                 "whole runs per contender; the figures are their median (default 3)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--naive-positions", flags.measure.naive_positions,
                 "positions the naive loop revalues, spread over the book (default 200)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  app.add_option("--threads", flags.measure.cpu_threads,
                 "threads of the cpu contender (default OpenMP's)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--memory-budget", flags.measure.memory_budget_bytes,
                 "memory each backend may use, in bytes (default most of what is free)");
  return xm::bench::parse_and_run(app, argc, argv, "xmargin_bench", [&] { return run(flags); });
}
