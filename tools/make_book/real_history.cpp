#include "real_history.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <system_error>
#include <utility>

#include "calendar.hpp"
#include "portable_math.hpp"
#include "text.hpp"
#include "usage_error.hpp"

namespace make_book {

namespace {

constexpr double kEwmaLambda = 0.94;
constexpr std::size_t kSeedReturns = 20;
constexpr double kTradingDaysPerYear = 252.0;
constexpr double kVolFloor = 0.05;

}  // namespace

History read_history(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path + ": cannot open the history file");
  History h;
  std::string line;
  std::size_t line_no = 0;
  std::int64_t previous_date = std::numeric_limits<std::int64_t>::min();
  const auto where = [&](std::size_t column) {
    return path + ":" + std::to_string(line_no) + ":" + std::to_string(column) + ": ";
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw UsageError(where(1) + "empty line");
    std::vector<std::string> fields = split_commas(line);
    if (line_no == 1) {
      if (fields[0] != "date") throw UsageError(where(1) + "expected the column 'date' first");
      for (std::size_t c = 1; c < fields.size(); ++c) {
        const std::string& id = fields[c];
        if (id.empty()) throw UsageError(where(c + 1) + "empty column name");
        if (id.find('.') != std::string::npos || id.find('"') != std::string::npos ||
            id.find('-') != std::string::npos)
          throw UsageError(where(c + 1) + "expected a plain price column id, got '" + id +
                           "' (vol columns are derived here, not read)");
        if (std::find(h.ids.begin(), h.ids.end(), id) != h.ids.end())
          throw UsageError(where(c + 1) + "duplicate column '" + id + "'");
        h.ids.push_back(id);
      }
      if (h.ids.empty()) throw UsageError(where(1) + "expected at least one price column");
      h.prices.resize(h.ids.size());
      continue;
    }
    if (fields.size() != h.ids.size() + 1)
      throw UsageError(where(1) + "expected " + std::to_string(h.ids.size() + 1) + " cells, got " +
                       std::to_string(fields.size()));
    std::int64_t date = 0;
    if (!parse_date(fields[0], date))
      throw UsageError(where(1) + "expected a date YYYY-MM-DD, got '" + fields[0] + "'");
    if (date <= previous_date) throw UsageError(where(1) + "dates must be strictly ascending");
    previous_date = date;
    for (std::size_t c = 1; c < fields.size(); ++c) {
      const std::string& cell = fields[c];
      double value = 0.0;
      const auto result = std::from_chars(cell.data(), cell.data() + cell.size(), value);
      if (cell.empty() || result.ec != std::errc() || result.ptr != cell.data() + cell.size() ||
          !std::isfinite(value) || !(value > 0.0))
        throw UsageError(where(c + 1) + "expected a positive price, got '" + cell + "'");
      h.prices[c - 1].push_back(value);
    }
    h.dates.push_back(fields[0]);
    fields.erase(fields.begin());
    h.cells.push_back(std::move(fields));
    h.valuation_date = date;
  }
  if (h.dates.size() < kSeedReturns + 2)
    throw UsageError(path + ": expected at least " + std::to_string(kSeedReturns + 2) +
                     " price rows");
  return h;
}

std::vector<double> log_returns(const std::vector<double>& prices) {
  std::vector<double> r(prices.size(), 0.0);
  for (std::size_t i = 1; i < prices.size(); ++i) r[i] = portable_log(prices[i] / prices[i - 1]);
  return r;
}

std::vector<double> ewma_vol(const std::vector<double>& r) {
  const std::size_t n = r.size();
  double mean = 0.0;
  for (std::size_t i = 1; i <= kSeedReturns; ++i) mean += r[i];
  mean /= static_cast<double>(kSeedReturns);
  double squares = 0.0;
  for (std::size_t i = 1; i <= kSeedReturns; ++i) {
    const double d = r[i] - mean;
    const double d2 = d * d;
    squares += d2;
  }
  double variance = squares / static_cast<double>(kSeedReturns - 1);
  constexpr double kWeightNew = 1.0 - kEwmaLambda;
  std::vector<double> vol(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > kSeedReturns) {
      const double old_part = kEwmaLambda * variance;
      const double r2 = r[i] * r[i];
      const double new_part = kWeightNew * r2;
      variance = old_part + new_part;
    }
    const double annual_variance = kTradingDaysPerYear * variance;
    vol[i] = std::max(std::sqrt(annual_variance), kVolFloor);
  }
  return vol;
}

std::vector<double> vol_proxy(const std::vector<double>& prices) {
  return ewma_vol(log_returns(prices));
}

std::string history_csv(const History& h) {
  std::vector<std::vector<double>> vols;
  for (const auto& prices : h.prices) vols.push_back(vol_proxy(prices));
  std::string s = "date";
  for (const std::string& id : h.ids) s += "," + id;
  for (const std::string& id : h.ids) s += "," + id + ".vol";
  s += "\n";
  for (std::size_t r = 0; r < h.dates.size(); ++r) {
    s += h.dates[r];
    for (const std::string& cell : h.cells[r]) s += "," + cell;
    for (const auto& v : vols) s += "," + fixed_double(v[r], 6);
    s += "\n";
  }
  return s;
}

}  // namespace make_book
