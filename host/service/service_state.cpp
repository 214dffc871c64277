#include "service/service_state.hpp"

#include <sstream>

#include "stopwatch.hpp"

namespace xm::service {

std::shared_ptr<const ServiceState> build_state(const PreparedRun& prepared, Backend& backend,
                                                std::uint64_t version) {
  auto state = std::make_shared<ServiceState>();
  Stopwatch stopwatch;
  RunOutcome outcome = run_margins(prepared, backend, false);
  state->revaluation_seconds = stopwatch.seconds();
  state->revalued_at = std::chrono::system_clock::now();
  state->version = version;
  std::ostringstream csv;
  write_margins_csv(csv, outcome.rows);
  state->margins_csv = csv.str();
  state->rows = std::move(outcome.rows);
  state->components = std::move(outcome.components);
  state->info = std::move(outcome.info);
  for (std::size_t r = 0; r < state->rows.size(); ++r) {
    const MarginRow& row = state->rows[r];
    (row.level == RowLevel::account ? state->account_row : state->group_row)[row.id] = r;
  }
  const Book& book = prepared.inputs.book;
  for (const Account& account : book.accounts) {
    state->positions[account.id];  // listed accounts without positions too
    if (!account.group.empty()) state->group_of[account.id] = account.group;
  }
  for (const Position& position : book.positions) {
    state->positions[book.accounts[position.account].id].emplace_back(
        book.instruments[position.instrument].id, position.quantity);
  }
  return state;
}

}  // namespace xm::service
