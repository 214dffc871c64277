// The reference backend: plain loops over the chunk plan, OpenMP over
// instruments and portfolios. Each output element is computed by one thread in
// a fixed order, so the results do not depend on the thread count, and a
// portfolio's ranked list is the k first losses by ranks_before, a unique set,
// so they do not depend on the chunking either.
#include <omp.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <utility>

#include "backends/cpu_costs.hpp"
#include "backends/host_memory.hpp"
#include "backends/stress_host.hpp"
#include "backends/views_of.hpp"
#include "backends/worker_failure.hpp"
#include "stopwatch.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"
#include "xmargin/kernel/arithmetic.hpp"
#include "xmargin/kernel/chunk_loop.hpp"
#include "xmargin/revaluation.hpp"
#include "xmargin/tail_ranks.hpp"

namespace xm {
namespace {

std::string processor_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown processor";
}

using Ranked = std::pair<double, std::int32_t>;  // (loss, scenario)

bool ranks_first(const Ranked& a, const Ranked& b) {
  return ranks_before(a.first, a.second, b.first, b.second);
}

class CpuExecutor {
 public:
  CpuExecutor(const BackendRequest& request, const ChunkPlan& plan, std::size_t ranks, int threads,
              BackendResult& result)
      : book_(*request.book),
        scenarios_(*request.scenarios),
        request_(request),
        ranks_(ranks),
        threads_(threads),
        result_(result),
        instruments_(instruments_view_of(book_)),
        underlyings_(underlyings_view_of(book_)),
        shocks_(scenarios_view_of(scenarios_)),
        unit_(book_.instrument_count() * plan.scenario_chunk),
        list_loss_(plan.portfolio_chunk * ranks),
        list_scenario_(plan.portfolio_chunk * ranks),
        pnl_scratch_(static_cast<std::size_t>(threads), std::vector<double>(plan.scenario_chunk)),
        merge_scratch_(static_cast<std::size_t>(threads)) {
    for (auto& scratch : merge_scratch_) scratch.reserve(ranks + plan.scenario_chunk);
  }

  void revalue(std::size_t begin, std::size_t end) {
    Stopwatch stopwatch;
    width_ = end - begin;
    const std::size_t instruments = book_.instrument_count();
    const std::size_t count = scenarios_.count();
    unsigned long long first_bad = kernel::kNoNonFinite;
    WorkerFailure failure;
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_) reduction(min : first_bad)
    for (std::size_t i = 0; i < instruments; ++i) {
      failure.run([&] {
        for (std::size_t c = 0; c < width_; ++c) {
          const double value = unit_pnl(instruments_, underlyings_, shocks_,
                                        request_.settings.time_decay, i, begin + c);
          if (!kernel::is_finite(value))
            first_bad = std::min<unsigned long long>(first_bad, i * count + begin + c);
          unit_[i * width_ + c] = value;
        }
      });
    }
    failure.rethrow_if_failed();
    first_bad_unit_ = std::min(first_bad_unit_, first_bad);
    revalue_seconds_ += stopwatch.seconds();
  }

