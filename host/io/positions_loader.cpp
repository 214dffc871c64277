#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include "io/bounds.hpp"
#include "io/csv_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

// One row of positions.csv with its ids resolved. Kept to 16 bytes: a
// clearing house's file holds tens of millions of rows.
struct PositionRow {
  std::uint32_t account;
  std::uint32_t instrument;
  double quantity;
};

// Indices are stored in 32 bits; ids beyond that many cannot be told apart.
std::uint32_t narrow_index(const CsvReader& table, const CsvReader::Row& row, std::size_t index,
                           const char* kind) {
  if (index > std::numeric_limits<std::uint32_t>::max()) {
    table.fail_line(row.line, std::string("more than 2^32 ") + kind);
  }
  return static_cast<std::uint32_t>(index);
}

// Sorts a short run in place by instrument, keeping file order among equal
// ones; an account holds a handful of positions, too few for a merge sort's
// buffer to pay.
void sort_by_instrument(Position* first, Position* last) {
  const auto by_instrument = [](const Position& a, const Position& b) {
    return a.instrument < b.instrument;
  };
  if (last - first > 32) return std::stable_sort(first, last, by_instrument);
  for (Position* i = first + 1; i < last; ++i) {
    std::rotate(std::upper_bound(first, i, *i, by_instrument), i, i + 1);
  }
}

// One position per (account, instrument), sorted by that pair. The rows of a
// pair add up in file order starting from 0.0, the sum SPEC §2 asks for, and
// bit for bit the one a map keyed by the pair gives (−0.0 + 0.0 included).
std::vector<Position> net_rows(const std::vector<PositionRow>& rows,
                               const std::vector<std::uint32_t>& account_rank,
                               std::size_t account_count) {
  // A counting sort by account: linear in the rows, and stable, so that each
  // account's rows keep their file order.
  std::vector<std::size_t> next(account_count + 1, 0);
  for (const PositionRow& row : rows) ++next[account_rank[row.account] + 1];
  std::partial_sum(next.begin(), next.end(), next.begin());
  std::vector<Position> positions(rows.size());
  for (const PositionRow& row : rows) {
    const std::uint32_t account = account_rank[row.account];
    positions[next[account]++] = Position{account, row.instrument, row.quantity};
  }

  std::size_t kept = 0, first = 0;
  for (std::size_t account = 0; account < account_count; ++account) {
    const std::size_t last = next[account], account_kept = kept;
    sort_by_instrument(positions.data() + first, positions.data() + last);
    for (std::size_t i = first; i < last; ++i) {
      const Position& row = positions[i];
      if (kept > account_kept && positions[kept - 1].instrument == row.instrument) {
        positions[kept - 1].quantity += row.quantity;
      } else {
        positions[kept++] = Position{row.account, row.instrument, 0.0 + row.quantity};
      }
    }
    first = last;
  }
  positions.resize(kept);
  return positions;
}

}  // namespace

LoadedPositions load_positions(const std::string& path, const std::vector<Instrument>& instruments,
                               std::optional<std::vector<Account>> listed) {
  CsvReader table(path, {"account", "instrument", "quantity"}, {});
  const std::size_t account_col = table.index("account"),
                    instrument_col = table.index("instrument"),
                    quantity_col = table.index("quantity");

  std::vector<std::string> instrument_ids;
  for (const Instrument& inst : instruments) instrument_ids.push_back(inst.id);
  const IdIndex instrument_index = index_ids(instrument_ids);

  LoadedPositions loaded;
  if (listed) {
    loaded.accounts = std::move(*listed);
    sort_by_id(loaded.accounts);
  }
  IdRegistry met;  // without accounts.csv: the accounts met in the file
  std::vector<PositionRow> rows;
  // Files list an account's rows together and accounts in id order: the
  // previous row's account, then the next listed one, spare most searches.
  // Empty matches no row, as an account cell may not be empty.
  std::string previous_account;
  std::size_t previous_index = 0;
  CsvReader::Row row;
  while (table.next(row)) {
    const std::string_view account = table.text(row, account_col);
    if (account != previous_account) {
      if (listed) {
        const std::vector<Account>& accounts = loaded.accounts;
        std::size_t index = previous_account.empty() ? 0 : previous_index + 1;
        if (index >= accounts.size() || accounts[index].id != account) {
          index = static_cast<std::size_t>(
              std::lower_bound(accounts.begin(), accounts.end(), account,
                               [](const Account& a, std::string_view id) { return a.id < id; }) -
              accounts.begin());
          if (index == accounts.size() || accounts[index].id != account) {
            table.fail(row, account_col,
                       "unknown account " + quote_cell(account) + " (not in accounts.csv)");
          }
        }
        previous_index = index;
      } else {
        previous_index = met.insert(account).first;
      }
      previous_account = account;
    }
    const std::string_view instrument = table.text(row, instrument_col);
    const auto found = instrument_index.find(instrument);
    if (found == instrument_index.end()) {
      table.fail(row, instrument_col,
                 "unknown instrument " + quote_cell(instrument) + " (not in instruments.csv)");
    }
    const double quantity = table.number(row, quantity_col);
    if (!kExposureBound.holds(std::fabs(quantity * instruments[found->second].multiplier))) {
      table.fail(row, quantity_col, kExposureBound.message("|quantity × multiplier|"));
    }
    rows.push_back(PositionRow{narrow_index(table, row, previous_index, "accounts"),
                               narrow_index(table, row, found->second, "instruments"), quantity});
  }

  // Account indices in id order: the listed accounts are sorted already; the
  // ones met in the file are ranked by id.
  std::vector<std::uint32_t> rank(listed ? loaded.accounts.size() : met.size());
  std::iota(rank.begin(), rank.end(), 0u);
  if (!listed) {
    std::vector<std::uint32_t> by_id = rank;
    if (!met.ascending()) {
      std::sort(by_id.begin(), by_id.end(),
                [&](std::uint32_t a, std::uint32_t b) { return met[a] < met[b]; });
    }
    for (std::uint32_t r = 0; r < by_id.size(); ++r) rank[by_id[r]] = r;
    for (const std::uint32_t id : by_id) {
      loaded.accounts.push_back(Account{std::move(met[id]), MarginMode::cross, "", 0.0});
    }
  }
  loaded.positions = net_rows(rows, rank, loaded.accounts.size());
  return loaded;
}

}  // namespace xm
