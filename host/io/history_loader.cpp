#include "io/bounds.hpp"
#include "io/csv_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {

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
  };
  std::vector<Columns> columns;
  for (const std::string& id : required_underlyings) {
    columns.push_back({table.index(id), table.find(id + ".vol")});
    history.series.push_back(HistorySeries{id, {}, {}});
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
    for (std::size_t u = 0; u < columns.size(); ++u) {
      const double level = table.number(row, columns[u].level);
      if (!kLevelBound.holds(level)) {
        table.fail(row, columns[u].level, kLevelBound.message("closing level"));
      }
      // Scenarios divide levels rows apart: bounding each day's ratio keeps
      // a typo (a level off by 1e6) from passing as a market move.
      const std::vector<double>& levels = history.series[u].levels;
      if (!levels.empty() && !kDailyRatioBound.holds(level / levels.back())) {
        table.fail(row, columns[u].level,
                   kDailyRatioBound.message("the ratio to the previous row's level"));
      }
      history.series[u].levels.push_back(level);
      if (columns[u].vol) {
        const double vol = table.number(row, *columns[u].vol);
        if (!kHistoryVolBound.holds(vol)) {
          table.fail(row, *columns[u].vol, kHistoryVolBound.message("implied vol"));
        }
        history.series[u].vols.push_back(vol);
      }
    }
  }
  return history;
}

}  // namespace xm