  void select(std::size_t first, std::size_t rows, std::size_t begin, std::size_t end,
              std::size_t seen) {
    Stopwatch stopwatch;
    const std::size_t listed = std::min(ranks_, seen);
    unsigned long long first_bad = kernel::kNoNonFinite;
    WorkerFailure failure;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads_) reduction(min : first_bad)
    for (std::size_t row = 0; row < rows; ++row) {
      failure.run([&] { select_row(first, row, begin, end, listed, first_bad); });
    }
    failure.rethrow_if_failed();
    first_bad_portfolio_ = std::min(first_bad_portfolio_, first_bad);
    select_seconds_ += stopwatch.seconds();
  }

  // Row `row` of the chunk from `first`: its P&L over the tile [begin, end)
  // merged into its ranked list of `listed` (loss, scenario).
  void select_row(std::size_t first, std::size_t row, std::size_t begin, std::size_t end,
                  std::size_t listed, unsigned long long& first_bad) {
    const std::size_t count = scenarios_.count();
    const auto thread = static_cast<std::size_t>(omp_get_thread_num());
    std::vector<double>& pnl = pnl_scratch_[thread];
    std::vector<Ranked>& merged = merge_scratch_[thread];
    const std::size_t p = first + row;
    portfolio_pnl(p, pnl);
    if (p < request_.pnl_rows) {
      std::copy(pnl.begin(), pnl.begin() + static_cast<std::ptrdiff_t>(width_),
                result_.pnl.begin() + static_cast<std::ptrdiff_t>(p * count + begin));
    }
    merged.clear();
    for (std::size_t j = 0; j < listed; ++j) {
      merged.emplace_back(list_loss_[row * ranks_ + j], list_scenario_[row * ranks_ + j]);
    }
    for (std::size_t c = 0; c < end - begin; ++c) {
      const double loss = loss_from_pnl(pnl[c]);
      if (kernel::is_finite(loss)) {
        merged.emplace_back(loss, static_cast<std::int32_t>(begin + c));
      } else {
        first_bad = std::min<unsigned long long>(first_bad, p * count + begin + c);
      }
    }
    const std::size_t keep = std::min(ranks_, merged.size());
    const auto top = merged.begin() + static_cast<std::ptrdiff_t>(keep);
    if (keep < merged.size()) std::nth_element(merged.begin(), top - 1, merged.end(), ranks_first);
    std::sort(merged.begin(), top, ranks_first);
    for (std::size_t j = 0; j < keep; ++j) {
      list_loss_[row * ranks_ + j] = merged[j].first;
      list_scenario_[row * ranks_ + j] = merged[j].second;
    }
  }

  void finish_step() {}  // each step is done when it returns

  void tail(std::size_t first, std::size_t rows) {
    Stopwatch stopwatch;
    const std::size_t listed = std::min(ranks_, scenarios_.count());
    WorkerFailure failure;
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (std::size_t row = 0; row < rows; ++row) {
      failure.run([&] {
        result_.risk[first + row] =
            tail_risk_from_ranked(&list_loss_[row * ranks_], &list_scenario_[row * ranks_],
                                  scenarios_.weight.data(), listed, request_.settings.confidence);
      });
    }
    failure.rethrow_if_failed();
    select_seconds_ += stopwatch.seconds();
  }

  // Throws NonFiniteValue for the first non-finite P&L of the run, the
  // instruments' before the portfolios' (a portfolio's comes from them). A
  // non-finite loss never enters a list, so the lists of such a run are short
  // and its tails meaningless: they are dropped with the throw.
  void check_finite() const {
    const std::size_t count = scenarios_.count();
    if (first_bad_unit_ != kernel::kNoNonFinite) {
      throw NonFiniteValue(false, first_bad_unit_ / count, first_bad_unit_ % count);
    }
    if (first_bad_portfolio_ != kernel::kNoNonFinite) {
      throw NonFiniteValue(true, first_bad_portfolio_ / count, first_bad_portfolio_ % count);
    }
  }

  std::vector<StageTiming> timings() const {
    return {{"revalue", revalue_seconds_}, {"aggregate+measure", select_seconds_}};
  }

 private:
  const PackedBook& book_;
  const ScenarioSet& scenarios_;
  const BackendRequest& request_;
  std::size_t ranks_;
  int threads_;
  BackendResult& result_;
  InstrumentsView instruments_;
  UnderlyingsView underlyings_;
  ScenariosView shocks_;
  std::vector<double> unit_;  // [I × width_]
  std::size_t width_ = 0;
  std::vector<double> list_loss_;  // [rows × ranks_]: each row's ranked list
  std::vector<std::int32_t> list_scenario_;
  std::vector<std::vector<double>> pnl_scratch_;
  std::vector<std::vector<Ranked>> merge_scratch_;
  unsigned long long first_bad_unit_ = kernel::kNoNonFinite;
  unsigned long long first_bad_portfolio_ = kernel::kNoNonFinite;
  double revalue_seconds_ = 0.0;
  double select_seconds_ = 0.0;

  // Portfolio p's P&L in each column of the tile: its positions in CSR order
  // from 0.0, the order every backend uses.
  void portfolio_pnl(std::size_t p, std::vector<double>& pnl) const {
    std::fill(pnl.begin(), pnl.begin() + static_cast<std::ptrdiff_t>(width_), 0.0);
    for (auto e = book_.row_offsets[p]; e < book_.row_offsets[p + 1]; ++e) {
      const double weight = book_.entry_weight[e];
      const double* row = &unit_[static_cast<std::size_t>(book_.entry_instrument[e]) * width_];
      for (std::size_t c = 0; c < width_; ++c) pnl[c] += weight * row[c];
    }
  }
};

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const BackendOptions& options)
      : threads_(options.cpu_threads > 0 ? options.cpu_threads : omp_get_max_threads()),
        budget_option_(options.memory_budget_bytes) {}

  std::string name() const override { return "cpu"; }
  std::string device() const override {
    return processor_name() + " (" + std::to_string(threads_) +
           (threads_ == 1 ? " thread)" : " threads)");
  }

  BackendResult run(const BackendRequest& request) override {
    BackendResult result = empty_backend_result(request);
    const PackedBook& book = *request.book;
    const ScenarioSet& scenarios = *request.scenarios;
    XM_EXPECTS(!scenarios.monte_carlo || scenarios.monte_carlo->drawn_on_host,
               "the cpu backend needs Monte Carlo scenarios drawn on the host");
    const std::size_t count = scenarios.count();
    const std::size_t portfolios = book.portfolio_count();
    if (portfolios == 0 || count == 0) {
      result.timings = {{"revalue", 0.0}, {"aggregate+measure", 0.0}};
      return result;
    }
    const std::size_t ranks = tail_ranks_needed(scenarios.weight, request.settings.confidence);
    const bool given = budget_option_ != 0;
    const std::size_t budget =
        given ? budget_option_
              : static_cast<std::size_t>(static_cast<double>(host_available_memory_bytes()) *
                                         kHostMemoryShare);
    result.plan = plan_chunks(budget, given, portfolios, count,
                              cpu_chunk_costs(book.instrument_count(), ranks, threads_),
                              given ? "--memory-budget" : "available host memory");
    CpuExecutor executor(request, result.plan, ranks, threads_, result);
    kernel::walk_chunks(executor, result.plan, portfolios, count, request.progress);
    executor.check_finite();
    result.timings = executor.timings();
    return result;
  }

  StressResult stress(const StressRequest& request) override {
    XM_EXPECTS(request.book != nullptr && request.stress != nullptr, "stress request incomplete");
    check_stress_budget(stress_run_bytes(*request.book, *request.stress), budget_option_,
                        static_cast<std::size_t>(
                            static_cast<double>(host_available_memory_bytes()) * kHostMemoryShare),
                        "available host memory");
    const int threads = threads_;
    return stress_on_host(request, [threads](std::size_t count, const auto& item) {
      WorkerFailure failure;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
      for (std::size_t i = 0; i < count; ++i) failure.run([&] { item(i); });
      failure.rethrow_if_failed();
    });
  }

 private:
  int threads_;
  std::size_t budget_option_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options) {
  return std::make_unique<CpuBackend>(options);
}

}  // namespace xm
