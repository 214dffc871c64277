// The CUDA backend with its kernels run on the host: the same chunk plan, the
// same chunk loop and the same kernel bodies (include/xmargin/kernel/), each
// launch a loop over the blocks of its grid and the threads of each block, in
// the order a grid-stride kernel gives them work. A phase separated by a block
// barrier on the device runs for every thread of the block before the next
// phase starts. Only the launches and the memory copies of kernels/ are left
// out, so a test that this backend equals the cpu backend bit for bit checks
// everything of the device path that a host can.
#include <algorithm>
#include <array>
#include <optional>

#include "backends/stress_host.hpp"
#include "backends/views_of.hpp"
#include "scenarios/philox_normals.hpp"
#include "stopwatch.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/kernel/chunk_loop.hpp"
#include "xmargin/kernel/device_plan.hpp"
#include "xmargin/kernel/monte_carlo_tile.hpp"
#include "xmargin/kernel/revalue_tile.hpp"
#include "xmargin/kernel/select_tile.hpp"
#include "xmargin/kernel/top_k.hpp"
#include "xmargin/tail_ranks.hpp"

namespace xm {
namespace {

// A block's phases, one thread after another (see select_row).
struct HostBlock {
  int threads;
  template <typename Phase>
  int count(Phase&& phase) {
    int n = 0;
    for (int t = 0; t < threads; ++t) n += phase(t) ? 1 : 0;
    return n;
  }
  template <typename Phase>
  void each(Phase&& phase) {
    for (int t = 0; t < threads; ++t) phase(t);
  }
  template <typename Work>
  void first(Work&& work) {
    work();
  }
};

// Items [0, items) of a grid-stride kernel of `grid` blocks of `threads`.
template <typename Item>
void emulate_grid_stride(std::size_t items, int grid, int threads, Item&& item) {
  const std::size_t stride = static_cast<std::size_t>(grid) * static_cast<std::size_t>(threads);
  for (int b = 0; b < grid; ++b) {
    for (int t = 0; t < threads; ++t) {
      const std::size_t start = static_cast<std::size_t>(b) * static_cast<std::size_t>(threads) +
                                static_cast<std::size_t>(t);
      for (std::size_t i = start; i < items; i += stride) item(i);
    }
  }
}

// The device's Monte Carlo draws (kernels/monte_carlo.cu) into a copy of the
// set: the vol columns zeroed as the upload does, the normals from the host's
// Philox stream (PhiloxNormals) in place of the device's Philox kernel (the one
// step that is the device's alone), then the scale and moves kernels' items. A
// move out of bounds is MonteCarloOutOfBounds, as the device run reports it.
ScenarioSet draw_monte_carlo_as_the_device(const ScenarioSet& scenarios, int grid) {
  ScenarioSet drawn = scenarios;
  const MonteCarloDraws& mc = *drawn.monte_carlo;
  const std::size_t n = drawn.count();
  // The upload zeroes the draws' columns of the vol and tenor shifts.
  const auto zero_columns = [&](std::vector<double>& shocks, std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r) {
      std::fill_n(shocks.begin() + static_cast<std::ptrdiff_t>(r * n + mc.first), mc.count, 0.0);
    }
  };
  zero_columns(drawn.vol_shift, drawn.underlying_count());
  zero_columns(drawn.tenor_shift, drawn.tenor_days.size());
  std::vector<double> normals(mc.count * mc.normals_per_scenario);
  PhiloxNormals(mc.seed).next(normals.data(), normals.size());
  std::vector<double> scale(mc.student_t ? mc.count : 0);
  unsigned long long first_out_of_bounds = kernel::kNoNonFinite;
  const kernel::McScaleLaunch scale_launch{normals.data(),          mc.count, mc.factors,
                                           mc.normals_per_scenario, mc.nu,    scale.data()};
  if (mc.student_t) {
    emulate_grid_stride(mc.count, grid, kernel::kMonteCarloThreads,
                        [&](std::size_t draw) { kernel::mc_scale_item(scale_launch, draw); });
  }
  const kernel::McMovesLaunch moves{
      mc.root.data(),
      mc.factors,
      mc.normals_per_scenario,
      normals.data(),
      mc.student_t ? scale.data() : nullptr,
      mc.factor_underlying.data(),
      mc.factor_target.data(),
      mc.first,
      mc.count,
      n,
      drawn.price_factor.data(),
      drawn.vol_shift.data(),
      drawn.tenor_offsets.empty() ? nullptr : drawn.tenor_offsets.data(),
      drawn.tenor_shift.data(),
      &first_out_of_bounds};
  emulate_grid_stride(moves.items(), grid, kernel::kMonteCarloThreads,
                      [&](std::size_t item) { kernel::mc_moves_item(moves, item); });
  if (first_out_of_bounds != kernel::kNoNonFinite) throw MonteCarloOutOfBounds(first_out_of_bounds);
  drawn.monte_carlo.reset();  // now plain shocks
  return drawn;
}

class EmulatedExecutor {
 public:
  EmulatedExecutor(const BackendRequest& request, const ChunkPlan& plan, std::size_t ranks,
                   int grid, BackendResult& result)
      : book_(*request.book),
        scenarios_(*request.scenarios),
        request_(request),
        grid_(grid),
        result_(result),
        pnl_rows_(std::min(request.pnl_rows, book_.portfolio_count())),
        unit_(book_.instrument_count() * plan.scenario_chunk),
        current_(plan.portfolio_chunk),
        tails_(plan.portfolio_chunk),
        pnl_(pnl_rows_ * plan.scenario_chunk) {
    for (int b = 0; b < 2; ++b) {
      list_loss_[b].resize(plan.portfolio_chunk * ranks);
      list_scenario_[b].resize(plan.portfolio_chunk * ranks);
    }
    state_.k = ranks;
    for (int b = 0; b < 2; ++b) {
      state_.loss[b] = list_loss_[b].data();
      state_.scenario[b] = list_scenario_[b].data();
    }
    state_.current = current_.data();
  }

