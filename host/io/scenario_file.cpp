#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/bounds.hpp"
#include "io/csv_reader.hpp"
#include "report/atomic_files.hpp"
#include "report/csv_cell.hpp"
#include "report/number_format.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

constexpr const char* kPriceSuffix = ".price_factor";
constexpr const char* kVolSuffix = ".vol_shift";
// Weights must sum to 1 within this, so rounding in a written file is accepted.
constexpr double kWeightSumTolerance = 1e-9;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Tenor vol shifts (SPEC §6) are written "<id>.vol_shift@<days>d".
constexpr const char* kTenorMark = ".vol_shift@";

std::string tenor_column(const std::string& id, double days) {
  return id + kTenorMark + format_double(days) + "d";
}

// "<id>.vol_shift@<days>d" split into id and whole days ≥ 1; nullopt when the
// name has no kTenorMark. A name with the mark but no valid tenor is an error.
struct TenorColumn {
  std::string id;
  double days;
};
std::optional<TenorColumn> parse_tenor_column(const std::string& path,
                                              const CsvReader::Column& column) {
  const std::size_t mark = column.name.rfind(kTenorMark);
  if (mark == std::string::npos || mark == 0) return std::nullopt;
  const std::size_t digits = mark + std::string(kTenorMark).size();
  const std::string tail = column.name.substr(digits);
  const std::size_t whole = tail.find_first_not_of("0123456789");
  // At most 6 digits before std::stod, so the bound below is checked on an
  // exact number; a longer count is out of bounds anyway.
  const bool digits_then_d = !tail.empty() && tail.size() <= 7 && whole != 0 &&
                             whole == tail.size() - 1 && tail.back() == 'd';
  const double days = digits_then_d ? std::stod(tail) : 0.0;
  if (days < 1.0 || days > kMaxTenorDays) {
    throw InputError(path, 1, column.column,
                     "column " + quote_cell(column.name) +
                         ": expected <id>.vol_shift@<days>d with whole calendar days 1.." +
                         std::to_string(kMaxTenorDays));
  }
  return TenorColumn{column.name.substr(0, mark), days};
}

// The tenor columns of `id`, ascending in days, as (days, column index).
std::vector<std::pair<double, std::size_t>> tenor_columns_of(const CsvReader& table,
                                                             const std::string& id) {
  std::vector<std::pair<double, std::size_t>> tenors;
  for (std::size_t c = 0; c < table.header().size(); ++c) {
    const auto tenor = parse_tenor_column(table.path(), table.header()[c]);
    if (tenor && tenor->id == id) tenors.emplace_back(tenor->days, c);
  }
  std::sort(tenors.begin(), tenors.end());
  for (std::size_t k = 1; k < tenors.size(); ++k) {
    if (tenors[k].first == tenors[k - 1].first) {
      const CsvReader::Column& column = table.header()[tenors[k].second];
      throw InputError(table.path(), 1, column.column,
                       "column " + quote_cell(column.name) + " repeats a tenor of '" + id + "'");
    }
  }
  return tenors;
}

}  // namespace

void write_scenario_file(std::ostream& out, const ScenarioSet& scenarios) {
  XM_EXPECTS(!scenarios.monte_carlo || scenarios.monte_carlo->drawn_on_host,
             "a scenario file needs Monte Carlo scenarios drawn on the host");
  out << "scenario,source,label,weight,horizon_days";
  for (std::size_t u = 0; u < scenarios.underlying_count(); ++u) {
    out << ',' << csv_cell(scenarios.underlying_ids[u] + kPriceSuffix);
    if (scenarios.vol_moves[u]) out << ',' << csv_cell(scenarios.underlying_ids[u] + kVolSuffix);
    for (std::size_t k = 0; k < scenarios.tenor_count(u); ++k) {
      const double days =
          scenarios.tenor_days[static_cast<std::size_t>(scenarios.tenor_offsets[u]) + k];
      out << ',' << csv_cell(tenor_column(scenarios.underlying_ids[u], days));
    }
  }
  out << '\n';
  const std::size_t count = scenarios.count();
  for (std::size_t s = 0; s < count; ++s) {
    out << s << ',' << csv_cell(scenarios.source[s]) << ',' << csv_cell(scenarios.label[s]) << ','
        << format_double(scenarios.weight[s]) << ',' << format_double(scenarios.horizon_days[s]);
    for (std::size_t u = 0; u < scenarios.underlying_count(); ++u) {
      out << ',' << format_double(scenarios.price_factor[u * count + s]);
      if (scenarios.vol_moves[u]) out << ',' << format_double(scenarios.vol_shift[u * count + s]);
      for (std::size_t k = 0; k < scenarios.tenor_count(u); ++k) {
        const std::size_t tenor = static_cast<std::size_t>(scenarios.tenor_offsets[u]) + k;
        out << ',' << format_double(scenarios.tenor_shift[tenor * count + s]);
      }
    }
    out << '\n';
  }
}

void write_scenario_file(const std::string& path, const ScenarioSet& scenarios) {
  write_atomically(path, [&](std::ostream& out) { write_scenario_file(out, scenarios); });
}

