#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/tail_measure.hpp"

namespace xm {

struct RiskSettings {
  double confidence = 0.99;
  bool time_decay = true;
};

// One backend run: revalue every instrument under every scenario, aggregate the
// portfolios, take each portfolio's tail. The scenario set's underlyings must be
// aligned with the book's (same ids, same order).
struct BackendRequest {
  const PackedBook* book = nullptr;
  const ScenarioSet* scenarios = nullptr;
  RiskSettings settings;
  // Also return the P&L vectors of portfolios [0, pnl_rows) (the accounts, for --pnl).
  std::size_t pnl_rows = 0;
};

struct StageTiming {
  std::string stage;
  double seconds = 0.0;
};

struct BackendResult {
  std::vector<TailRisk> risk;  // [P]
  std::vector<double> pnl;     // [pnl_rows × N], row-major
  std::vector<StageTiming> timings;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;    // "cpu" or "cuda"
  virtual std::string device() const = 0;  // the processor or GPU, in words
  virtual BackendResult run(const BackendRequest& request) = 0;
};

enum class BackendKind { automatic, cpu, cuda };

struct BackendOptions {
  int cpu_threads = 0;  // 0: OpenMP's default
  // Device memory the CUDA backend may use; 0 means most of what is free. Small
  // values force chunking (used by the tests).
  std::size_t device_memory_budget_bytes = 0;
};

// automatic: cuda when built and a device is present, else cpu.
// cuda when unavailable: RunError naming why.
std::unique_ptr<Backend> make_backend(BackendKind kind, const BackendOptions& options);
std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options);
bool cuda_backend_built();
// Number of usable CUDA devices (0 when not built, no driver, or no device).
int cuda_device_count();

#if defined(XM_HAVE_CUDA)
// Implemented in kernels/cuda_backend.cu.
std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options);
int cuda_runtime_device_count();
#endif

}  // namespace xm
