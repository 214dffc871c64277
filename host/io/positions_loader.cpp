#include <algorithm>
#include <map>

#include "io/csv_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {

LoadedPositions load_positions(const std::string& path, const std::vector<Instrument>& instruments,
                               const std::vector<Account>* accounts) {
  const CsvTable table = CsvTable::read(path, {"account", "instrument", "quantity"}, {});
  const std::size_t account_col = table.index("account"),
                    instrument_col = table.index("instrument"),
                    quantity_col = table.index("quantity");

  std::vector<std::string> instrument_ids;
  for (const Instrument& inst : instruments) instrument_ids.push_back(inst.id);
  const IdIndex instrument_index = index_ids(instrument_ids);

  LoadedPositions loaded;
  if (accounts) loaded.accounts = *accounts;
  std::vector<std::string> account_ids;
  for (const Account& account : loaded.accounts) account_ids.push_back(account.id);
  const IdIndex listed = index_ids(account_ids);

  // Net by (account id, instrument): several rows for one pair add up (SPEC §2).
  std::map<std::pair<std::string, std::size_t>, double> netted;
  for (const CsvTable::Row& row : table.rows()) {
    const std::string& account = table.text(row, account_col);
    if (accounts && !listed.contains(account)) {
      table.fail(row, account_col, "unknown account '" + account + "' (not in accounts.csv)");
    }
    const std::string& instrument = table.text(row, instrument_col);
    const auto found = instrument_index.find(instrument);
    if (found == instrument_index.end()) {
      table.fail(row, instrument_col,
                 "unknown instrument '" + instrument + "' (not in instruments.csv)");
    }
    netted[{account, found->second}] += table.number(row, quantity_col);
  }

  if (!accounts) {
    for (const auto& [key, quantity] : netted) {
      if (loaded.accounts.empty() || loaded.accounts.back().id != key.first) {
        loaded.accounts.push_back(Account{key.first, MarginMode::cross, "", 0.0});
      }
    }
  }
  std::sort(loaded.accounts.begin(), loaded.accounts.end(),
            [](const Account& a, const Account& b) { return a.id < b.id; });
  account_ids.clear();
  for (const Account& account : loaded.accounts) account_ids.push_back(account.id);
  const IdIndex account_index = index_ids(account_ids);

  for (const auto& [key, quantity] : netted) {
    loaded.positions.push_back(Position{account_index.at(key.first), key.second, quantity});
  }
  std::sort(loaded.positions.begin(), loaded.positions.end(),
            [](const Position& a, const Position& b) {
              return a.account != b.account ? a.account < b.account : a.instrument < b.instrument;
            });
  return loaded;
}

}  // namespace xm
