#pragma once
// One version of what the margin service serves (README "Intraday service"):
// immutable once built, so a request reads one state from start to end while a
// later version is built beside it and swapped in.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "service/market_update.hpp"
#include "service/resident_risk.hpp"
#include "xmargin/components.hpp"
#include "xmargin/margin_rows.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/report.hpp"

namespace xm::service {

// A book's portfolio rows evaluated on the resident matrices: the CSR rows and
// layout pack_portfolios makes, each row's pooled tail and SPEC §5.4 stack
// (portfolio_margin), and the margins.csv and components.csv rows the batch
// functions (margin_rows, component_rows) make of them.
struct Evaluation {
  PackedBook rows;  // row_offsets, entry_instrument, entry_weight only
  PortfolioLayout layout;
  std::vector<TailRisk> risk;           // [P]
  std::vector<ComponentValues> values;  // [P]
  std::vector<MarginRow> margin_rows;   // accounts then groups, by id
  std::vector<ComponentRow> components;
};

struct ServiceState;

// Evaluates `book`, whose instrument k is the resident book's instrument
// global_of[k] (an index I + j names extra instrument j; null: the resident
// book's own instruments). An account or group of `previous` whose id is not
// in `touched` (a group: none of its accounts) keeps its row as it was.
Evaluation evaluate_book(const ResidentRisk& resident, const Book& book,
                         const std::vector<std::size_t>* global_of, const ExtraInstruments* extra,
                         const ServiceState* previous, const std::set<std::string>& touched);

struct ServiceState {
  std::uint64_t version = 0;
  std::shared_ptr<const ResidentRisk> resident;
  Book book;  // the resident market's book with every trade applied
  Evaluation evaluation;
  std::string margins_csv;  // the bytes `xmargin run` writes to margins.csv
  RunInfo info;             // counts, components mask, worst scenarios' names
  // Row of each account and group id in evaluation.margin_rows; an account's
  // index in book.accounts; row of each id in evaluation.rows (portfolio rows).
  std::map<std::string, std::size_t> account_row, group_row;
  // market.json as the service started from it, every market change merged in.
  std::shared_ptr<const Json> market_document;
  std::chrono::system_clock::time_point revalued_at;
  double revaluation_seconds = 0.0;
  std::vector<StageTiming> revaluation_stages;  // of the last full revaluation

  const std::vector<MarginRow>& rows() const { return evaluation.margin_rows; }
  const std::vector<ComponentRow>& components() const { return evaluation.components; }
  // Positions [first, last) of book.positions held by account `a`.
  std::pair<std::size_t, std::size_t> positions_of(std::size_t account) const;
};

// The first state of `prepared`: its resident matrices built on `threads`
// threads within `memory_budget_bytes`, every row evaluated.
std::shared_ptr<const ServiceState> build_state(std::shared_ptr<const PreparedRun> prepared,
                                                int threads, std::size_t memory_budget_bytes);

// The state of `previous`'s book in `market`: the book packed again, every
// scenario set built again (Monte Carlo targets, stress shocks and surfaces
// depend on the market), every instrument revalued, every row evaluated, as
// version `version`. Nothing is read from disk.
std::shared_ptr<const ServiceState> next_market_state(const ServiceState& previous,
                                                      MergedMarket market, std::uint64_t version);

// The state of `book` (the resident's book with trades applied) as version
// `version`, every row not in `touched` taken from `previous`.
std::shared_ptr<const ServiceState> next_state(const ServiceState& previous, Book book,
                                               const std::set<std::string>& touched,
                                               std::uint64_t version);

}  // namespace xm::service
