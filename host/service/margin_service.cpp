#include "service/margin_service.hpp"

#include "service/request_error.hpp"
#include "service/request_json.hpp"
#include "xmargin/error.hpp"

namespace xm::service {

std::string trades_record(const std::vector<Trade>& trades) {
  Json rows = Json::array();
  for (const Trade& trade : trades) {
    rows.push_back(Json{{"account", trade.account},
                        {"instrument", trade.instrument},
                        {"quantity", trade.quantity}});
  }
  return Json{{"trades", std::move(rows)}}.dump();
}

std::string market_record(const Json& change) {
  return Json{{"market", change}}.dump();
}

MarginService::MarginService(std::shared_ptr<const ServiceState> first)
    : state_(std::move(first)) {}

TradeOutcome MarginService::trades_on(const ServiceState& state,
                                      const std::vector<Trade>& trades) const {
  TradeOutcome outcome;
  Book book = book_with_trades(state, trades, outcome.accounts);
  outcome.state = next_state(state, std::move(book), outcome.accounts, state.version + 1);
  const ServiceState& next = *outcome.state;
  for (const std::string& id : outcome.accounts) {
    // An account's margin row is its index in the book.
    const std::string& group = next.book.accounts[next.account_row.at(id)].group;
    if (!group.empty()) outcome.groups.insert(group);
  }
  return outcome;
}

std::shared_ptr<const ServiceState> MarginService::market_on(const ServiceState& state,
                                                             const Json& change) const {
  MergedMarket merged = merge_market_change(
      *state.market_document, change, state.resident->config().vol_surface, state.book.instruments);
  try {
    return next_market_state(state, std::move(merged), state.version + 1);
  } catch (const InputError& error) {
    // A scenario set the new market moves out of bounds (the config's message).
    throw RequestError(422, "", error.what());
  }
}

void MarginService::open_journal(const std::string& journal_path, std::ostream& warnings) {
  std::vector<std::string> records;
  auto journal = std::make_unique<Journal>(journal_path, records, warnings);
  std::shared_ptr<const ServiceState> state = this->state();
  for (std::size_t r = 0; r < records.size(); ++r) {
    try {
      const Json record = parse_request(records[r]);
      state = record.contains("market")
                  ? market_on(*state, read_market_change(record["market"].dump()))
                  : trades_on(*state, read_trades(records[r])).state;
    } catch (const RequestError& error) {
      throw InputError(journal_path, 0, 0,
                       "record " + std::to_string(r + 1) +
                           " no longer applies to the input files (" + error.pointer() + ": " +
                           error.what() + "); the journal belongs to other inputs");
    } catch (const RunError& error) {
      throw InputError(journal_path, 0, 0,
                       "record " + std::to_string(r + 1) +
                           " no longer applies to the input files (" + error.what() + ")");
    }
  }
  std::atomic_store(&state_, state);
  journal_ = std::move(journal);
}

TradeOutcome MarginService::apply_trades(const std::vector<Trade>& trades) {
  const std::lock_guard<std::mutex> lock(writer_);
  TradeOutcome outcome = trades_on(*state(), trades);
  if (journal_) journal_->append(trades_record(trades));
  std::atomic_store(&state_, outcome.state);
  return outcome;
}

std::shared_ptr<const ServiceState> MarginService::update_market(const Json& change) {
  const std::lock_guard<std::mutex> lock(writer_);
  std::shared_ptr<const ServiceState> next = market_on(*state(), change);
  if (journal_) journal_->append(market_record(change));
  std::atomic_store(&state_, next);
  return next;
}

}  // namespace xm::service
