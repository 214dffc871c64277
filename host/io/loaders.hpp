#pragma once
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/csv_reader.hpp"

#include "xmargin/book.hpp"
#include "xmargin/config.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// One loader per input file of SPEC §2. Each validates everything it reads and
// throws InputError naming file:line:column.

using IdIndex = StringMap<std::size_t>;
IdIndex index_ids(const std::vector<std::string>& ids);

// Ids in the order a file gives them, each with its index in that order.
// Files usually list ids in ascending order; while they do, an id greater
// than the last is new without a lookup, so the hash index (the costly part
// for a million ids) is only built once the order breaks.
class IdRegistry {
 public:
  // The index of `id`, and whether it is new (then it is appended).
  std::pair<std::size_t, bool> insert(std::string_view id);
  std::size_t size() const { return ids_.size(); }
  bool ascending() const { return index_.empty(); }
  std::string& operator[](std::size_t index) { return ids_[index]; }

 private:
  std::deque<std::string> ids_;  // a deque: index_ views its strings, which must not move
  std::unordered_map<std::string_view, std::size_t> index_;
};

// The id in `column` of `row`; an error naming `kind` if an earlier row had it.
std::string_view unique_id(const CsvReader& table, const CsvReader::Row& row, std::size_t column,
                           IdRegistry& seen, const char* kind);

// Why `id` cannot name an underlying, or nullopt when it can. Underlying ids
// become column names in history.csv ("<id>", "<id>.vol", "<id>.vol@<days>d")
// and in scenario files ("<id>.price_factor", "<id>.vol_shift",
// "<id>.vol_shift@<days>d"), and "*" stands for every underlying in stress
// shocks: an id that could be read as one of those would be misread.
std::optional<std::string> underlying_id_problem(std::string_view id);

// Sorts accounts by id; a list in id order already (the usual file) costs one pass.
void sort_by_id(std::vector<Account>& accounts);

// market.json; `surfaces` says whether calendar arbitrage is accepted (config.json).
Market load_market(const std::string& path, const VolSurfaceSettings& surfaces = {});
std::vector<Instrument> load_instruments(const std::string& path, const Market& market);
std::vector<Account> load_accounts(const std::string& path);

// Nets the rows of positions.csv into one position per (account, instrument).
// With `listed` (from accounts.csv, moved in: it may hold millions) every
// position's account must be listed; without, the accounts are those of the
// positions, all cross, no collateral.
struct LoadedPositions {
  std::vector<Account> accounts;    // sorted by id
  std::vector<Position> positions;  // sorted by (account, instrument)
};
LoadedPositions load_positions(const std::string& path, const std::vector<Instrument>& instruments,
                               std::optional<std::vector<Account>> listed);

// Reads the date column, the price columns of `required_underlyings` and their
// optional ".vol" columns; other columns are ignored (history files are often
// market-wide).
History load_history(const std::string& path, const std::vector<std::string>& required_underlyings);

Config load_config(const std::string& path);

}  // namespace xm
