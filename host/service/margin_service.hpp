#pragma once
// The margin service's state machine (docs/service.md): the current
// ServiceState, swapped whole for the next one when a change lands, so a
// request reads one version from start to end; changes serialised by one
// lock and, with a journal, on disk before they are acknowledged.
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "service/book_changes.hpp"
#include "service/journal.hpp"
#include "service/service_state.hpp"

namespace xm::service {

struct TradeOutcome {
  std::shared_ptr<const ServiceState> state;  // the new version
  std::set<std::string> accounts, groups;     // the rows the batch moved
};

class MarginService {
 public:
  explicit MarginService(std::shared_ptr<const ServiceState> first);

  // Replays `journal_path`'s records onto the state, then journals every
  // change from here on. A record that no longer applies is an InputError
  // naming the journal's record.
  void open_journal(const std::string& journal_path, std::ostream& warnings);

  std::shared_ptr<const ServiceState> state() const { return std::atomic_load(&state_); }

  // One atomic batch: journaled (when a journal is open), then visible.
  TradeOutcome apply_trades(const std::vector<Trade>& trades);

  // PUT /v1/market's body (read_market_change): the full revaluation, built
  // beside the current state (which what-ifs and reads keep using), then
  // journaled and swapped in. Returns the new state.
  std::shared_ptr<const ServiceState> update_market(const Json& change);

 private:
  std::shared_ptr<const ServiceState> state_;
  std::mutex writer_;  // one change at a time
  std::unique_ptr<Journal> journal_;

  TradeOutcome trades_on(const ServiceState& state, const std::vector<Trade>& trades) const;
  std::shared_ptr<const ServiceState> market_on(const ServiceState& state,
                                                const Json& change) const;
};

// The journal records of a trade batch and of a market change.
std::string trades_record(const std::vector<Trade>& trades);
std::string market_record(const Json& change);

}  // namespace xm::service
