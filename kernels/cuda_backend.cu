// The CUDA backend: the reference backend's algorithm (host/backends/cpu_backend.cpp)
// on the device, in chunks that fit the device memory budget.
//
//   revalue    unit[i, s] = unit_pnl(i, s)                       revalue.cu
//   aggregate  loss[p, s] = −Σ_e weight[e] · unit[instr[e], s]   aggregate.cu
//   measure    per portfolio: stable sort by loss, then the tail tail_measure.cu
//
// Every (portfolio, scenario) sum runs over the portfolio's CSR row in entry
// order from 0.0, with separately rounded products and sums like the host, and
// the ranking is a stable sort; so the results are the same bytes whatever the
// chunk sizes, and no reduction uses atomics.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "aggregate.cuh"
#include "chunk_plan.cuh"
#include "cuda_check.cuh"
#include "device_buffer.cuh"
#include "device_inputs.cuh"
#include "revalue.cuh"
#include "tail_measure.cuh"
#include "tuning.cuh"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace cuda_detail {
namespace {

using Clock = std::chrono::steady_clock;

// Wall time per stage. Each timed step ends with a synchronisation of the
// stream, so the time is the device's and host reads after it are safe.
class StageClock {
 public:
  enum Stage { transfer, revalue, aggregate, measure, stage_count };

  explicit StageClock(cudaStream_t stream) : stream_(stream) {}

  template <typename Work>
  void time(Stage stage, Work&& work) {
    const auto start = Clock::now();
    work();
    XM_CUDA_TRY(cudaStreamSynchronize(stream_));
    seconds_[stage] += std::chrono::duration<double>(Clock::now() - start).count();
  }

  std::vector<StageTiming> timings() const {
    return {{"transfer", seconds_[transfer]},
            {"revalue", seconds_[revalue]},
            {"aggregate", seconds_[aggregate]},
            {"measure", seconds_[measure]}};
  }

 private:
  cudaStream_t stream_;
  std::array<double, stage_count> seconds_{};
};

// Waits for the stream when a run leaves, normally or by an exception, before
// the run's device buffers are freed and its host vectors go.
class StreamDrain {
 public:
  explicit StreamDrain(cudaStream_t stream) : stream_(stream) {}
  ~StreamDrain() { static_cast<void>(cudaStreamSynchronize(stream_)); }
  StreamDrain(const StreamDrain&) = delete;
  StreamDrain& operator=(const StreamDrain&) = delete;

 private:
  cudaStream_t stream_;
};

// The kernels index the device arrays without bounds checks: a malformed packed
// book is an internal error, caught here on the host rather than as a fault.
void check_inputs(const PackedBook& book, const ScenarioSet& scenarios) {
  const std::size_t underlyings = book.underlying_count();
  const std::size_t instruments = book.instrument_count();
  const std::size_t count = scenarios.count();
  XM_EXPECTS(scenarios.underlying_ids == book.underlying_ids,
             "scenarios not aligned with the book");
  XM_EXPECTS(book.spot.size() == underlyings && book.rate.size() == underlyings &&
                 book.dividend_yield.size() == underlyings,
             "packed book underlying arrays differ in length");
  XM_EXPECTS(book.underlying.size() == instruments && book.years_to_expiry.size() == instruments &&
                 book.vol_annual.size() == instruments && book.base_value.size() == instruments,
             "packed book instrument arrays differ in length");
  XM_EXPECTS(scenarios.vol_moves.size() == underlyings &&
                 scenarios.price_factor.size() == underlyings * count &&
                 scenarios.vol_shift.size() == underlyings * count &&
                 scenarios.horizon_days.size() == count,
             "scenario arrays do not match U underlyings × N scenarios");
  for (const std::int32_t u : book.underlying) {
    XM_EXPECTS(u >= 0 && static_cast<std::size_t>(u) < underlyings,
               "instrument underlying index out of range");
  }
  const std::size_t entries = book.entry_instrument.size();
  XM_EXPECTS(book.entry_weight.size() == entries, "portfolio entry arrays differ in length");
  if (book.row_offsets.empty()) {
    XM_EXPECTS(entries == 0, "portfolio entries without rows");
  } else {
    XM_EXPECTS(book.row_offsets.front() == 0 &&
                   static_cast<std::size_t>(book.row_offsets.back()) == entries,
               "portfolio row offsets do not span the entries");
    for (std::size_t p = 0; p + 1 < book.row_offsets.size(); ++p) {
      XM_EXPECTS(book.row_offsets[p] <= book.row_offsets[p + 1], "portfolio row offsets decrease");
    }
  }
  for (const std::int32_t i : book.entry_instrument) {
    XM_EXPECTS(i >= 0 && static_cast<std::size_t>(i) < instruments,
               "portfolio entry instrument index out of range");
  }
}

std::string describe_device(int device) {
  cudaDeviceProp properties{};
  XM_CUDA_TRY(cudaGetDeviceProperties(&properties, device));
  std::ostringstream text;
  text << properties.name << " (sm_" << properties.major << properties.minor << ", "
       << properties.multiProcessorCount << " SMs, " << std::fixed << std::setprecision(1)
       << static_cast<double>(properties.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0) << " GiB)";
  return text.str();
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const BackendOptions& options)
      : budget_option_(options.device_memory_budget_bytes) {
    XM_CUDA_TRY(cudaGetDevice(&device_));
    int sm_count = 0;
    XM_CUDA_TRY(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, device_));
    max_blocks_ = std::max(sm_count, 1) * cuda_tuning::kMaxBlocksPerSm;
    description_ = describe_device(device_);
    XM_CUDA_TRY(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  }