  void revalue(std::size_t begin, std::size_t end) {
    const kernel::RevalueLaunch launch{instruments_view_of(book_),
                                       underlyings_view_of(book_),
                                       scenarios_view_of(scenarios_),
                                       request_.settings.time_decay,
                                       begin,
                                       end,
                                       unit_.data(),
                                       &first_bad_[0]};
    emulate_grid_stride(launch.items(), grid_, kernel::kRevalueThreads,
                        [&](std::size_t item) { kernel::revalue_item(launch, item); });
  }

  void select(std::size_t first, std::size_t rows, std::size_t begin, std::size_t end,
              std::size_t seen) {
    const PortfoliosView portfolios{book_.portfolio_count(), book_.row_offsets.data(),
                                    book_.entry_instrument.data(), book_.entry_weight.data()};
    const kernel::SelectLaunch launch{portfolios, unit_.data(),  begin, end,    scenarios_.count(),
                                      first,      rows,          seen,  state_, pnl_.data(),
                                      pnl_rows_,  &first_bad_[1]};
    HostBlock block{kernel::kSelectThreads};
    kernel::SelectShared<kernel::kSelectThreads> shared{};
    for (int b = 0; b < grid_; ++b) {
      for (std::size_t row = static_cast<std::size_t>(b); row < rows;
           row += static_cast<std::size_t>(grid_)) {
        kernel::select_row(launch, row, block, shared);
      }
    }
    // The download of the P&L rows: [pnl_rows × width] into the result's columns.
    const std::size_t width = end - begin, count = scenarios_.count();
    for (std::size_t p = first; p < std::min(first + rows, pnl_rows_); ++p) {
      std::copy_n(pnl_.begin() + static_cast<std::ptrdiff_t>(p * width), width,
                  result_.pnl.begin() + static_cast<std::ptrdiff_t>(p * count + begin));
    }
  }

  void finish_step() {}  // each step is done when it returns

  void tail(std::size_t first, std::size_t rows) {
    const std::size_t listed = std::min(state_.k, scenarios_.count());
    emulate_grid_stride(rows, grid_, kernel::kTailThreads, [&](std::size_t row) {
      tails_[row] = kernel::tail_of_row(state_, row, listed, scenarios_.weight.data(),
                                        request_.settings.confidence);
    });
    std::copy_n(tails_.begin(), rows, result_.risk.begin() + static_cast<std::ptrdiff_t>(first));
  }

