#pragma once
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "io/csv_reader.hpp"

#include "xmargin/book.hpp"
#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// One loader per input file of SPEC §2. Each validates everything it reads and
// throws InputError naming file:line:column.

using IdIndex = std::unordered_map<std::string, std::size_t>;
IdIndex index_ids(const std::vector<std::string>& ids);

// The id in `column` of `row`; an error naming `kind` if an earlier row had it.
const std::string& unique_id(const CsvTable& table, const CsvTable::Row& row, std::size_t column,
                             std::unordered_set<std::string>& seen, const char* kind);

Market load_market(const std::string& path);
std::vector<Instrument> load_instruments(const std::string& path, const Market& market);
std::vector<Account> load_accounts(const std::string& path);

// Nets the rows of positions.csv into one position per (account, instrument).
// With `accounts` (from accounts.csv) every position's account must be listed;
// without, the accounts are those of the positions, all cross, no collateral.
struct LoadedPositions {
  std::vector<Account> accounts;    // sorted by id
  std::vector<Position> positions;  // sorted by (account, instrument)
};
LoadedPositions load_positions(const std::string& path, const std::vector<Instrument>& instruments,
                               const std::vector<Account>* accounts);

// Reads the date column, the price columns of `required_underlyings` and their
// optional ".vol" columns; other columns are ignored (history files are often
// market-wide).
History load_history(const std::string& path, const std::vector<std::string>& required_underlyings);

Config load_config(const std::string& path);

}  // namespace xm
