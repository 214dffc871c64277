#include "backends/stress_host.hpp"

#include <algorithm>
#include <numeric>

#include "xmargin/chunk_plan.hpp"

namespace xm {

StressRows stress_rows_by_underlying(const PackedBook& book) {
  StressRows sorted;
  sorted.entry_instrument.resize(book.entry_instrument.size());
  sorted.entry_weight.resize(book.entry_weight.size());
  std::vector<std::size_t> order;
  for (std::size_t p = 0; p < book.portfolio_count(); ++p) {
    const auto begin = static_cast<std::size_t>(book.row_offsets[p]);
    const auto end = static_cast<std::size_t>(book.row_offsets[p + 1]);
    order.resize(end - begin);
    std::iota(order.begin(), order.end(), begin);
    // Stable: within an underlying the entries keep their instrument order.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return book.underlying[static_cast<std::size_t>(book.entry_instrument[a])] <
             book.underlying[static_cast<std::size_t>(book.entry_instrument[b])];
    });
    for (std::size_t k = 0; k < order.size(); ++k) {
      sorted.entry_instrument[begin + k] = book.entry_instrument[order[k]];
      sorted.entry_weight[begin + k] = book.entry_weight[order[k]];
    }
  }
  return sorted;
}

std::size_t stress_run_bytes(const PackedBook& book, const StressSet& stress) {
  const std::size_t entries = book.entry_instrument.size();
  return book.instrument_count() * stress.count() * sizeof(double) +
         entries * (sizeof(std::int32_t) + sizeof(double)) +
         stress.covered.size() * sizeof(double) +
         book.portfolio_count() * kStressKinds * sizeof(double);
}

void check_stress_budget(std::size_t bytes, std::size_t budget_option, std::size_t default_budget,
                         const std::string& memory_name) {
  ChunkCosts costs;
  costs.fixed = bytes;
  const bool given = budget_option != 0;
  // One "row" and "column" of no cost: plan_chunks then only compares the bytes.
  plan_chunks(given ? budget_option : default_budget, given, 1, 1, costs,
              given ? "--memory-budget, stress scenarios" : memory_name + ", stress scenarios");
}

}  // namespace xm
