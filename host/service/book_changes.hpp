#pragma once
// What trades do to the service's book (docs/service.md): a what-if's rows
// for one account and its group, changing nothing, and a batch of trades
// applied to a copy of the book. A trade adds its quantity to the account's
// position in the instrument, as one more row of positions.csv does: the
// position's netted quantity becomes (its rows' sum) + q₁ + q₂ …, in trade
// order, so that the state equals `xmargin run` on positions.csv with the
// trades appended.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "service/service_state.hpp"

namespace xm::service {

struct Trade {
  std::string account;  // empty in a what-if's trades (the what-if names it once)
  std::string instrument;
  double quantity = 0.0;
  std::string pointer;  // the trade's JSON pointer, for errors
};

struct WhatIf {
  std::string account;
  std::vector<Trade> trades;
  // Instruments the book does not hold, already checked as instruments.csv's
  // rows; trades may name them.
  std::vector<Instrument> instruments;
};

struct RowPair {
  MarginRow margin;
  ComponentRow components;
};

struct WhatIfAnswer {
  RowPair account_before, account_after;
  std::optional<RowPair> group_before, group_after;
};

// The account's rows, and its group's, with the trades applied; `state`
// unchanged. Unknown account: RequestError 404; unknown instrument, an added
// instrument that clashes with the book's or whose underlying has no
// scenarios, a quantity out of bounds: 422.
WhatIfAnswer evaluate_what_if(const ServiceState& state, const WhatIf& what_if);

// The state's book with every trade applied, and the ids of the accounts they
// touch. An account the book does not have opens a new cross-margined account
// without collateral where the book came without accounts.csv (as a new
// account in positions.csv does); with accounts.csv it is a 404, as
// positions.csv's loader refuses it.
Book book_with_trades(const ServiceState& state, const std::vector<Trade>& trades,
                      std::set<std::string>& touched);

}  // namespace xm::service
