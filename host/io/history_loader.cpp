#include <algorithm>
#include <charconv>

#include "io/bounds.hpp"
#include "io/csv_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

// The tenor columns "<id>.vol@<days>d" of one underlying, sorted by days. A
// header cell that starts "<id>.vol@" but does not name a tenor is an error,
// as is a tenor named twice.
std::vector<std::pair<int, std::size_t>> tenor_columns(const CsvReader& table,
                                                       const std::string& id) {
  const std::string prefix = id + ".vol@";
  std::vector<std::pair<int, std::size_t>> tenors;
  for (std::size_t c = 0; c < table.header().size(); ++c) {
    const CsvReader::Column& column = table.header()[c];
    if (column.name.compare(0, prefix.size(), prefix) != 0) continue;
    const char* first = column.name.data() + prefix.size();
    const char* last = column.name.data() + column.name.size();
    int days = 0;
    const auto [end, error] = std::from_chars(first, last, days);
    if (error != std::errc() || end == first || end + 1 != last || *end != 'd' || days < 1 ||
        days > kMaxTenorDays) {
      throw InputError(table.path(), 1, column.column,
                       "column " + quote_cell(column.name) + ": expected " + prefix +
                           "<days>d with whole calendar days 1.." + std::to_string(kMaxTenorDays) +
                           " (for example " + prefix + "30d)");
    }
    for (const auto& [seen_days, seen_column] : tenors) {
      if (seen_days == days) {
        throw InputError(table.path(), 1, column.column,
                         "column " + quote_cell(column.name) + " repeats the tenor of column " +
                             quote_cell(table.header()[seen_column].name));
      }
    }
    tenors.emplace_back(days, c);
  }
  std::sort(tenors.begin(), tenors.end());
  return tenors;
}

}  // namespace

History load_history(const std::string& path,
                     const std::vector<std::string>& required_underlyings) {
  std::vector<std::string> required{"date"};
  required.insert(required.end(), required_underlyings.begin(), required_underlyings.end());
  CsvReader table(path, required, {}, CsvReader::UnknownColumns::ignore);

  History history;
  history.path = path;
  const std::size_t date_col = table.index("date");
  struct Columns {
    std::size_t level;
    std::optional<std::size_t> vol;
    std::vector<std::size_t> tenors;  // in the order of HistorySeries::tenor_vols
  };
  std::vector<Columns> columns;
  for (const std::string& id : required_underlyings) {
    HistorySeries series;
    series.underlying = id;
    Columns cols{table.index(id), table.find(id + ".vol"), {}};
    for (const auto& [days, column] : tenor_columns(table, id)) {
      series.tenor_vols.push_back(VolTenorSeries{days, {}});
      cols.tenors.push_back(column);
    }
    columns.push_back(std::move(cols));
    history.series.push_back(std::move(series));
  }

  CsvReader::Row row;
  while (table.next(row)) {
    const Date date = table.date(row, date_col);
    if (!history.dates.empty() && date <= history.dates.back()) {
      table.fail(row, date_col,
                 "dates must be strictly ascending (previous row is " +
                     format_iso_date(history.dates.back()) + ")");
    }
    history.dates.push_back(date);
    const auto vol_at = [&](std::size_t column) {
      const double vol = table.number(row, column);
      if (!kHistoryVolBound.holds(vol)) {
        table.fail(row, column, kHistoryVolBound.message("implied vol"));
      }
      return vol;
    };
    for (std::size_t u = 0; u < columns.size(); ++u) {
      HistorySeries& series = history.series[u];
      const double level = table.number(row, columns[u].level);
      if (!kLevelBound.holds(level)) {
        table.fail(row, columns[u].level, kLevelBound.message("closing level"));
      }
      // Scenarios divide levels rows apart: bounding each day's ratio keeps
      // a typo (a level off by 1e6) from passing as a market move.
      if (!series.levels.empty() && !kDailyRatioBound.holds(level / series.levels.back())) {
        table.fail(row, columns[u].level,
                   kDailyRatioBound.message("the ratio to the previous row's level"));
      }
      series.levels.push_back(level);
      if (columns[u].vol) series.vols.push_back(vol_at(*columns[u].vol));
      for (std::size_t k = 0; k < columns[u].tenors.size(); ++k) {
        series.tenor_vols[k].vols.push_back(vol_at(columns[u].tenors[k]));
      }
    }
  }
  return history;
}

}  // namespace xm
