// Margin-run throughput on a book (default: the embedded sample), in one run:
//   cuda backend (when a device is present) vs cpu backend vs a naive
//   per-position QuantLib loop. Prints the workload, the machine, and the ratios.
//
//   build/bench/xmargin_bench [--dir BOOK_DIR] [--naive-positions N] [benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "naive_quantlib.hpp"
#include "xmargin/pipeline.hpp"

namespace {

std::string g_dir = XM_SAMPLE_DIR;
std::size_t g_naive_positions = 200;
const xm::PreparedRun* g_run = nullptr;

// Position-scenario revaluations a benchmark iteration stands for.
double position_scenarios(std::size_t positions) {
  return static_cast<double>(positions) * static_cast<double>(g_run->scenarios.count());
}

// A whole margin run (revalue, aggregate, measure, margin rows) on one backend.
void run_backend(benchmark::State& state, xm::BackendKind kind, int cpu_threads = 0) {
  xm::BackendOptions options;
  options.cpu_threads = cpu_threads;
  const auto backend = xm::make_backend(kind, options);
  for (auto _ : state) benchmark::DoNotOptimize(xm::run_margins(*g_run, *backend, false));
  state.counters["pos_scen_per_s"] =
      benchmark::Counter(position_scenarios(g_run->inputs.book.positions.size()),
                         benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(backend->device());
}

void BM_CudaBackend(benchmark::State& state) {
  if (xm::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  run_backend(state, xm::BackendKind::cuda);
}

void BM_CpuBackend(benchmark::State& state) {
  run_backend(state, xm::BackendKind::cpu);
}

// One thread, to compare like for like with the single-threaded naive loop.
void BM_CpuBackendOneThread(benchmark::State& state) {
  run_backend(state, xm::BackendKind::cpu, 1);
}

void BM_NaiveQuantLib(benchmark::State& state) {
  const std::size_t positions = std::min(g_naive_positions, g_run->inputs.book.positions.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        xm::bench::naive_quantlib_pnl(g_run->inputs.book, g_run->scenarios, positions));
  }
  state.counters["pos_scen_per_s"] = benchmark::Counter(
      position_scenarios(positions), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("1 thread, " + std::to_string(positions) + " positions spread over the book");
}

BENCHMARK(BM_CudaBackend)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_CpuBackend)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_CpuBackendOneThread)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_NaiveQuantLib)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// The console table, then the ratios of the throughputs measured in this run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const auto counter = run.counters.find("pos_scen_per_s");
      if (counter != run.counters.end()) rates_[run.benchmark_name()] = counter->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const double cuda = rate("BM_CudaBackend/"), cpu = rate("BM_CpuBackend/"),
                 cpu_one = rate("BM_CpuBackendOneThread/"), naive = rate("BM_NaiveQuantLib/");
    std::printf(
        "\nthroughput, position-scenarios per second (whole margin run for the backends):\n");
    std::printf("  cuda backend              %12.4g\n", cuda);
    std::printf("  cpu backend               %12.4g\n", cpu);
    std::printf("  cpu backend, 1 thread     %12.4g\n", cpu_one);
    std::printf("  naive QuantLib, 1 thread  %12.4g\n", naive);
    if (cuda > 0 && cpu > 0) std::printf("  cuda / cpu                %12.1fx\n", cuda / cpu);
    if (cpu_one > 0 && naive > 0) {
      std::printf("  cpu 1 thread / naive      %12.1fx\n", cpu_one / naive);
    }
  }

 private:
  std::map<std::string, double> rates_;
  double rate(const std::string& prefix) const {
    for (const auto& [name, value] : rates_)
      if (name.rfind(prefix, 0) == 0) return value;
    return 0.0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      g_dir = argv[++i];
    } else if (std::strcmp(argv[i], "--naive-positions") == 0 && i + 1 < argc) {
      g_naive_positions = std::stoul(argv[++i]);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  xm::InputPaths paths{g_dir + "/market.json",
                       g_dir + "/instruments.csv",
                       g_dir + "/positions.csv",
                       g_dir + "/accounts.csv",
                       g_dir + "/history.csv",
                       g_dir + "/config.json",
                       ""};
  const xm::PreparedRun run = xm::prepare_run(paths);
  g_run = &run;
  std::printf("workload: %s: %zu accounts, %zu positions, %zu instruments, %zu scenarios\n",
              g_dir.c_str(), run.inputs.book.accounts.size(), run.inputs.book.positions.size(),
              run.inputs.book.instruments.size(), run.scenarios.count());
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