ScenarioSet read_scenario_file(const std::string& path,
                               const std::vector<std::string>& required_underlyings) {
  std::vector<std::string> required{"scenario", "source", "label", "weight", "horizon_days"};
  for (const std::string& id : required_underlyings) required.push_back(id + kPriceSuffix);
  CsvReader table(path, required, {}, CsvReader::UnknownColumns::ignore);

  // Every other column must be a shock of some underlying.
  for (const CsvReader::Column& name : table.header()) {
    const std::string& text = name.name;
    if (std::find(required.begin(), required.end(), text) != required.end()) continue;
    if (ends_with(text, kPriceSuffix)) continue;
    if (const auto tenor = parse_tenor_column(path, name)) {
      if (!table.find(tenor->id + kPriceSuffix)) {
        throw InputError(
            path, 1, name.column,
            "column " + quote_cell(text) + " has no '" + tenor->id + kPriceSuffix + "' beside it");
      }
      if (table.find(tenor->id + kVolSuffix)) {
        throw InputError(path, 1, name.column,
                         "column " + quote_cell(text) + ": tenor shifts replace '" + tenor->id +
                             kVolSuffix + "', which the file also has");
      }
      continue;
    }
    if (ends_with(text, kVolSuffix)) {
      const std::string id = text.substr(0, text.size() - std::string(kVolSuffix).size());
      if (!table.find(id + kPriceSuffix)) {
        throw InputError(
            path, 1, name.column,
            "column " + quote_cell(text) + " has no '" + id + kPriceSuffix + "' beside it");
      }
      continue;
    }
    throw InputError(path, 1, name.column,
                     "unknown column " + quote_cell(text) +
                         " (expected scenario, source, label, weight, "
                         "horizon_days, <id>" +
                         kPriceSuffix + ", <id>" + kVolSuffix + ", <id>" + kTenorMark + "<days>d)");
  }

  // The shocks of each underlying, gathered row by row (the file is read
  // once) and laid out underlying-major at the end.
  struct Shocks {
    std::size_t price_col;
    std::optional<std::size_t> vol_col;
    std::vector<double> price_factor, vol_shift;
    std::vector<std::size_t> tenor_cols;
    std::vector<std::vector<double>> tenor_shift;  // [tenor][scenario]
  };
  ScenarioSet set;
  std::vector<Shocks> shocks;
  for (std::size_t c = 0; c < table.header().size(); ++c) {
    const std::string& name = table.header()[c].name;
    if (!ends_with(name, kPriceSuffix)) continue;
    const std::string id = name.substr(0, name.size() - std::string(kPriceSuffix).size());
    const auto vol_col = table.find(id + kVolSuffix);
    set.underlying_ids.push_back(id);
    set.vol_moves.push_back(vol_col ? 1 : 0);
    Shocks shock{c, vol_col, {}, {}, {}, {}};
    if (set.tenor_offsets.empty()) set.tenor_offsets.push_back(0);
    for (const auto& [days, column] : tenor_columns_of(table, id)) {
      set.tenor_days.push_back(days);
      shock.tenor_cols.push_back(column);
    }
    shock.tenor_shift.resize(shock.tenor_cols.size());
    set.tenor_offsets.push_back(static_cast<std::int32_t>(set.tenor_days.size()));
    shocks.push_back(std::move(shock));
  }
  // No tenor columns at all: the layout of ScenarioSet without tenors.
  if (set.tenor_days.empty()) set.tenor_offsets.clear();

  const std::size_t scenario_col = table.index("scenario"), source_col = table.index("source"),
                    label_col = table.index("label"), weight_col = table.index("weight"),
                    horizon_col = table.index("horizon_days");
  double weight_sum = 0.0;
  std::size_t count = 0;
  CsvReader::Row row;
  for (; table.next(row); ++count) {
    if (table.number(row, scenario_col) != static_cast<double>(count)) {
      table.fail(row, scenario_col,
                 "expected scenario " + std::to_string(count) + " (numbered from 0, in order)");
    }
    set.source.emplace_back(table.text(row, source_col));
    set.label.emplace_back(table.cell(row, label_col).text);
    const double weight = table.number(row, weight_col);
    if (weight < 0.0) table.fail(row, weight_col, "weight must be >= 0");
    weight_sum += weight;
    set.weight.push_back(weight);
    const double horizon = table.number(row, horizon_col);
    if (!kHorizonDaysBound.holds(horizon)) {
      table.fail(row, horizon_col, kHorizonDaysBound.message("horizon_days"));
    }
    set.horizon_days.push_back(horizon);
    for (Shocks& shock : shocks) {
      const double factor = table.number(row, shock.price_col);
      if (!kPriceFactorBound.holds(factor)) {
        table.fail(row, shock.price_col, kPriceFactorBound.message("price factor"));
      }
      shock.price_factor.push_back(factor);
      const double shift = shock.vol_col ? table.number(row, *shock.vol_col) : 0.0;
      if (!kVolShiftBound.holds(shift)) {
        table.fail(row, *shock.vol_col, kVolShiftBound.message("vol shift"));
      }
      shock.vol_shift.push_back(shift);
      for (std::size_t k = 0; k < shock.tenor_cols.size(); ++k) {
        const double tenor_shift = table.number(row, shock.tenor_cols[k]);
        if (!kVolShiftBound.holds(tenor_shift)) {
          table.fail(row, shock.tenor_cols[k], kVolShiftBound.message("vol shift"));
        }
        shock.tenor_shift[k].push_back(tenor_shift);
      }
    }
  }
  if (count == 0) throw InputError(path, 2, 0, "no scenarios");
  if (std::fabs(weight_sum - 1.0) > kWeightSumTolerance) {
    throw InputError(path, 0, 0,
                     "scenario weights sum to " + format_double(weight_sum) + ", expected 1");
  }
  for (const Shocks& shock : shocks) {
    set.price_factor.insert(set.price_factor.end(), shock.price_factor.begin(),
                            shock.price_factor.end());
    set.vol_shift.insert(set.vol_shift.end(), shock.vol_shift.begin(), shock.vol_shift.end());
    for (const std::vector<double>& tenor : shock.tenor_shift) {
      set.tenor_shift.insert(set.tenor_shift.end(), tenor.begin(), tenor.end());
    }
  }
  return set;
}

}  // namespace xm
