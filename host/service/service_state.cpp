#include "service/service_state.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "backends/worker_failure.hpp"
#include "stopwatch.hpp"
#include "xmargin/error.hpp"
#include "xmargin/margin_scenarios.hpp"

namespace xm::service {
namespace {

// Rows computed one by one below this many; above, on OpenMP's threads (the
// first state and large trade batches; a what-if stays on its own thread).
constexpr std::size_t kParallelRows = 64;

std::size_t global_instrument(const std::vector<std::size_t>* global_of, std::size_t k) {
  return global_of == nullptr ? k : (*global_of)[k];
}

}  // namespace

Evaluation evaluate_book(const ResidentRisk& resident, const Book& book,
                         const std::vector<std::size_t>* global_of, const ExtraInstruments* extra,
                         const ServiceState* previous, const std::set<std::string>& touched) {
  Evaluation out;
  pack_portfolios(book, out.rows, out.layout);
  const PortfolioLayout& layout = out.layout;
  const std::size_t portfolios = out.rows.portfolio_count();
  const std::size_t instruments = resident.instrument_count();
  out.risk.assign(portfolios, TailRisk{});
  out.values.assign(portfolios, ComponentValues{});

  // Each row keeps its previous values (an account or group nothing touched),
  // takes a unit's from the resident matrices, or is computed here.
  std::vector<std::size_t> computed;
  auto keep_or_compute = [&](std::size_t p, const std::map<std::string, std::size_t>* rows,
                             const std::string& id, bool unchanged) {
    if (previous != nullptr && unchanged) {
      if (const auto found = rows->find(id); found != rows->end()) {
        // Margin row r of an account or group is its portfolio row r too
        // (accounts, then groups, in both).
        const std::size_t from = found->second;
        out.risk[p] = previous->evaluation.risk[from];
        out.values[p] = previous->evaluation.values[from];
        return;
      }
    }
    computed.push_back(p);
  };
  for (std::size_t a = 0; a < layout.account_count; ++a) {
    const std::string& id = book.accounts[a].id;
    keep_or_compute(a, previous ? &previous->account_row : nullptr, id, touched.count(id) == 0);
  }
  for (std::size_t g = 0; g < layout.group_ids.size(); ++g) {
    bool unchanged = true;
    for (std::size_t a : layout.group_accounts[g])
      unchanged &= touched.count(book.accounts[a].id) == 0;
    keep_or_compute(layout.group_row(g), previous ? &previous->group_row : nullptr,
                    layout.group_ids[g], unchanged);
  }
  for (std::size_t i = 0; i < book.instruments.size(); ++i) {
    const std::size_t global = global_instrument(global_of, i);
    for (const auto& [unit_row, held_long] :
         {std::pair{layout.long_unit_row[i], true}, std::pair{layout.short_unit_row[i], false}}) {
      if (unit_row < 0) continue;
      const auto p = static_cast<std::size_t>(unit_row);
      if (global < instruments) {
        out.risk[p] = resident.unit_tail(global, held_long);
        out.values[p] = resident.unit_components(global, held_long);
      } else {
        computed.push_back(p);
      }
    }
  }

  const Config& config = resident.config();
  auto compute = [&](std::size_t p) {
    const auto begin = static_cast<std::size_t>(out.rows.row_offsets[p]);
    const auto end = static_cast<std::size_t>(out.rows.row_offsets[p + 1]);
    std::vector<std::int32_t> global(end - begin);
    for (std::size_t e = begin; e < end; ++e) {
      global[e - begin] = static_cast<std::int32_t>(
          global_instrument(global_of, static_cast<std::size_t>(out.rows.entry_instrument[e])));
    }
    const RowRisk risk =
        resident.row_risk({global.data(), &out.rows.entry_weight[begin], end - begin}, extra,
                          [&] { return describe_portfolio(book, layout, p); });
    out.risk[p] = risk.pooled;
    out.values[p] = portfolio_margin(config, risk.view());
  };
  WorkerFailure failure;
#pragma omp parallel for schedule(dynamic, 4) if (computed.size() > kParallelRows)
  for (std::size_t k = 0; k < computed.size(); ++k) failure.run([&] { compute(computed[k]); });
  failure.rethrow_if_failed();

  std::vector<double> row_margin(portfolios);
  for (std::size_t p = 0; p < portfolios; ++p) row_margin[p] = out.values[p][Component::margin];
  out.margin_rows = margin_rows(book, layout, out.risk, row_margin);
  out.components = component_rows(book, layout, out.values);
  return out;
}

std::pair<std::size_t, std::size_t> ServiceState::positions_of(std::size_t account) const {
  const auto by_account = [](const Position& p, std::size_t a) { return p.account < a; };
  const auto first =
      std::lower_bound(book.positions.begin(), book.positions.end(), account, by_account);
  auto last = first;
  while (last != book.positions.end() && last->account == account) ++last;
  return {static_cast<std::size_t>(first - book.positions.begin()),
          static_cast<std::size_t>(last - book.positions.begin())};
}

namespace {

// The state's indexes, margins.csv and run summary for its evaluation.
void finish_state(ServiceState& state) {
  const std::vector<MarginRow>& rows = state.rows();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    (rows[r].level == RowLevel::account ? state.account_row : state.group_row)[rows[r].id] = r;
  }
  std::ostringstream csv;
  write_margins_csv(csv, rows);
  state.margins_csv = csv.str();
  const PreparedRun& prepared = state.resident->prepared();
  RunInfo& info = state.info;
  info.backend = "cpu";
  info.device = "host memory (the resident matrices)";
  info.config = prepared.inputs.config;
  info.scenario_count = prepared.scenarios.count();
  info.accounts = state.book.accounts.size();
  info.groups = state.evaluation.layout.group_ids.size();
  info.instruments = state.book.instruments.size();
  info.positions = state.book.positions.size();
  info.underlyings = prepared.packed.book.underlying_count();
  info.components =
      configured_components(prepared.inputs.config, prepared.inputs.replayed_scenarios.has_value());
}

}  // namespace

