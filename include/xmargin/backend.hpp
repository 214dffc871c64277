#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "xmargin/chunk_plan.hpp"
#include "xmargin/config.hpp"
#include "xmargin/error.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/stress.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm {

struct RiskSettings {
  double confidence = 0.99;
  bool time_decay = true;
};

inline RiskSettings risk_settings(const Config& config) {
  return RiskSettings{config.confidence, config.time_decay};
}

// One backend run: revalue every instrument under every scenario, aggregate the
// portfolios, take each portfolio's tail. The scenario set's underlyings must be
// aligned with the book's (same ids, same order).
struct BackendRequest {
  const PackedBook* book = nullptr;
  const ScenarioSet* scenarios = nullptr;
  RiskSettings settings;
  // Also return the P&L vectors of portfolios [0, pnl_rows) (the accounts, for --pnl).
  std::size_t pnl_rows = 0;
  // Called after each chunk with the share of the run done, in [0, 1].
  std::function<void(double)> progress;
};

struct StageTiming {
  std::string stage;
  double seconds = 0.0;
};

struct BackendResult {
  std::vector<TailRisk> risk;  // [P]
  std::vector<double> pnl;     // [pnl_rows × N], row-major
  std::vector<StageTiming> timings;
  ChunkPlan plan;  // how the run was cut to fit its memory budget
};

// The stress charges of every portfolio (SPEC §5.3): the stress scenarios
// revalued by the same kernels as any scenario, then reduced per kind
// (include/xmargin/kernel/stress_rows.hpp) instead of ranked.
//
// The reduction walks each underlying's positions as one run, so it takes the
// book's rows with each row's entries stably sorted by underlying (so by
// (underlying, instrument)), made once on the host by stress_rows_by_underlying.
struct StressRows {
  std::vector<std::int32_t> entry_instrument;
  std::vector<double> entry_weight;
};
StressRows stress_rows_by_underlying(const PackedBook& book);

struct StressRequest {
  const PackedBook* book = nullptr;
  const StressSet* stress = nullptr;
  const StressRows* rows = nullptr;  // stress_rows_by_underlying(*book)
  RiskSettings settings;
};

struct StressResult {
  std::vector<double> charges;  // [P × kStressKinds], StressKind order; 0 for a kind not configured
  std::vector<StageTiming> timings;
};

// A P&L that is not a finite number: the run stops and writes nothing.
// `portfolio` false: unit P&L of instrument `index`; true: P&L of portfolio row
// `index`. It is the first such value in (index, scenario) order, whatever the
// chunking or thread count.
class NonFiniteValue : public RunError {
 public:
  NonFiniteValue(bool portfolio, std::size_t index, std::size_t scenario)
      : RunError(std::string("non-finite P&L of ") +
                 (portfolio ? "portfolio row " : "instrument ") + std::to_string(index) +
                 " in scenario " + std::to_string(scenario)),
        portfolio_(portfolio),
        index_(index),
        scenario_(scenario) {}
  bool portfolio() const { return portfolio_; }
  std::size_t index() const { return index_; }
  std::size_t scenario() const { return scenario_; }

 private:
  bool portfolio_;
  std::size_t index_;
  std::size_t scenario_;
};

// Monte Carlo draws made by a backend itself (the cuda backend's, and their
// emulation) with a move outside the bounds of every scenario
// (xmargin/scenario_bounds.hpp): `draw` is the lowest such draw. The pipeline
// draws the set on the host to name the move at its config key (an InputError).
class MonteCarloOutOfBounds : public RunError {
 public:
  explicit MonteCarloOutOfBounds(std::size_t draw)
      : RunError("Monte Carlo draw " + std::to_string(draw) + " moves out of bounds"),
        draw_(draw) {}
  std::size_t draw() const { return draw_; }

 private:
  std::size_t draw_;
};

// What every backend's run starts from, after checking the request: a default
// tail per portfolio and the requested P&L rows at zero (also the whole result
// when there are no portfolios or no scenarios).
inline BackendResult empty_backend_result(const BackendRequest& request) {
  XM_EXPECTS(request.book != nullptr && request.scenarios != nullptr,
             "backend request without a book or scenarios");
  XM_EXPECTS(request.scenarios->underlying_ids == request.book->underlying_ids,
             "scenarios not aligned with the book");
  const std::size_t portfolios = request.book->portfolio_count();
  BackendResult result;
  result.risk.assign(portfolios, TailRisk{});
  result.pnl.assign(std::min(request.pnl_rows, portfolios) * request.scenarios->count(), 0.0);
  return result;
}

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;    // "cpu" or "cuda"
  virtual std::string device() const = 0;  // the processor or GPU, in words
  virtual BackendResult run(const BackendRequest& request) = 0;
  virtual StressResult stress(const StressRequest& request) = 0;
};

enum class BackendKind { automatic, cpu, cuda };

struct BackendOptions {
  int cpu_threads = 0;  // 0: OpenMP's default
  // Memory the backend may allocate for a run (host memory for cpu, device
  // memory for cuda); 0 means most of what is free. Both backends cut the run
  // into chunks that fit; the results do not depend on the chunking.
  std::size_t memory_budget_bytes = 0;
};

// automatic: cuda when it is usable (see cuda_availability), else cpu; the
// reason for cpu goes to `note` when given. cuda when unusable: RunError naming
// the device and the architectures built.
std::unique_ptr<Backend> make_backend(BackendKind kind, const BackendOptions& options,
                                      std::string* note = nullptr);
std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options);
// The CUDA backend's kernels run on the host, one block and thread at a time,
// through the same kernel bodies and chunk loop (tests: it must equal the cpu
// backend bit for bit). `grid_blocks` is the emulated grid.
std::unique_ptr<Backend> make_emulated_cuda_backend(const BackendOptions& options,
                                                    int grid_blocks = 5);
bool cuda_backend_built();

// Whether the cuda backend can run here: built, a device present, and the
// binary carrying code (SASS or PTX) the device can run. `reason` says why not.
struct CudaAvailability {
  bool usable = false;
  std::string reason;
};
CudaAvailability cuda_availability();
// Number of CUDA devices (0 when not built, no driver, or no device). Tests
// skip their cuda cases on this alone.
int cuda_device_count();

#if defined(XM_HAVE_CUDA)
// Implemented in kernels/cuda_backend.cu.
std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options);
int cuda_runtime_device_count();
CudaAvailability cuda_runtime_availability();
// The set's Monte Carlo draws made on the device as the cuda backend makes
// them, copied back (and the device's normals, when asked): for checking the
// device generator against the host's (tests/scenarios/test_device_draws.cpp).
ScenarioSet cuda_draw_monte_carlo(const ScenarioSet& scenarios, std::vector<double>* normals);
#endif

}  // namespace xm
