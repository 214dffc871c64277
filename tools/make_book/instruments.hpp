// Underlyings and the listed instruments on them: quarterly futures, and call/put chains of
// options on spot and on futures over several expiries and strikes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rng.hpp"

namespace make_book {

constexpr std::int64_t kMultiplier = 100;
constexpr std::int64_t kRateBp = 600;  // 0.06: US short rates at the start of 2001.

// An underlying's last close and vol, as market.json writes them.
struct Quote {
  std::string id;
  std::string price_text;
  std::int64_t price_cents = 0;
  std::int64_t vol_bp = 0;  // 1e-4
};

struct Stock {
  std::string id;
  std::string price_text;
  std::int64_t price_cents = 0;
  std::int64_t vol_bp = 0;  // market vol, 1e-4
  std::int64_t dividend_bp = 0;
  std::vector<std::int64_t> strikes;  // cents, ascending
  std::size_t atm = 0;                // strike nearest the spot
  bool spot_european = false;
  bool has_fop = false;
  bool fop_american = false;
  bool put_skew = false;
};

struct Instrument {
  std::string id;
  std::size_t stock = 0;
  bool future = false;
  std::int64_t expiry = 0;
  std::int64_t strike = 0;  // cents
  char right = 'C';
  bool american = false;
  bool on_future = false;
  std::int64_t vol_bp = 0;  // per-instrument override; 0 = none
};

// One expiry of a chain: calls and puts on a contiguous window of the stock's strike grid.
struct ExpiryChain {
  std::size_t first_strike = 0;                      // index into Stock::strikes
  std::array<std::vector<std::size_t>, 2> by_right;  // [C, P][strike - first] -> instrument
};
using Chain = std::vector<ExpiryChain>;  // [expiry]

struct ExpiryCalendar {
  std::vector<std::int64_t> futures;  // quarterly third Fridays
  std::vector<std::int64_t> options;  // options on spot
  std::vector<std::int64_t> fops;     // options on futures
};

// The sample's calendar: three quarterly futures; options on spot on the next two monthly then
// two quarterly third Fridays; options on futures on the last three of those.
ExpiryCalendar sample_calendar(std::int64_t valuation);
// The workloads' calendar: five quarterly futures; options on spot on the next three monthly
// then three quarterly third Fridays; options on futures on the quarterly ones among those.
ExpiryCalendar workload_calendar(std::int64_t valuation);

// What one stock lists: the first `futures` future expiries, and per option expiry a window of
// `count` strikes starting at grid index `first` (fop empty: no options on futures).
struct StrikeWindow {
  std::size_t first = 0;
  std::size_t count = 0;
};
struct ListingPlan {
  std::size_t futures = 0;
  std::vector<StrikeWindow> spot;  // [option expiry]
  std::vector<StrikeWindow> fop;   // [fop expiry]
};

struct Catalog {
  std::vector<Instrument> list;
  ExpiryCalendar expiries;
  std::vector<std::vector<std::size_t>> futures;  // [stock][future expiry]
  std::vector<Chain> spot;                        // [stock]
  std::vector<Chain> fop;                         // [stock], empty without options on futures
};

// Stocks in quote order with their listing styles, which follow the position in the list:
// every fifth lists European options on spot (the rest American), every third options on
// futures (alternately European and American), every fourth a put skew. The dividend yield is
// drawn in [0, 0.03] (the data carry none). Strikes are left to the caller.
std::vector<Stock> make_stocks(const std::vector<Quote>& quotes, Rng& rng);

// Listed-style strike grid of the sample: $2.50 apart below $50, $5 above, covering 80%..120%
// of the spot, widened to at least four strikes for the cheapest names.
std::vector<std::int64_t> sample_strike_grid(std::int64_t spot_cents);
std::size_t nearest_strike(const std::vector<std::int64_t>& strikes, std::int64_t spot);
// The sample lists every strike of the grid on every expiry.
ListingPlan full_listing(const Stock& st, const ExpiryCalendar& cal);

// Workloads: spreads `instruments` over the stocks exactly (the first ones get one more when
// it does not divide), sets each stock's strike grid, and returns its listing plan. A stock
// with budget n lists four futures (five when n is odd) and (n - futures) / 2 call/put pairs,
// apportioned over its expiries with weight 2 per spot expiry and 1 per futures expiry; each
// expiry's window is centred on the money, on a grid stepped by about 2.5% of the spot.
std::vector<ListingPlan> plan_workload_listings(std::vector<Stock>& stocks, std::size_t instruments,
                                                const ExpiryCalendar& cal);

Catalog make_catalog(const std::vector<Stock>& stocks, const ExpiryCalendar& cal,
                     const std::vector<ListingPlan>& plans);

}  // namespace make_book
