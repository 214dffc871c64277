#pragma once
// The measurements, each meant to run in its own child process (see
// child_process.hpp). They return raw figures, one entry per repetition;
// report.hpp derives medians, throughputs and ratios from them.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "host_info.hpp"  // describe_host
#include "xmargin/inputs.hpp"

namespace xm::bench {

struct MeasureOptions {
  int repetitions = 3;
  int cpu_threads = 0;  // the "cpu" contender; 0: OpenMP's default ("cpu1" always has 1)
  std::size_t memory_budget_bytes = 0;
  std::size_t naive_positions = 200;
};

// The backends measured: "cpu1" (cpu backend on 1 thread), "cpu", "cuda".
// Each repetition is a whole run from the files, as `xmargin run` does it:
// prepare_run (load, pack, scenarios; Monte Carlo ones left to the device for
// cuda), then run_margins (backend run, margin rows); the backend is made once, before them (its
// "init_s": for cuda, the device context). Returns {name, device, threads, init_s, plan, workload,
// repetitions: [{stages: [[stage, s]…], in_memory_s, end_to_end_s}…]}.
nlohmann::ordered_json measure_backend(const std::string& name, const InputPaths& paths,
                                       const MeasureOptions& options);

// The naive QuantLib loop on 1 thread over options.naive_positions positions
// spread over the book. Returns {positions_sampled, seconds: […], workload}.
nlohmann::ordered_json measure_naive(const InputPaths& paths, const MeasureOptions& options);

// Whether the cuda backend can run here and, if so, the GPU in words:
// {usable, reason, gpu}.
nlohmann::ordered_json probe_cuda();

}  // namespace xm::bench
