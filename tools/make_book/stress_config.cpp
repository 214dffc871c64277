// The sample config's stress section (SPEC §5.3): SPAN-like price scans per
// underlying from its own history, a price × vol grid, and two named
// scenarios (19 October 1987 as the NYSE composite fell, and the August 1998
// sell-off replayed from the history).
#include <cmath>
#include <string>

#include "output.hpp"
#include "portable_math.hpp"
#include "text.hpp"

namespace make_book {
namespace {

// Daily log returns the scan is sized on, and the scan's width: three
// standard deviations of the 2-day move (≈ 99.7% two-sided under a normal).
constexpr std::size_t kScanWindow = 500;
constexpr double kScanSigmas = 3.0;
constexpr int kScanHorizonDays = 2;

// The scan in thousandths (0.001 of the price).
std::int64_t scan_thousandths(const std::vector<double>& prices) {
  const std::size_t n = prices.size();
  const std::size_t first = n > kScanWindow + 1 ? n - kScanWindow - 1 : 0;
  std::vector<double> r;
  for (std::size_t t = first + 1; t < n; ++t) r.push_back(portable_log(prices[t] / prices[t - 1]));
  double mean = 0.0;
  for (double x : r) mean += x;
  mean /= static_cast<double>(r.size());
  double squares = 0.0;
  for (double x : r) squares += (x - mean) * (x - mean);
  const double sd = std::sqrt(squares / static_cast<double>(r.size() - 1));
  return std::llround(kScanSigmas * sd * std::sqrt(static_cast<double>(kScanHorizonDays)) * 1000.0);
}

}  // namespace

std::string sample_stress_json(const std::vector<std::string>& ids,
                               const std::vector<std::vector<double>>& prices) {
  std::string s =
      "    \"stress\": {\n"
      "      \"mpor_days\": 2,\n"
      "      \"span\": { \"price_scan\": 0.12, \"vol_scan\": 0.04, \"extreme\": 2, \"covered\": "
      "0.35,\n"
      "        \"underlyings\": {";
  for (std::size_t u = 0; u < ids.size(); ++u) {
    s += u == 0 ? "\n          " : (u % 5 == 0 ? ",\n          " : ", ");
    s += "\"" + ids[u] +
         "\": { \"price_scan\": " + fixed_from_scaled(scan_thousandths(prices[u]), 3) + " }";
  }
  s += "\n        } },\n"
       "      \"grid\": { \"range\": 0.16, \"steps\": 8, \"vol_shock\": 0.10, \"power\": 0.3, "
       "\"min_days\": 7,\n"
       "                \"extended\": [ { \"move\": 0.30, \"covered\": 0.2 } ] },\n"
       "      \"named\": [\n"
       "        { \"name\": \"1987-10-19\", \"shocks\": { \"*\": { \"price\": -0.1917, \"vol\": "
       "0.25 "
       "} } },\n"
       "        { \"name\": \"1998-08 Russia\", \"history_dates\": [\"1998-08-26\", "
       "\"1998-08-31\"] }\n"
       "      ]\n"
       "    }";
  return s;
}

}  // namespace make_book
