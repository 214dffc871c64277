#include <omp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "backends/views_of.hpp"
#include "stopwatch.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"
#include "xmargin/revaluation.hpp"

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

// How many of the top-ranked losses the tail can need. With equal weights the
// tail reaches 1 − α within ⌈N(1 − α)⌉ ranks (two more cover rounding), so a
// partial sort suffices; otherwise every rank may be needed.
std::size_t ranks_needed(const ScenarioSet& scenarios, double confidence) {
  const std::size_t count = scenarios.count();
  const bool equal = std::all_of(scenarios.weight.begin(), scenarios.weight.end(),
                                 [&](double w) { return w == scenarios.weight.front(); });
  if (!equal) return count;
  const double tail_ranks = std::ceil(static_cast<double>(count) * (1.0 - confidence));
  return std::min(count, static_cast<std::size_t>(tail_ranks) + 2);
}

// The reference backend: plain loops, OpenMP over instruments and portfolios.
// Each output element is computed by one thread in a fixed order, so the
// results do not depend on the thread count.
class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const BackendOptions& options)
      : threads_(options.cpu_threads > 0 ? options.cpu_threads : omp_get_max_threads()) {}

  std::string name() const override { return "cpu"; }
  std::string device() const override {
    return processor_name() + " (" + std::to_string(threads_) +
           (threads_ == 1 ? " thread)" : " threads)");
  }

  BackendResult run(const BackendRequest& request) override {
    const PackedBook& book = *request.book;
    const ScenarioSet& scenarios = *request.scenarios;
    XM_EXPECTS(scenarios.underlying_ids == book.underlying_ids,
               "scenarios not aligned with the book");
    const std::size_t count = scenarios.count();
    const std::size_t instruments = book.instrument_count();
    const std::size_t portfolios = book.portfolio_count();
    BackendResult result;

    Stopwatch stopwatch;
    std::vector<double> unit(instruments * count);
    const InstrumentsView instruments_view = instruments_view_of(book);
    const UnderlyingsView underlyings_view = underlyings_view_of(book);
    const ScenariosView scenarios_view = scenarios_view_of(scenarios);
    const bool time_decay = request.settings.time_decay;
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_)
    for (std::size_t i = 0; i < instruments; ++i) {
      for (std::size_t s = 0; s < count; ++s) {
        unit[i * count + s] =
            unit_pnl(instruments_view, underlyings_view, scenarios_view, time_decay, i, s);
      }
    }
    result.timings.push_back({"revalue", stopwatch.seconds()});

    stopwatch.restart();
    result.risk.resize(portfolios);
    result.pnl.resize(std::min(request.pnl_rows, portfolios) * count);
    const std::size_t needed = ranks_needed(scenarios, request.settings.confidence);
#pragma omp parallel num_threads(threads_)
    {
      std::vector<double> pnl(count), loss(count), sorted_loss(count);
      std::vector<std::int32_t> order(count);
#pragma omp for schedule(dynamic, 64)
      for (std::size_t p = 0; p < portfolios; ++p) {
        std::fill(pnl.begin(), pnl.end(), 0.0);
        for (auto e = book.row_offsets[p]; e < book.row_offsets[p + 1]; ++e) {
          const double weight = book.entry_weight[e];
          const double* row = &unit[static_cast<std::size_t>(book.entry_instrument[e]) * count];
          for (std::size_t s = 0; s < count; ++s) pnl[s] += weight * row[s];
        }
        if (p < request.pnl_rows) std::copy(pnl.begin(), pnl.end(), result.pnl.begin() + p * count);
        for (std::size_t s = 0; s < count; ++s) loss[s] = loss_from_pnl(pnl[s]);
        result.risk[p] = tail_of(loss, order, sorted_loss, scenarios.weight, needed,
                                 request.settings.confidence);
      }
    }
    result.timings.push_back({"aggregate+measure", stopwatch.seconds()});
    return result;
  }

 private:
  int threads_;

  static TailRisk tail_of(const std::vector<double>& loss, std::vector<std::int32_t>& order,
                          std::vector<double>& sorted_loss, const std::vector<double>& weight,
                          std::size_t needed, double confidence) {
    const std::size_t count = loss.size();
    std::iota(order.begin(), order.end(), 0);
    const auto ranks = [&](std::int32_t a, std::int32_t b) {
      return ranks_before(loss[a], a, loss[b], b);
    };
    const auto top = order.begin() + static_cast<std::ptrdiff_t>(needed);
    if (needed < count) std::nth_element(order.begin(), top - 1, order.end(), ranks);
    std::sort(order.begin(), top, ranks);
    double top_weight = 0.0;
    for (std::size_t i = 0; i < needed; ++i) {
      sorted_loss[i] = loss[order[i]];
      top_weight += weight[order[i]];
    }
    const double reach = (1.0 - confidence) * (1.0 - kTailWeightTolerance);
    if (needed < count && top_weight < reach) {  // cannot happen with equal weights; be safe
      return tail_of(loss, order, sorted_loss, weight, count, confidence);
    }
    return tail_risk_from_ranked(sorted_loss.data(), order.data(), weight.data(), needed,
                                 confidence);
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options) {
  return std::make_unique<CpuBackend>(options);
}

}  // namespace xm
