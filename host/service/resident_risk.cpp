#include "service/resident_risk.hpp"

#include <omp.h>

#include <algorithm>
#include <utility>

#include "backends/host_memory.hpp"
#include "backends/views_of.hpp"
#include "backends/worker_failure.hpp"
#include "xmargin/error.hpp"
#include "xmargin/kernel/revalue_tile.hpp"
#include "xmargin/kernel/stress_rows.hpp"
#include "xmargin/tail_ranks.hpp"

namespace xm::service {
namespace {

using Ranked = std::pair<double, std::int32_t>;  // (loss, scenario)

std::size_t resident_bytes(const PreparedRun& prepared) {
  std::size_t columns = prepared.scenarios.count();
  for (const auto& set : prepared.source_scenarios) columns += set ? set->count() : 0;
  if (prepared.floor_scenarios) columns += prepared.floor_scenarios->count();
  if (prepared.stress) columns += prepared.stress->count();
  return prepared.packed.book.instrument_count() * columns * sizeof(double);
}

void check_budget(std::size_t bytes, std::size_t budget_option) {
  const bool given = budget_option != 0;
  const auto budget =
      given ? budget_option
            : static_cast<std::size_t>(static_cast<double>(host_available_memory_bytes()) *
                                       kHostMemoryShare);
  if (bytes > budget) {
    throw RunError("the service keeps every instrument's P&L under every scenario in memory: " +
                   std::to_string(bytes) + " bytes, more than " +
                   (given ? "--memory-budget (" : "the available host memory (") +
                   std::to_string(budget) +
                   " bytes); give it more memory, or fewer scenarios or instruments");
  }
}

}  // namespace

PortfolioRisk RowRisk::view() const {
  PortfolioRisk risk;
  risk.pooled = &pooled;
  for (std::size_t s = 0; s < 3; ++s) {
    if (has_source[s]) risk.sources[s] = &sources[s];
  }
  if (has_floor) risk.floor = &floor;
  if (has_stress) risk.stress = stress.data();
  return risk;
}

ResidentRisk::ResidentRisk(std::shared_ptr<const PreparedRun> prepared, int threads,
                           std::size_t memory_budget_bytes)
    : prepared_(std::move(prepared)),
      threads_(threads > 0 ? threads : omp_get_max_threads()),
      memory_budget_bytes_(memory_budget_bytes) {
  const PreparedRun& run = *prepared_;
  const Book& book = run.inputs.book;
  check_budget(resident_bytes(run), memory_budget_bytes);
  packed_underlying_.assign(book.market.underlyings.size(), -1);
  for (std::size_t u = 0, packed = 0; u < book.market.underlyings.size(); ++u) {
    if (packed < run.packed.book.underlying_ids.size() &&
        run.packed.book.underlying_ids[packed] == book.market.underlyings[u].id) {
      packed_underlying_[u] = static_cast<std::int32_t>(packed++);
    }
  }

  for (std::size_t i = 0; i < book.instruments.size(); ++i) {
    instrument_index_.emplace(book.instruments[i].id, i);
  }

  const InstrumentsView instruments = instruments_view_of(run.packed.book);
  sets_.push_back({&run.scenarios, revalue(instruments, run.scenarios, "pooled"), 0});
  const char* source_names[3] = {"historical", "filtered_historical", "monte_carlo"};
  for (std::size_t s = 0; s < 3; ++s) {
    if (!run.source_scenarios[s]) continue;
    source_set_[s] = static_cast<int>(sets_.size());
    sets_.push_back({&*run.source_scenarios[s],
                     revalue(instruments, *run.source_scenarios[s], source_names[s]), 0});
  }
  if (!run.inputs.replayed_scenarios) {
    // A lone source's own measure is the pooled one (as run_margins takes it).
    const Config& c = run.inputs.config;
    const bool configured[3] = {c.historical.has_value(), c.filtered_historical.has_value(),
                                c.monte_carlo.has_value()};
    for (std::size_t s = 0; s < 3; ++s) {
      if (configured[s] && source_set_[s] < 0) source_set_[s] = 0;
    }
  }
  if (run.floor_scenarios) {
    floor_set_ = static_cast<int>(sets_.size());
    sets_.push_back(
        {&*run.floor_scenarios, revalue(instruments, *run.floor_scenarios, "floor"), 0});
  }
  for (ResidentSet& set : sets_) {
    set.ranks = tail_ranks_needed(set.scenarios->weight, run.inputs.config.confidence);
  }
  if (run.stress) stress_unit_ = revalue(instruments, run.stress->scenarios, "stress");

  // One unit long and short of every instrument, for the isolated margins.
  const std::size_t count = instrument_count();
  unit_values_.resize(2 * count);
  unit_tails_.resize(2 * count);
  WorkerFailure failure;
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_)
  for (std::size_t k = 0; k < 2 * count; ++k) {
    failure.run([&] {
      const auto instrument = static_cast<std::int32_t>(k / 2);
      const double weight = k % 2 == 0 ? 1.0 : -1.0;
      const RowRisk risk = row_risk({&instrument, &weight, 1}, nullptr, [&] {
        return "instrument " + book.instruments[k / 2].id +
               (k % 2 == 0 ? " held long" : " held short");
      });
      unit_tails_[k] = risk.pooled;
      unit_values_[k] = portfolio_margin(config(), risk.view());
    });
  }
  failure.rethrow_if_failed();
}