  ~CudaBackend() override {
    if (stream_ != nullptr) {
      static_cast<void>(cudaSetDevice(device_));
      static_cast<void>(cudaStreamDestroy(stream_));
    }
  }

  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  std::string name() const override { return "cuda"; }
  std::string device() const override { return description_; }

  BackendResult run(const BackendRequest& request) override {
    XM_EXPECTS(request.book != nullptr && request.scenarios != nullptr,
               "backend request without a book or scenarios");
    const PackedBook& book = *request.book;
    const ScenarioSet& scenarios = *request.scenarios;
    check_inputs(book, scenarios);
    const std::size_t count = scenarios.count();
    const std::size_t instruments = book.instrument_count();
    const std::size_t portfolios = book.portfolio_count();
    if (count > static_cast<std::size_t>(INT_MAX)) {
      throw RunError("the cuda backend takes at most " + std::to_string(INT_MAX) +
                     " scenarios, not " + std::to_string(count));
    }

    XM_CUDA_TRY(cudaSetDevice(device_));
    static_cast<void>(cudaGetLastError());  // an earlier, already reported error

    BackendResult result;
    result.risk.assign(portfolios, TailRisk{});
    const std::size_t pnl_rows = std::min(request.pnl_rows, portfolios);
    result.pnl.assign(pnl_rows * count, 0.0);
    StageClock clock(stream_);
    if (portfolios == 0 || count == 0) {  // as the reference: default tails, no P&L columns
      result.timings = clock.timings();
      return result;
    }

    ChunkPlanInputs sizes;
    sizes.budget_bytes = budget_bytes();
    sizes.resident_bytes = DeviceInputs::bytes_needed(book, scenarios);
    sizes.instruments = instruments;
    sizes.portfolios = portfolios;
    sizes.scenarios = count;
    const ChunkPlan plan = plan_chunks(
        sizes, [count](std::size_t rows) { return rank_losses_temp_bytes(rows, count); });
    const std::size_t chunk_rows = plan.portfolio_chunk;
    const std::size_t chunk_columns = plan.scenario_chunk;

    DeviceInputs inputs;
    DeviceBuffer<double> unit(instruments * chunk_columns);
    DeviceBuffer<double> loss(chunk_rows * count), loss_spare(chunk_rows * count);
    DeviceBuffer<std::int32_t> order(chunk_rows * count), order_spare(chunk_rows * count);
    DeviceBuffer<int> row_offsets(chunk_rows + 1);
    DeviceBuffer<TailRisk> risk(chunk_rows);
    DeviceBuffer<unsigned char> rank_temp(plan.rank_temp_bytes);
    std::vector<int> host_row_offsets(chunk_rows + 1);
    for (std::size_t k = 0; k <= chunk_rows; ++k) host_row_offsets[k] = static_cast<int>(k * count);
    const StreamDrain drain(stream_);  // after the buffers: runs before they are freed

    clock.time(StageClock::transfer, [&] {
      inputs = DeviceInputs::upload(book, scenarios, stream_);
      row_offsets.upload(host_row_offsets.data(), host_row_offsets.size(), 0, stream_);
    });
    const InstrumentsView instruments_view = inputs.instruments();
    const UnderlyingsView underlyings_view = inputs.underlyings();
    const ScenariosView scenarios_view = inputs.scenarios();
    const PortfoliosView portfolios_view = inputs.portfolios();
    const bool time_decay = request.settings.time_decay;

    const auto revalue = [&](std::size_t begin, std::size_t end) {
      clock.time(StageClock::revalue, [&] {
        launch_revalue(instruments_view, underlyings_view, scenarios_view, time_decay, {begin, end},
                       unit.data(), max_blocks_, stream_);
      });
    };
    if (plan.unit_whole) revalue(0, count);

    for (std::size_t first = 0; first < portfolios; first += chunk_rows) {
      const std::size_t rows = std::min(chunk_rows, portfolios - first);
      const std::size_t chunk_pnl_rows = pnl_rows > first ? std::min(rows, pnl_rows - first) : 0;

      // The P&L rows go to loss_spare, free until the ranking uses it.
      for (std::size_t begin = 0; begin < count; begin += chunk_columns) {
        const std::size_t end = std::min(count, begin + chunk_columns);
        // Without room for the whole unit matrix, every portfolio chunk reprices
        // the instruments scenario chunk by scenario chunk: the same numbers
        // again, only slower.
        if (!plan.unit_whole) revalue(begin, end);
        AggregateChunk chunk;
        chunk.portfolio_begin = first;
        chunk.portfolio_count = rows;
        chunk.scenario_count = count;
        chunk.scenario_begin = begin;
        chunk.scenario_end = end;
        chunk.pnl_rows = chunk_pnl_rows;
        clock.time(StageClock::aggregate, [&] {
          launch_aggregate(portfolios_view, unit.data(), chunk, loss.data(), order.data(),
                           loss_spare.data(), max_blocks_, stream_);
        });
      }
      if (chunk_pnl_rows > 0) {
        clock.time(StageClock::transfer, [&] {
          loss_spare.download(result.pnl.data() + first * count, chunk_pnl_rows * count, 0,
                              stream_);
        });
      }

      const std::size_t temp_needed = rank_losses_temp_bytes(rows, count);
      if (temp_needed > rank_temp.size()) rank_temp = DeviceBuffer<unsigned char>(temp_needed);
      clock.time(StageClock::measure, [&] {
        const RankedLosses ranked =
            rank_losses(rank_temp.data(), rank_temp.size(), loss.data(), loss_spare.data(),
                        order.data(), order_spare.data(), row_offsets.data(), rows, count, stream_);
        launch_tail_risk(ranked, inputs.weight.data(), rows, count, request.settings.confidence,
                         risk.data(), max_blocks_, stream_);
      });
      clock.time(StageClock::transfer,
                 [&] { risk.download(result.risk.data() + first, rows, 0, stream_); });
    }

    result.timings = clock.timings();
    return result;
  }

 private:
  std::size_t budget_option_ = 0;
  int device_ = 0;
  int max_blocks_ = 1;
  std::string description_;
  cudaStream_t stream_ = nullptr;

  // The caller's budget, but never more than the usable share of what is free
  // now; with no budget set, that share.
  std::size_t budget_bytes() const {
    std::size_t free_bytes = 0, total_bytes = 0;
    XM_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes));
    const auto usable = static_cast<std::size_t>(static_cast<double>(free_bytes) *
                                                 cuda_tuning::kFreeMemoryFraction);
    return budget_option_ != 0 ? std::min(budget_option_, usable) : usable;
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

}  // namespace xm
