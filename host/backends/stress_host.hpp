#pragma once
// The stress run on the host (SPEC §5.3), for the cpu backend and the cuda
// backend's emulation: one revaluation of every instrument under every stress
// scenario (revalue_item, the revaluation kernel's body), then stress_row per
// portfolio (the stress kernel's body). The stress scenarios are few (16 span,
// a grid, the named ones), so the run is one tile, not a chunk plan.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "backends/views_of.hpp"
#include "stopwatch.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/kernel/revalue_tile.hpp"
#include "xmargin/kernel/stress_rows.hpp"

namespace xm {

// Bytes a stress run holds besides the book: the unit tile, the sorted rows,
// the covered shares and the charges.
std::size_t stress_run_bytes(const PackedBook& book, const StressSet& stress);

// Throws as plan_chunks does when `bytes` exceed the budget (0: none given).
void check_stress_budget(std::size_t bytes, std::size_t budget_option, std::size_t default_budget,
                         const std::string& memory_name);

// `for_each(count, item)` calls item(i) for every i in [0, count), in any
// order and on any threads: each item writes its own cells.
template <typename ForEach>
StressResult stress_on_host(const StressRequest& request, ForEach&& for_each) {
  const PackedBook& book = *request.book;
  const StressSet& stress = *request.stress;
  XM_EXPECTS(request.rows != nullptr &&
                 request.rows->entry_instrument.size() == book.entry_instrument.size(),
             "stress request without the rows sorted by underlying");
  XM_EXPECTS(stress.scenarios.underlying_ids == book.underlying_ids,
             "stress scenarios not aligned with the book");
  StressResult result;
  const std::size_t rows = book.portfolio_count(), columns = stress.count();
  result.charges.assign(rows * kernel::kStressCharges, 0.0);
  Stopwatch stopwatch;
  std::vector<double> unit(book.instrument_count() * columns);
  unsigned long long first_bad_unit = kernel::kNoNonFinite;
  kernel::RevalueLaunch revalue{instruments_view_of(book),
                                underlyings_view_of(book),
                                scenarios_view_of(stress.scenarios),
                                request.settings.time_decay,
                                0,
                                columns,
                                unit.data(),
                                nullptr};
  // Items write their own cells and note a non-finite value in their own
  // code, unread: the first one in (instrument, scenario) order is item order,
  // found by a scan once all are done.
  for_each(revalue.items(), [&](std::size_t item) {
    unsigned long long own_code = kernel::kNoNonFinite;
    kernel::RevalueLaunch own = revalue;
    own.first_non_finite = &own_code;
    kernel::revalue_item(own, item);
  });
  for (std::size_t item = 0; item < unit.size(); ++item) {
    if (!kernel::is_finite(unit[item])) {
      first_bad_unit = item;
      break;
    }
  }
  const double revalue_seconds = stopwatch.seconds();

  stopwatch.restart();
  const StressRows& sorted = *request.rows;
  kernel::StressLaunch launch{};
  launch.rows = {rows, book.row_offsets.data(), sorted.entry_instrument.data(),
                 sorted.entry_weight.data()};
  launch.instrument_underlying = book.underlying.data();
  launch.unit = unit.data();
  launch.columns = columns;
  launch.covered = stress.covered.data();
  for (std::size_t k = 0; k <= kStressKinds; ++k) launch.kind_offsets[k] = stress.kind_offsets[k];
  launch.charges = result.charges.data();
  std::vector<unsigned long long> bad_rows(rows, kernel::kNoNonFinite);
  for_each(rows, [&](std::size_t row) {
    kernel::StressLaunch own = launch;
    own.first_non_finite = &bad_rows[row];
    kernel::stress_row(own, row);
  });
  if (first_bad_unit != kernel::kNoNonFinite) {
    throw NonFiniteValue(false, first_bad_unit / columns, first_bad_unit % columns);
  }
  for (unsigned long long code : bad_rows) {
    if (code != kernel::kNoNonFinite) throw NonFiniteValue(true, code / columns, code % columns);
  }
  result.timings = {{"stress revalue", revalue_seconds}, {"stress charges", stopwatch.seconds()}};
  return result;
}

}  // namespace xm