std::size_t ResidentRisk::bytes() const {
  std::size_t total = stress_unit_.size() * sizeof(double);
  for (const ResidentSet& set : sets_) total += set.unit.size() * sizeof(double);
  return total;
}

std::vector<double> ResidentRisk::revalue(const InstrumentsView& instruments,
                                          const ScenarioSet& scenarios,
                                          const char* set_name) const {
  const std::size_t columns = scenarios.count();
  std::vector<double> unit(instruments.count * columns);
  if (unit.empty()) return unit;
  const kernel::RevalueLaunch launch{instruments,
                                     underlyings_view_of(prepared_->packed.book),
                                     scenarios_view_of(scenarios),
                                     prepared_->inputs.config.time_decay,
                                     0,
                                     columns,
                                     unit.data(),
                                     nullptr};
  WorkerFailure failure;
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_)
  for (std::size_t i = 0; i < instruments.count; ++i) {
    failure.run([&] {
      unsigned long long ignored = kernel::kNoNonFinite;
      kernel::RevalueLaunch own = launch;
      own.first_non_finite = &ignored;
      for (std::size_t c = 0; c < columns; ++c) kernel::revalue_item(own, i * columns + c);
    });
  }
  failure.rethrow_if_failed();
  // The first non-finite value in (instrument, scenario) order, as the
  // backends report it.
  for (std::size_t item = 0; item < unit.size(); ++item) {
    if (!kernel::is_finite(unit[item])) {
      const std::size_t s = item % columns;
      throw RunError(std::string("the unit P&L of instrument index ") +
                     std::to_string(item / columns) + " is not a finite number in " + set_name +
                     " scenario " + std::to_string(s) + " (" + scenarios.source[s] + " " +
                     scenarios.label[s] + "): an input is out of range");
    }
  }
  return unit;
}

ExtraInstruments ResidentRisk::price_extra(std::vector<Instrument> instruments) const {
  const PreparedRun& run = *prepared_;
  const PackedBook& book = run.packed.book;
  ExtraInstruments extra;
  extra.instruments = std::move(instruments);
  const VolSurfacesView surfaces{book.surface_shape.data(), book.surface_expiry_years.data(),
                                 book.surface_moneyness.data(), book.surface_vols.data()};
  for (const Instrument& inst : extra.instruments) {
    const std::int32_t u = packed_underlying_[inst.underlying];
    XM_EXPECTS(u >= 0, "an added instrument on an underlying without scenarios");
    pack_instrument(inst, run.inputs.book.market, u, surfaces, extra.packed);
  }
  const InstrumentsView view = instruments_view_of(extra.packed);
  for (const ResidentSet& set : sets_) extra.unit.push_back(revalue(view, *set.scenarios, "added"));
  if (run.stress) extra.stress_unit = revalue(view, run.stress->scenarios, "added stress");
  return extra;
}

RowRisk ResidentRisk::row_risk(const RowEntries& row, const ExtraInstruments* extra,
                               const Describe& what) const {
  RowRisk risk;
  risk.pooled = tail_of(sets_[0], 0, row, extra, what);
  for (std::size_t s = 0; s < 3; ++s) {
    if (source_set_[s] < 0) continue;
    risk.has_source[s] = true;
    const auto index = static_cast<std::size_t>(source_set_[s]);
    risk.sources[s] = index == 0 ? risk.pooled : tail_of(sets_[index], index, row, extra, what);
  }
  if (floor_set_ >= 0) {
    const auto index = static_cast<std::size_t>(floor_set_);
    risk.has_floor = true;
    risk.floor = tail_of(sets_[index], index, row, extra, what);
  }
  if (prepared_->stress) {
    risk.has_stress = true;
    risk.stress = stress_of(row, extra, what);
  }
  return risk;
}