std::shared_ptr<const ServiceState> build_state(std::shared_ptr<const PreparedRun> prepared,
                                                int threads, std::size_t memory_budget_bytes) {
  auto state = std::make_shared<ServiceState>();
  Stopwatch stopwatch;
  state->resident = std::make_shared<const ResidentRisk>(prepared, threads, memory_budget_bytes);
  const double revalue_seconds = stopwatch.seconds();
  state->book = prepared->inputs.book;
  state->evaluation = evaluate_book(*state->resident, state->book, nullptr, nullptr, nullptr, {});
  state->revaluation_seconds = stopwatch.seconds();
  state->revaluation_stages = {{"revalue", revalue_seconds},
                               {"margins", state->revaluation_seconds - revalue_seconds}};
  // The document updates merge into: the market file as loaded (load_market
  // read and checked it just before).
  std::ifstream market(prepared->inputs.paths.market, std::ios::binary);
  state->market_document = std::make_shared<const Json>(Json::parse(
      std::string(std::istreambuf_iterator<char>(market), std::istreambuf_iterator<char>())));
  state->revalued_at = std::chrono::system_clock::now();
  state->version = 1;
  finish_state(*state);
  return state;
}

std::shared_ptr<const ServiceState> next_state(const ServiceState& previous, Book book,
                                               const std::set<std::string>& touched,
                                               std::uint64_t version) {
  auto state = std::make_shared<ServiceState>();
  state->resident = previous.resident;
  state->book = std::move(book);
  state->evaluation =
      evaluate_book(*state->resident, state->book, nullptr, nullptr, &previous, touched);
  state->market_document = previous.market_document;
  state->revaluation_seconds = previous.revaluation_seconds;
  state->revaluation_stages = previous.revaluation_stages;
  state->revalued_at = previous.revalued_at;
  state->version = version;
  finish_state(*state);
  return state;
}

std::shared_ptr<const ServiceState> next_market_state(const ServiceState& previous,
                                                      MergedMarket market, std::uint64_t version) {
  const ResidentRisk& resident = *previous.resident;
  auto prepared = std::make_shared<PreparedRun>();
  prepared->inputs = resident.prepared().inputs;
  prepared->inputs.book = previous.book;
  prepared->inputs.book.market = std::move(market.market);
  prepared->input_files = resident.prepared().input_files;
  Stopwatch stopwatch, total;
  std::vector<StageTiming> stages;
  prepared->packed = pack_book(prepared->inputs.book);
  stages.push_back({"pack", stopwatch.seconds()});
  stopwatch.restart();
  MarginScenarioSets sets =
      build_margin_scenarios(prepared->inputs, prepared->packed.book.underlying_ids, true);
  prepared->scenarios = std::move(sets.pooled);
  prepared->source_scenarios = std::move(sets.sources);
  prepared->floor_scenarios = std::move(sets.floor);
  prepared->stress = std::move(sets.stress);
  stages.push_back({"scenarios", stopwatch.seconds()});
  stopwatch.restart();

  auto state = std::make_shared<ServiceState>();
  state->resident = std::make_shared<const ResidentRisk>(prepared, resident.threads(),
                                                         resident.memory_budget_bytes());
  stages.push_back({"revalue", stopwatch.seconds()});
  stopwatch.restart();
  state->book = prepared->inputs.book;
  state->evaluation = evaluate_book(*state->resident, state->book, nullptr, nullptr, nullptr, {});
  stages.push_back({"margins", stopwatch.seconds()});
  state->market_document = std::move(market.document);
  state->revaluation_seconds = total.seconds();
  state->revaluation_stages = std::move(stages);
  state->revalued_at = std::chrono::system_clock::now();
  state->version = version;
  finish_state(*state);
  return state;
}

}  // namespace xm::service
