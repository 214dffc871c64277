#include "service/book_changes.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "io/bounds.hpp"
#include "service/request_error.hpp"

namespace xm::service {
namespace {

std::optional<std::size_t> find_account(const Book& book, const std::string& id) {
  const auto found = std::lower_bound(
      book.accounts.begin(), book.accounts.end(), id,
      [](const Account& account, const std::string& key) { return account.id < key; });
  if (found == book.accounts.end() || found->id != id) return std::nullopt;
  return static_cast<std::size_t>(found - book.accounts.begin());
}

// A trade's quantity within positions.csv's bound on |quantity × multiplier|.
void check_exposure(const Trade& trade, double multiplier) {
  if (!std::isfinite(trade.quantity) ||
      !kExposureBound.holds(std::fabs(trade.quantity * multiplier))) {
    throw RequestError(422, trade.pointer + "/quantity",
                       std::string("|quantity × multiplier| must be ") + kExposureBound.text);
  }
}

// Adds each trade (instrument index, quantity) to `positions`, one account's
// positions sorted by instrument: to the position's quantity where it has
// one, else as a new position from 0.0, as net_rows sums positions.csv's rows.
void add_trades(std::vector<Position>& positions, std::size_t account,
                const std::vector<std::pair<std::size_t, double>>& trades) {
  for (const auto& [instrument, quantity] : trades) {
    const auto at =
        std::lower_bound(positions.begin(), positions.end(), instrument,
                         [](const Position& p, std::size_t i) { return p.instrument < i; });
    if (at != positions.end() && at->instrument == instrument) {
      at->quantity += quantity;
    } else {
      positions.insert(at, Position{account, instrument, 0.0 + quantity});
    }
  }
}

RowPair row_pair(const Evaluation& evaluation, std::size_t r) {
  return {evaluation.margin_rows[r], evaluation.components[r]};
}

// The added instruments: ids new to the book and to each other, on
// underlyings the book's scenarios move.
void check_added(const ServiceState& state, const std::vector<Instrument>& added) {
  const ResidentRisk& resident = *state.resident;
  for (std::size_t k = 0; k < added.size(); ++k) {
    const std::string pointer = "/instruments/" + std::to_string(k);
    if (resident.find_instrument(added[k].id)) {
      throw RequestError(422, pointer + "/instrument",
                         "instrument '" + added[k].id + "' is in instruments.csv already");
    }
    for (std::size_t j = 0; j < k; ++j) {
      if (added[j].id == added[k].id) {
        throw RequestError(422, pointer + "/instrument",
                           "instrument '" + added[k].id + "' is added twice");
      }
    }
    if (resident.packed_underlying(added[k].underlying) < 0) {
      throw RequestError(
          422, pointer + "/underlying",
          "underlying '" + state.book.market.underlyings[added[k].underlying].id +
              "' has no scenarios: no instrument of the book is on it (restart the service with "
              "an instrument on it in instruments.csv)");
    }
  }
}

}  // namespace

WhatIfAnswer evaluate_what_if(const ServiceState& state, const WhatIf& what_if) {
  const Book& book = state.book;
  const ResidentRisk& resident = *state.resident;
  const std::size_t instruments = resident.instrument_count();
  const auto account = find_account(book, what_if.account);
  if (!account) throw RequestError(404, "/account", "unknown account '" + what_if.account + "'");
  check_added(state, what_if.instruments);

  // Each trade's instrument as an index of the resident book (I + k: added k).
  std::vector<std::pair<std::size_t, double>> trades;
  for (const Trade& trade : what_if.trades) {
    std::optional<std::size_t> global = resident.find_instrument(trade.instrument);
    for (std::size_t k = 0; !global && k < what_if.instruments.size(); ++k) {
      if (what_if.instruments[k].id == trade.instrument) global = instruments + k;
    }
    if (!global) {
      throw RequestError(422, trade.pointer + "/instrument",
                         "unknown instrument '" + trade.instrument +
                             "' (not in instruments.csv nor in the request's instruments)");
    }
    const double multiplier = *global < instruments
                                  ? book.instruments[*global].multiplier
                                  : what_if.instruments[*global - instruments].multiplier;
    check_exposure(trade, multiplier);
    trades.emplace_back(*global, trade.quantity);
  }

  // The portfolios the trades move: the account, and its group's accounts.
  std::vector<std::size_t> members = {*account};
  const std::string& group = book.accounts[*account].group;
  const PortfolioLayout& layout = state.evaluation.layout;
  if (!group.empty()) {
    members = layout.group_accounts[state.group_row.at(group) - layout.account_count];
  }

  // A book of those accounts alone, over the instruments they hold or trade,
  // numbered in the resident book's order (added ones last, in request order)
  // so that every row sums in pack_book's order.
  std::vector<std::size_t> global_of;
  for (std::size_t a : members) {
    const auto [first, last] = state.positions_of(a);
    for (std::size_t p = first; p < last; ++p) global_of.push_back(book.positions[p].instrument);
  }
  for (const auto& [global, quantity] : trades) global_of.push_back(global);
  std::sort(global_of.begin(), global_of.end());
  global_of.erase(std::unique(global_of.begin(), global_of.end()), global_of.end());
  const auto local = [&](std::size_t global) {
    return static_cast<std::size_t>(std::lower_bound(global_of.begin(), global_of.end(), global) -
                                    global_of.begin());
  };

  Book small;
  for (std::size_t global : global_of) {
    small.instruments.push_back(global < instruments ? book.instruments[global]
                                                     : what_if.instruments[global - instruments]);
  }
  std::size_t traded = 0;
  for (std::size_t m = 0; m < members.size(); ++m) {
    small.accounts.push_back(book.accounts[members[m]]);
    const auto [first, last] = state.positions_of(members[m]);
    std::vector<Position> positions;
    for (std::size_t p = first; p < last; ++p) {
      positions.push_back({m, local(book.positions[p].instrument), book.positions[p].quantity});
    }
    if (members[m] == *account) {
      traded = m;
      std::vector<std::pair<std::size_t, double>> local_trades;
      for (const auto& [global, quantity] : trades)
        local_trades.emplace_back(local(global), quantity);
      add_trades(positions, m, local_trades);
    }
    small.positions.insert(small.positions.end(), positions.begin(), positions.end());
  }

  ExtraInstruments extra;
  if (!what_if.instruments.empty()) extra = resident.price_extra(what_if.instruments);
  const Evaluation after =
      evaluate_book(resident, small, &global_of, &extra, &state, {what_if.account});

  WhatIfAnswer answer;
  const std::size_t before_row = state.account_row.at(what_if.account);
  answer.account_before = row_pair(state.evaluation, before_row);
  answer.account_after = row_pair(after, traded);
  if (!group.empty()) {
    answer.group_before = row_pair(state.evaluation, state.group_row.at(group));
    answer.group_after = row_pair(after, small.accounts.size());
  }
  return answer;
}

Book book_with_trades(const ServiceState& state, const std::vector<Trade>& trades,
                      std::set<std::string>& touched) {
  const Book& book = state.book;
  const ResidentRisk& resident = *state.resident;
  const bool accounts_listed = !resident.prepared().inputs.paths.accounts.empty();

  // Check every trade before changing anything: a batch applies whole or not at all.
  std::map<std::string, std::vector<std::pair<std::size_t, double>>> by_account;
  for (const Trade& trade : trades) {
    if (!accounts_listed && trade.account.empty()) {
      throw RequestError(422, trade.pointer + "/account", "an account id may not be empty");
    }
    if (accounts_listed && !find_account(book, trade.account)) {
      throw RequestError(404, trade.pointer + "/account",
                         "unknown account '" + trade.account + "' (not in accounts.csv)");
    }
    const auto instrument = resident.find_instrument(trade.instrument);
    if (!instrument) {
      throw RequestError(422, trade.pointer + "/instrument",
                         "unknown instrument '" + trade.instrument + "' (not in instruments.csv)");
    }
    check_exposure(trade, book.instruments[*instrument].multiplier);
    by_account[trade.account].emplace_back(*instrument, trade.quantity);
    touched.insert(trade.account);
  }

  Book changed;
  changed.market = book.market;
  changed.instruments = book.instruments;
  // Accounts stay sorted by id; a new one (no accounts.csv) joins no group.
  changed.accounts = book.accounts;
  for (const auto& [id, ignored] : by_account) {
    if (!find_account(changed, id)) {
      const auto at = std::lower_bound(
          changed.accounts.begin(), changed.accounts.end(), id,
          [](const Account& account, const std::string& key) { return account.id < key; });
      changed.accounts.insert(at, Account{id, MarginMode::cross, "", 0.0});
    }
  }
  for (std::size_t a = 0; a < changed.accounts.size(); ++a) {
    std::vector<Position> positions;
    if (const auto old = find_account(book, changed.accounts[a].id)) {
      const auto [first, last] = state.positions_of(*old);
      positions.assign(book.positions.begin() + static_cast<std::ptrdiff_t>(first),
                       book.positions.begin() + static_cast<std::ptrdiff_t>(last));
      for (Position& p : positions) p.account = a;
    }
    if (const auto found = by_account.find(changed.accounts[a].id); found != by_account.end()) {
      add_trades(positions, a, found->second);
    }
    changed.positions.insert(changed.positions.end(), positions.begin(), positions.end());
  }
  return changed;
}

}  // namespace xm::service