TailRisk ResidentRisk::tail_of(const ResidentSet& set, std::size_t set_index, const RowEntries& row,
                               const ExtraInstruments* extra, const Describe& what) const {
  const ScenarioSet& scenarios = *set.scenarios;
  const std::size_t columns = scenarios.count();
  if (columns == 0) return TailRisk{};
  const std::size_t instruments = instrument_count();
  // The row's P&L: its entries in order from 0.0, as every backend sums it.
  thread_local std::vector<double> pnl;
  thread_local std::vector<Ranked> ranked;
  pnl.assign(columns, 0.0);
  for (std::size_t e = 0; e < row.count; ++e) {
    const auto i = static_cast<std::size_t>(row.instrument[e]);
    const double weight = row.weight[e];
    const double* unit = i < instruments ? &set.unit[i * columns]
                                         : &extra->unit[set_index][(i - instruments) * columns];
    for (std::size_t c = 0; c < columns; ++c) pnl[c] += weight * unit[c];
  }
  ranked.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const double loss = loss_from_pnl(pnl[c]);
    if (!kernel::is_finite(loss)) {
      throw RunError("the P&L of " + what() + " is not a finite number in scenario " +
                     std::to_string(c) + " (" + scenarios.source[c] + " " + scenarios.label[c] +
                     ")");
    }
    ranked[c] = {loss, static_cast<std::int32_t>(c)};
  }
  const auto ranks_first = [](const Ranked& a, const Ranked& b) {
    return ranks_before(a.first, a.second, b.first, b.second);
  };
  const std::size_t keep = std::min(set.ranks, columns);
  const auto top = ranked.begin() + static_cast<std::ptrdiff_t>(keep);
  if (keep < columns) std::nth_element(ranked.begin(), top - 1, ranked.end(), ranks_first);
  std::sort(ranked.begin(), top, ranks_first);
  thread_local std::vector<double> loss;
  thread_local std::vector<std::int32_t> order;
  loss.resize(keep);
  order.resize(keep);
  for (std::size_t j = 0; j < keep; ++j) {
    loss[j] = ranked[j].first;
    order[j] = ranked[j].second;
  }
  return tail_risk_from_ranked(loss.data(), order.data(), scenarios.weight.data(), keep,
                               prepared_->inputs.config.confidence);
}

std::array<double, 3> ResidentRisk::stress_of(const RowEntries& row, const ExtraInstruments* extra,
                                              const Describe& what) const {
  const StressSet& stress = *prepared_->stress;
  const std::size_t columns = stress.count();
  const std::size_t instruments = instrument_count();
  const PackedBook& book = prepared_->packed.book;
  std::array<double, 3> charges{};
  unsigned long long bad = kernel::kNoNonFinite;
  kernel::StressLaunch launch{};
  launch.columns = columns;
  launch.covered = stress.covered.data();
  for (std::size_t k = 0; k <= kStressKinds; ++k) launch.kind_offsets[k] = stress.kind_offsets[k];
  launch.charges = charges.data();
  launch.first_non_finite = &bad;
  // The row's entries stably sorted by underlying, as stress_rows_by_underlying sorts them.
  std::vector<std::size_t> order(row.count);
  std::vector<std::int32_t> underlying(row.count);
  bool added = false;
  for (std::size_t e = 0; e < row.count; ++e) {
    order[e] = e;
    const auto i = static_cast<std::size_t>(row.instrument[e]);
    added |= i >= instruments;
    underlying[e] =
        i < instruments ? book.underlying[i] : extra->packed.underlying[i - instruments];
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return underlying[a] < underlying[b]; });
  std::vector<std::int32_t> entry(row.count);
  std::vector<double> weight(row.count), local_unit;
  std::vector<std::int32_t> local_underlying;
  for (std::size_t k = 0; k < row.count; ++k) weight[k] = row.weight[order[k]];
  if (!added) {
    // The book's own instruments: read the resident matrix as it is.
    for (std::size_t k = 0; k < row.count; ++k) entry[k] = row.instrument[order[k]];
    launch.instrument_underlying = book.underlying.data();
    launch.unit = stress_unit_.data();
  } else {
    // With added instruments: a matrix of the row's own instruments (local index = entry).
    local_unit.resize(row.count * columns);
    local_underlying.resize(row.count);
    for (std::size_t k = 0; k < row.count; ++k) {
      const std::size_t e = order[k];
      entry[k] = static_cast<std::int32_t>(k);
      local_underlying[k] = underlying[e];
      const auto i = static_cast<std::size_t>(row.instrument[e]);
      const double* from = i < instruments ? &stress_unit_[i * columns]
                                           : &extra->stress_unit[(i - instruments) * columns];
      std::copy(from, from + columns,
                local_unit.begin() + static_cast<std::ptrdiff_t>(k * columns));
    }
    launch.instrument_underlying = local_underlying.data();
    launch.unit = local_unit.data();
  }
  const std::int64_t offsets[2] = {0, static_cast<std::int64_t>(row.count)};
  launch.rows = {1, offsets, entry.data(), weight.data()};
  kernel::stress_row(launch, 0);
  if (bad != kernel::kNoNonFinite) {
    const std::size_t s = bad % columns;
    throw RunError("the P&L of " + what() + " is not a finite number in stress scenario " +
                   std::to_string(s) + " (" + stress.scenarios.label[s] + ")");
  }
  return charges;
}

}  // namespace xm::service
