#include "measure.hpp"

#include <omp.h>

#include <cstdio>

#include "naive_quantlib.hpp"
#include "stopwatch.hpp"
#include "xmargin/pipeline.hpp"

namespace xm::bench {
namespace {

using json = nlohmann::ordered_json;

json workload_counts(const PreparedRun& prepared) {
  const Book& book = prepared.inputs.book;
  return {{"accounts", book.accounts.size()},
          {"groups", prepared.packed.layout.group_ids.size()},
          {"positions", book.positions.size()},
          {"instruments", book.instruments.size()},
          {"underlyings", prepared.packed.book.underlying_count()},
          {"scenarios", prepared.scenarios.count()},
          {"portfolios", prepared.packed.book.portfolio_count()}};
}

}  // namespace

json measure_backend(const std::string& name, const InputPaths& paths,
                     const MeasureOptions& options) {
  const int threads =
      name == "cpu1" ? 1 : (options.cpu_threads > 0 ? options.cpu_threads : omp_get_max_threads());
  const BackendOptions backend_options{threads, options.memory_budget_bytes};
  Stopwatch init;
  const auto backend = name == "cuda" ? make_backend(BackendKind::cuda, backend_options)
                                      : make_cpu_backend(backend_options);
  json result = {{"name", name}, {"device", backend->device()}, {"init_s", init.seconds()}};
  result["threads"] = name == "cuda" ? json() : json(threads);
  json& repetitions = result["repetitions"] = json::array();
  for (int r = 0; r < options.repetitions; ++r) {
    // Each repetition's book is freed before the next is loaded, so the peak
    // resident set is that of one run.
    Stopwatch total;
    // As `xmargin run` does: the cuda backend draws Monte Carlo scenarios on the device.
    const PreparedRun prepared = prepare_run(paths, {}, name != "cuda");
    Stopwatch in_memory;
    const RunOutcome outcome = run_margins(prepared, *backend, false);
    const double in_memory_s = in_memory.seconds();
    const double end_to_end_s = total.seconds();
    json stages = json::array();
    for (const StageTiming& timing : outcome.info.timings)
      stages.push_back({timing.stage, timing.seconds});
    repetitions.push_back(
        {{"stages", stages}, {"in_memory_s", in_memory_s}, {"end_to_end_s", end_to_end_s}});
    const ChunkPlan& plan = outcome.backend.plan;
    result["plan"] = {{"bytes", plan.bytes},
                      {"portfolio_chunk", plan.portfolio_chunk},
                      {"scenario_chunk", plan.scenario_chunk},
                      {"unit_whole", plan.unit_whole}};
    result["workload"] = workload_counts(prepared);
    std::fprintf(stderr, "  %s, repetition %d/%d: end to end %.3f s, in memory %.3f s\n",
                 name.c_str(), r + 1, options.repetitions, end_to_end_s, in_memory_s);
  }
  return result;
}

json measure_naive(const InputPaths& paths, const MeasureOptions& options) {
  const PreparedRun prepared = prepare_run(paths);
  const std::size_t positions =
      std::min(options.naive_positions, prepared.inputs.book.positions.size());
  json seconds = json::array();
  for (int r = 0; r < options.repetitions; ++r) {
    Stopwatch stopwatch;
    naive_quantlib_pnl(prepared.inputs.book, prepared.scenarios, positions);
    seconds.push_back(stopwatch.seconds());
    std::fprintf(stderr, "  naive, repetition %d/%d: %.3f s\n", r + 1, options.repetitions,
                 seconds.back().get<double>());
  }
  return {{"positions_sampled", positions},
          {"seconds", seconds},
          {"workload", workload_counts(prepared)}};
}

json probe_cuda() {
  const CudaAvailability cuda = cuda_availability();
  if (!cuda.usable) return {{"usable", false}, {"reason", cuda.reason}, {"gpu", nullptr}};
  return {{"usable", true}, {"reason", ""}, {"gpu", make_backend(BackendKind::cuda, {})->device()}};
}

}  // namespace xm::bench
