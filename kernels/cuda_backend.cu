// The CUDA backend: the chunk loop every backend shares
// (include/xmargin/kernel/chunk_loop.hpp) with each step a kernel launch.
//
//   revalue  unit[i, s] = unit_pnl(i, s) for a tile of scenarios      revalue.cu
//   select   per portfolio, P&L of each scenario of the tile summed   select.cu
//            over its positions and merged into its ranked top-k list
//   tail     VaR and ES of each portfolio from its list               tail.cu
//
// The kernel bodies are host-device functions in include/xmargin/kernel/, run
// on the host by the emulated backend that the tests compare with the cpu
// backend bit for bit. Memory comes from one pool per run, planned against the
// budget; the accounts' P&L rows (--pnl) go back through pinned buffers on a
// second stream while the next tile computes.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <array>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cuda_check.cuh"
#include "device_inputs.cuh"
#include "device_pool.cuh"
#include "launches.cuh"
#include "stage_events.cuh"
#include "tuning.cuh"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"
#include "xmargin/kernel/chunk_loop.hpp"
#include "xmargin/kernel/device_plan.hpp"
#include "xmargin/tail_ranks.hpp"

#if !defined(XM_CUDA_ARCHITECTURES)
#define XM_CUDA_ARCHITECTURES "unknown"
#endif