  void check_finite() const {
    const std::size_t count = scenarios_.count();
    for (int which = 0; which < 2; ++which) {
      if (first_bad_[which] != kernel::kNoNonFinite) {
        throw NonFiniteValue(which == 1, first_bad_[which] / count, first_bad_[which] % count);
      }
    }
  }

 private:
  const PackedBook& book_;
  const ScenarioSet& scenarios_;
  const BackendRequest& request_;
  int grid_;
  BackendResult& result_;
  std::size_t pnl_rows_;
  std::vector<double> unit_;
  std::array<std::vector<double>, 2> list_loss_;
  std::array<std::vector<std::int32_t>, 2> list_scenario_;
  std::vector<std::uint8_t> current_;
  std::vector<TailRisk> tails_;
  std::vector<double> pnl_;
  kernel::TopKView state_{};
  unsigned long long first_bad_[2] = {kernel::kNoNonFinite, kernel::kNoNonFinite};
};

class EmulatedCudaBackend final : public Backend {
 public:
  EmulatedCudaBackend(const BackendOptions& options, int grid_blocks)
      : budget_option_(options.memory_budget_bytes), grid_(std::max(grid_blocks, 1)) {}

  std::string name() const override { return "cuda-emulated"; }
  std::string device() const override {
    return "host emulation of the cuda kernels (" + std::to_string(grid_) + " blocks)";
  }

  BackendResult run(const BackendRequest& request) override {
    BackendResult result = empty_backend_result(request);
    const PackedBook& book = *request.book;
    const ScenarioSet& scenarios = *request.scenarios;
    const std::size_t count = scenarios.count();
    const std::size_t portfolios = book.portfolio_count();
    const std::size_t pnl_rows = std::min(request.pnl_rows, portfolios);
    if (portfolios == 0 || count == 0) return result;
    Stopwatch stopwatch;
    const std::size_t ranks = tail_ranks_needed(scenarios.weight, request.settings.confidence);
    // Without a budget the emulation plans as for an unlimited device.
    const bool given = budget_option_ != 0;
    result.plan = plan_chunks(given ? budget_option_ : ~std::size_t{0}, given, portfolios, count,
                              kernel::device_chunk_costs(book, scenarios, ranks, pnl_rows),
                              "--memory-budget");
    // Monte Carlo scenarios are drawn as the device draws them, whether or not
    // the host drew them too.
    std::optional<ScenarioSet> drawn;
    BackendRequest effective = request;
    if (scenarios.monte_carlo) {
      drawn = draw_monte_carlo_as_the_device(scenarios, grid_);
      effective.scenarios = &*drawn;
    }
    EmulatedExecutor executor(effective, result.plan, ranks, grid_, result);
    kernel::walk_chunks(executor, result.plan, portfolios, count, request.progress);
    executor.check_finite();
    result.timings = {{"emulation", stopwatch.seconds()}};
    return result;
  }

  // The stress kernels' grid-stride loops, both of kStressThreads-thread blocks.
  StressResult stress(const StressRequest& request) override {
    XM_EXPECTS(request.book != nullptr && request.stress != nullptr, "stress request incomplete");
    static_assert(kernel::kStressThreads == kernel::kRevalueThreads);
    check_stress_budget(kernel::stress_device_bytes(*request.book, *request.stress), budget_option_,
                        ~std::size_t{0}, "--memory-budget");
    const int grid = grid_;
    return stress_on_host(request, [grid](std::size_t count, const auto& item) {
      emulate_grid_stride(count, grid, kernel::kStressThreads, item);
    });
  }

 private:
  std::size_t budget_option_;
  int grid_;
};

}  // namespace

std::unique_ptr<Backend> make_emulated_cuda_backend(const BackendOptions& options,
                                                    int grid_blocks) {
  return std::make_unique<EmulatedCudaBackend>(options, grid_blocks);
}

}  // namespace xm
