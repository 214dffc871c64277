#include "io/bounds.hpp"
#include "io/csv_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {

std::vector<Account> load_accounts(const std::string& path) {
  CsvReader table(path, {"account"}, {"mode", "group", "collateral"});
  const std::size_t id_col = table.index("account");
  const auto mode_col = table.find("mode"), group_col = table.find("group"),
             collateral_col = table.find("collateral");

  std::vector<Account> accounts;
  IdRegistry seen;
  CsvReader::Row row;
  while (table.next(row)) {
    Account account;
    account.id = unique_id(table, row, id_col, seen, "account");
    if (!table.is_empty(row, mode_col)) {
      const std::string_view mode = table.text(row, *mode_col);
      if (mode == "cross") {
        account.mode = MarginMode::cross;
      } else if (mode == "isolated") {
        account.mode = MarginMode::isolated;
      } else {
        table.fail(row, *mode_col, "expected 'cross' or 'isolated', found " + quote_cell(mode));
      }
    }
    if (!table.is_empty(row, group_col)) account.group = table.text(row, *group_col);
    if (const auto collateral = table.optional_number(row, collateral_col)) {
      if (!kCollateralBound.holds(*collateral)) {
        table.fail(row, *collateral_col, kCollateralBound.message("collateral"));
      }
      account.collateral = *collateral;
    }
    accounts.push_back(std::move(account));
  }
  sort_by_id(accounts);
  return accounts;
}

}  // namespace xm