namespace xm {
namespace cuda_detail {
namespace {

std::string describe_device(int device) {
  cudaDeviceProp properties{};
  XM_CUDA_TRY(cudaGetDeviceProperties(&properties, device));
  std::ostringstream text;
  text << properties.name << " (sm_" << properties.major << properties.minor << ", "
       << properties.multiProcessorCount << " SMs, " << std::fixed << std::setprecision(1)
       << static_cast<double>(properties.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0) << " GiB)";
  return text.str();
}

// An owned stream and the events that order the P&L copies against it.
class Stream {
 public:
  Stream() { XM_CUDA_TRY(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  ~Stream() {
    if (stream_ != nullptr) static_cast<void>(cudaStreamDestroy(stream_));
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

class Event {
 public:
  Event() { XM_CUDA_TRY(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~Event() {
    if (event_ != nullptr) static_cast<void>(cudaEventDestroy(event_));
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// What the backend keeps between runs: streams, the pools, the kernel grids.
struct DeviceContext {
  int device = 0;
  KernelGrids grids;
  std::string description;
  Stream compute, copy;
  DevicePool pool;
  std::array<PinnedBuffer, 2> pinned;
};

// Runs each step of the chunk loop on the device. Every launch goes to the
// compute stream in loop order; the only host waits are for a pinned P&L
// buffer about to be reused and at the end of the run.
class CudaExecutor {
 public:
  CudaExecutor(DeviceContext& context, const BackendRequest& request, const ChunkPlan& plan,
               std::size_t ranks, BackendResult& result, StageEvents& events)
      : context_(context),
        request_(request),
        result_(result),
        events_(events),
        count_(request.scenarios->count()),
        pnl_rows_(std::min(request.pnl_rows, request.book->portfolio_count())) {
    const PackedBook& book = *request.book;
    const cudaStream_t compute = context.compute.get();
    events_.time(StageEvents::upload, compute, [&] {
      inputs_ = DeviceInputs::upload(context.pool, book, *request.scenarios, compute);
    });
    if (inputs_.has_monte_carlo) {
      events_.time(StageEvents::draw, compute, [&] {
        launch_monte_carlo(
            inputs_.monte_carlo_seed,
            inputs_.monte_carlo_scale.scale != nullptr ? &inputs_.monte_carlo_scale : nullptr,
            inputs_.monte_carlo_moves, inputs_.monte_carlo_normals, context.grids.revalue, compute);
      });
    }
    unit_ = context.pool.carve<double>(book.instrument_count() * plan.scenario_chunk);
    state_.k = ranks;
    for (int b = 0; b < 2; ++b) {
      state_.loss[b] = context.pool.carve<double>(plan.portfolio_chunk * ranks);
      state_.scenario[b] = context.pool.carve<std::int32_t>(plan.portfolio_chunk * ranks);
    }
    state_.current = context.pool.carve<std::uint8_t>(plan.portfolio_chunk);
    tails_ = context.pool.carve<TailRisk>(plan.portfolio_chunk);
    for (int b = 0; b < 2; ++b) {
      pnl_device_[b] = context.pool.carve<double>(pnl_rows_ * plan.scenario_chunk);
      if (pnl_rows_ > 0) pnl_host_[b] = context.pinned[b].reserve(pnl_rows_ * plan.scenario_chunk);
    }
  }

  void revalue(std::size_t begin, std::size_t end) {
    const kernel::RevalueLaunch launch{inputs_.instruments,
                                       inputs_.underlyings,
                                       inputs_.scenarios,
                                       request_.settings.time_decay,
                                       begin,
                                       end,
                                       unit_,
                                       inputs_.first_non_finite};
    events_.time(StageEvents::revalue, context_.compute.get(),
                 [&] { launch_revalue(launch, context_.grids.revalue, context_.compute.get()); });
  }

  void select(std::size_t first, std::size_t rows, std::size_t begin, std::size_t end,
              std::size_t seen) {
    const int b = parity_;
    parity_ ^= 1;
    const cudaStream_t compute = context_.compute.get();
    const bool copies_pnl = first < pnl_rows_;
    // The device P&L buffer of this parity is free once its last copy is done.
    if (copies_pnl && pending_[b].active) {
      XM_CUDA_TRY(cudaStreamWaitEvent(compute, copied_[b].get(), 0));
    }
    const kernel::SelectLaunch launch{inputs_.portfolios,
                                      unit_,
                                      begin,
                                      end,
                                      count_,
                                      first,
                                      rows,
                                      seen,
                                      state_,
                                      pnl_device_[b],
                                      pnl_rows_,
                                      inputs_.first_non_finite + 1};
    events_.time(StageEvents::select, compute,
                 [&] { launch_select(launch, context_.grids.select, compute); });
    if (copies_pnl) copy_pnl_rows(b, first, std::min(first + rows, pnl_rows_), begin, end);
  }

  // Progress is reported only on a terminal, so only then does the host wait
  // for each step.
  void finish_step() { XM_CUDA_TRY(cudaStreamSynchronize(context_.compute.get())); }

  void tail(std::size_t first, std::size_t rows) {
    const std::size_t listed = std::min(state_.k, count_);
    const cudaStream_t compute = context_.compute.get();
    events_.time(StageEvents::tail, compute, [&] {
      launch_tail(state_, rows, listed, inputs_.weight, request_.settings.confidence, tails_,
                  context_.grids.tail, compute);
    });
    events_.time(StageEvents::download, compute, [&] {
      XM_CUDA_TRY(cudaMemcpyAsync(result_.risk.data() + first, tails_, rows * sizeof(TailRisk),
                                  cudaMemcpyDeviceToHost, compute));
    });
    // The next portfolio chunk overwrites the tails: wait for this copy (the
    // result vector is pageable memory, so the copy is not truly asynchronous).
    XM_CUDA_TRY(cudaStreamSynchronize(compute));
  }

  // Waits for every copy, moves the last P&L rows, and throws
  // MonteCarloOutOfBounds for a draw out of bounds, else NonFiniteValue for the
  // first non-finite P&L (the instruments' before the portfolios').
  void finish() {
    XM_CUDA_TRY(cudaStreamSynchronize(context_.compute.get()));
    XM_CUDA_TRY(cudaStreamSynchronize(context_.copy.get()));
    for (int b = 0; b < 2; ++b) drain(b);
    unsigned long long first_bad[3] = {0, 0, 0};
    XM_CUDA_TRY(
        cudaMemcpy(first_bad, inputs_.first_non_finite, sizeof(first_bad), cudaMemcpyDeviceToHost));
    // A draw out of bounds explains any non-finite P&L it caused.
    if (first_bad[2] != kernel::kNoNonFinite) throw MonteCarloOutOfBounds(first_bad[2]);
    for (int which = 0; which < 2; ++which) {
      if (first_bad[which] != kernel::kNoNonFinite) {
        throw NonFiniteValue(which == 1, first_bad[which] / count_, first_bad[which] % count_);
      }
    }
  }

 private:
  // A copy of P&L rows [row_begin, row_end) × the tile's columns into pinned
  // memory, not yet moved into the result.
  struct PendingCopy {
    bool active = false;
    std::size_t row_begin = 0, row_end = 0, begin = 0, end = 0;
  };

  DeviceContext& context_;
  const BackendRequest& request_;
  BackendResult& result_;
  StageEvents& events_;
  std::size_t count_;
  std::size_t pnl_rows_;
  DeviceInputs inputs_;
  double* unit_ = nullptr;
  kernel::TopKView state_{};
  TailRisk* tails_ = nullptr;
  std::array<double*, 2> pnl_device_{};
  std::array<double*, 2> pnl_host_{};
  std::array<Event, 2> selected_, copied_;
  std::array<PendingCopy, 2> pending_;
  int parity_ = 0;

  void copy_pnl_rows(int b, std::size_t row_begin, std::size_t row_end, std::size_t begin,
                     std::size_t end) {
    drain(b);  // the pinned buffer of this parity is about to be refilled
    const std::size_t width = end - begin;
    const cudaStream_t copy = context_.copy.get();
    XM_CUDA_TRY(cudaEventRecord(selected_[b].get(), context_.compute.get()));
    XM_CUDA_TRY(cudaStreamWaitEvent(copy, selected_[b].get(), 0));
    events_.time(StageEvents::download, copy, [&] {
      XM_CUDA_TRY(cudaMemcpyAsync(
          pnl_host_[b] + row_begin * width, pnl_device_[b] + row_begin * width,
          (row_end - row_begin) * width * sizeof(double), cudaMemcpyDeviceToHost, copy));
    });
    XM_CUDA_TRY(cudaEventRecord(copied_[b].get(), copy));
    pending_[b] = {true, row_begin, row_end, begin, end};
  }

  // Moves a finished copy from pinned memory into the result's rows.
  void drain(int b) {
    PendingCopy& copy = pending_[b];
    if (!copy.active) return;
    XM_CUDA_TRY(cudaEventSynchronize(copied_[b].get()));
    const std::size_t width = copy.end - copy.begin;
    for (std::size_t p = copy.row_begin; p < copy.row_end; ++p) {
      std::copy_n(pnl_host_[b] + p * width, width,
                  result_.pnl.begin() + static_cast<std::ptrdiff_t>(p * count_ + copy.begin));
    }
    copy.active = false;
  }
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const BackendOptions& options)
      : budget_option_(options.memory_budget_bytes), context_(std::make_unique<DeviceContext>()) {
    XM_CUDA_TRY(cudaGetDevice(&context_->device));
    int sm_count = 0;
    XM_CUDA_TRY(
        cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, context_->device));
    context_->grids = kernel_grids(sm_count);
    context_->description = describe_device(context_->device);
  }

  std::string name() const override { return "cuda"; }
  std::string device() const override { return context_->description; }

  BackendResult run(const BackendRequest& request) override {
    BackendResult result = empty_backend_result(request);
    const PackedBook& book = *request.book;
    const ScenarioSet& scenarios = *request.scenarios;
    const std::size_t count = scenarios.count();
    const std::size_t portfolios = book.portfolio_count();
    if (count > static_cast<std::size_t>(INT32_MAX)) {
      throw RunError("the cuda backend takes at most " + std::to_string(INT32_MAX) +
                     " scenarios, not " + std::to_string(count));
    }
    XM_CUDA_TRY(cudaSetDevice(context_->device));

    const std::size_t pnl_rows = std::min(request.pnl_rows, portfolios);
    if (portfolios == 0 || count == 0) return result;

    const std::size_t ranks = tail_ranks_needed(scenarios.weight, request.settings.confidence);
    const bool given = budget_option_ != 0;
    result.plan =
        plan_chunks(given ? std::min(budget_option_, usable_bytes()) : usable_bytes(), given,
                    portfolios, count, kernel::device_chunk_costs(book, scenarios, ranks, pnl_rows),
                    given ? "--memory-budget" : "free device memory");
    context_->pool.reserve(result.plan.bytes);
    StageEvents events;
    {
      CudaExecutor executor(*context_, request, result.plan, ranks, result, events);
      kernel::walk_chunks(executor, result.plan, portfolios, count, request.progress);
      executor.finish();
    }
    result.timings = events.timings();
    return result;
  }

  StressResult stress(const StressRequest& request) override {
    XM_EXPECTS(request.book != nullptr && request.stress != nullptr && request.rows != nullptr,
               "stress request incomplete");
    XM_CUDA_TRY(cudaSetDevice(context_->device));
    ChunkCosts costs;  // one tile: the plan only checks the bytes against the budget
    costs.fixed = kernel::stress_device_bytes(*request.book, *request.stress);
    const bool given = budget_option_ != 0;
    const ChunkPlan plan =
        plan_chunks(given ? std::min(budget_option_, usable_bytes()) : usable_bytes(), given, 1, 1,
                    costs, given ? "--memory-budget, stress scenarios" : "free device memory");
    context_->pool.reserve(plan.bytes);
    StageEvents events;
    return run_stress_on_device(context_->pool, request, context_->grids.revalue,
                                context_->compute.get(), events);
  }

 private:
  std::size_t budget_option_;
  std::unique_ptr<DeviceContext> context_;

  // The usable share of the device memory free now, plus what the pool holds.
  std::size_t usable_bytes() const {
    std::size_t free_bytes = 0, total_bytes = 0;
    XM_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes));
    return static_cast<std::size_t>(static_cast<double>(free_bytes) *
                                    cuda_tuning::kFreeMemoryFraction) +
           context_->pool.capacity();
  }
};

}  // namespace
}  // namespace cuda_detail

std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options) {
  return std::make_unique<cuda_detail::CudaBackend>(options);
}

int cuda_runtime_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    static_cast<void>(cudaGetLastError());  // no driver or no device: not an error here
    return 0;
  }
  return count;
}

CudaAvailability cuda_runtime_availability() {
  if (cuda_runtime_device_count() == 0) {
    return {false, "no CUDA device is available (no GPU or no driver)"};
  }
  const cudaError_t image = cuda_detail::probe_kernel_image();
  if (image == cudaSuccess) return {true, {}};
  static_cast<void>(cudaGetLastError());
  int device = 0;
  static_cast<void>(cudaGetDevice(&device));
  std::string name = "the CUDA device";
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, device) == cudaSuccess) {
    name = std::string(properties.name) + " (sm_" + std::to_string(properties.major) +
           std::to_string(properties.minor) + ")";
  }
  return {false, name + " cannot run this binary's kernels (" + cudaGetErrorName(image) +
                     "): it was built for CUDA architectures " XM_CUDA_ARCHITECTURES};
}

}  // namespace xm
