// A real closing-price history (e.g. scenarios/data/dowjones30.csv) and the implied-volatility
// proxy derived from it.
//
// The data hold closing prices only, no implied vols. Each series gets an EWMA (RiskMetrics,
// lambda = 0.94) of its daily log returns, seeded with the sample variance of the first 20
// returns (rows 0..20 carry the seed), annualised with sqrt(252) and floored at 0.05. It is
// realised volatility standing in for implied volatility: no skew, no term structure, and it
// lags the market.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace make_book {

struct History {
  std::vector<std::string> ids;                 // price columns, in file order
  std::vector<std::string> dates;               // as written
  std::vector<std::vector<std::string>> cells;  // [row][series], price text as written
  std::vector<std::vector<double>> prices;      // [series][row]
  std::int64_t valuation_date = 0;              // the last date
};

// `date,<id>...` with strictly ascending dates and positive prices; anything else is a
// UsageError naming file:line:column.
History read_history(const std::string& path);

// r[0] = 0, r[i] = ln(prices[i] / prices[i-1]).
std::vector<double> log_returns(const std::vector<double>& prices);
// The vol proxy over daily log returns r (r[0] unused), one value per row.
std::vector<double> ewma_vol(const std::vector<double>& r);
std::vector<double> vol_proxy(const std::vector<double>& prices);

// history.csv of the sample: the prices as read, then a `<id>.vol` column per series with
// 6 decimals.
std::string history_csv(const History& h);

}  // namespace make_book
