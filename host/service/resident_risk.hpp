#pragma once
// The margin service's resident revaluation (docs/service.md): every
// instrument's unit P&L under every scenario set a margin needs (the pooled
// statistical set, each source alone, the floor's lookback, the stress
// scenarios), computed once per market and kept in host memory. A portfolio's
// P&L is linear in its quantities, so any portfolio row — one the book holds
// or one a what-if makes — is then a sum of these rows, its tail a selection
// over that sum: no instrument is priced again.
//
// Every number equals the batch run's to the bit: the unit P&L comes from the
// revaluation kernel's body (kernel::revalue_item), a row's P&L is summed in
// CSR order from 0.0 as every backend sums it, its tail is the k first losses
// by ranks_before (the unique set the backends' chunked merges keep), and the
// stress charges come from the stress kernel's body (kernel::stress_row).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "xmargin/components.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/views.hpp"

namespace xm::service {

// The tails and stress charges of one portfolio row, owned (PortfolioRisk
// points into them).
struct RowRisk {
  TailRisk pooled;
  std::array<TailRisk, 3> sources{};
  std::array<bool, 3> has_source{};
  TailRisk floor;
  bool has_floor = false;
  std::array<double, 3> stress{};
  bool has_stress = false;

  PortfolioRisk view() const;
};

// Instruments a what-if adds to the book: their packed arrays and unit P&L
// under every set, in the order given.
struct ExtraInstruments {
  std::vector<Instrument> instruments;
  PackedBook packed;                      // instrument arrays only
  std::vector<std::vector<double>> unit;  // per set: [extra × N]
  std::vector<double> stress_unit;        // [extra × stress N]
};

// A portfolio row: entries in pack_book's order (instrument ascending; an
// index I + k names extra instrument k).
struct RowEntries {
  const std::int32_t* instrument = nullptr;
  const double* weight = nullptr;
  std::size_t count = 0;
};

// What a row stands for, in words ("account A1"): made only for an error.
using Describe = std::function<std::string()>;

class ResidentRisk {
 public:
  // Revalues every instrument of `prepared` under each of its sets on
  // `threads` threads (0: OpenMP's default). A set that does not fit
  // `memory_budget_bytes` (0: most of the free host memory) is a RunError
  // naming the bytes needed; a non-finite unit P&L is one naming the
  // instrument and scenario, as the batch run's.
  ResidentRisk(std::shared_ptr<const PreparedRun> prepared, int threads,
               std::size_t memory_budget_bytes);

  const PreparedRun& prepared() const { return *prepared_; }
  int threads() const { return threads_; }
  std::size_t memory_budget_bytes() const { return memory_budget_bytes_; }
  const Config& config() const { return prepared_->inputs.config; }
  std::size_t instrument_count() const { return prepared_->packed.book.instrument_count(); }
  std::size_t bytes() const;  // the resident matrices

  // The packed underlying of each market underlying, −1 where no instrument
  // uses it (scenarios exist only for the packed ones).
  std::int32_t packed_underlying(std::size_t market_underlying) const {
    return packed_underlying_[market_underlying];
  }

  // Index of the book's instrument `id`, or nullopt.
  std::optional<std::size_t> find_instrument(const std::string& id) const {
    const auto found = instrument_index_.find(id);
    if (found == instrument_index_.end()) return std::nullopt;
    return found->second;
  }

  // Prices `instruments` (already checked as instruments.csv's rows) under
  // every set. Each must be on an underlying the book's instruments use.
  ExtraInstruments price_extra(std::vector<Instrument> instruments) const;

  // A non-finite P&L of the row is a RunError naming `what()`.
  RowRisk row_risk(const RowEntries& row, const ExtraInstruments* extra,
                   const Describe& what) const;

  // The components of one unit of instrument i held long or short (the
  // isolated margins' rows), computed once per market.
  const ComponentValues& unit_components(std::size_t instrument, bool held_long) const {
    return unit_values_[2 * instrument + (held_long ? 0 : 1)];
  }
  const TailRisk& unit_tail(std::size_t instrument, bool held_long) const {
    return unit_tails_[2 * instrument + (held_long ? 0 : 1)];
  }

 private:
  struct ResidentSet {
    const ScenarioSet* scenarios = nullptr;
    std::vector<double> unit;  // [I × N], instrument-major
    std::size_t ranks = 0;     // tail_ranks_needed of its weights
  };
  std::shared_ptr<const PreparedRun> prepared_;
  int threads_;
  std::size_t memory_budget_bytes_;
  std::vector<std::int32_t> packed_underlying_;
  std::unordered_map<std::string, std::size_t> instrument_index_;
  // sets_[0] the pooled set; then each source's own set and the floor's,
  // where the run has them (source_set_ / floor_set_ index into sets_).
  std::vector<ResidentSet> sets_;
  std::array<int, 3> source_set_{-1, -1, -1};
  int floor_set_ = -1;
  std::vector<double> stress_unit_;  // [I × stress N]
  std::vector<ComponentValues> unit_values_;
  std::vector<TailRisk> unit_tails_;

  std::vector<double> revalue(const InstrumentsView& instruments, const ScenarioSet& scenarios,
                              const char* set_name) const;
  TailRisk tail_of(const ResidentSet& set, std::size_t set_index, const RowEntries& row,
                   const ExtraInstruments* extra, const Describe& what) const;
  std::array<double, 3> stress_of(const RowEntries& row, const ExtraInstruments* extra,
                                  const Describe& what) const;
};

}  // namespace xm::service
