// xmargin_make_book: writes the embedded sample book (scenarios/default) from a market-wide
// closing-price history. Standard library only.
//
//   xmargin_make_book --history scenarios/data/dowjones30.csv --out DIR [--accounts N] [--seed S]
//
// It writes market.json, instruments.csv, positions.csv, accounts.csv, history.csv and
// config.json in the formats of SPEC §2, and a short summary on stdout.
//
// The bytes written depend only on the history file and the arguments, on every platform and
// compiler, so the committed sample can be checked by regenerating it:
//  - randomness is std::mt19937_64, whose output sequence the standard fixes, mapped to integers
//    by the code below (the std distributions are implementation-defined);
//  - prices, strikes, collateral, yields and vols are carried as integers (cents, basis points)
//    wherever possible and printed by integer formatting;
//  - the only floating-point path (the vol proxy) uses + - * / and sqrt, which IEEE 754 rounds
//    exactly, and a logarithm written here instead of the library's; FP contraction is off
//    (ISO mode for GCC, a pragma for Clang) — GCC 12 and Clang 14 at -O0..-O3, with and without
//    -march=native -ffp-contract=fast, write the same bytes;
//  - every random draw is its own statement, since argument evaluation order is unspecified;
//  - doubles are printed with std::to_chars at a fixed precision or shortest round-trip, both
//    exactly specified.
//
// Implied-volatility proxy. The data hold closing prices only, no implied vols. For every stock
// the history gets a `<id>.vol` column holding an EWMA (RiskMetrics, lambda = 0.94) of daily log
// returns, seeded with the sample variance of the first 20 returns (rows 0..20 carry the seed),
// annualised with sqrt(252) and floored at 0.05. It is realised volatility standing in for implied
// volatility: it has no skew, no term structure and lags the market. market.json's vol is the
// proxy's last value rounded to 4 decimals.
//
// Market data: valuation date = last history date, price = last close, rate = 0.06 for every
// stock (US short rates at the start of 2001: fed funds 6.5%, 3-month T-bills near 5.9%), and a
// dividend yield drawn from the seeded RNG in [0, 0.03] — the data carry no dividends.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr std::size_t kDefaultAccounts = 600;
constexpr std::uint64_t kDefaultSeed = 20010102;
constexpr std::size_t kMinAccounts = 20;
constexpr std::size_t kMaxAccounts = 1000000;
constexpr std::int64_t kMultiplier = 100;
constexpr std::int64_t kRateBp = 600;  // 0.06: US short rates at the start of 2001.

constexpr double kEwmaLambda = 0.94;
constexpr std::size_t kSeedReturns = 20;
constexpr double kTradingDaysPerYear = 252.0;
constexpr double kVolFloor = 0.05;

const char* const kUsage =
    "usage: xmargin_make_book --history FILE --out DIR [--accounts N] [--seed S]\n"
    "  --history FILE  closing prices: date,<id>... (e.g. scenarios/data/dowjones30.csv)\n"
    "  --out DIR       where market.json, instruments.csv, positions.csv, accounts.csv,\n"
    "                  history.csv and config.json are written (created if missing)\n"
    "  --accounts N    number of accounts, house accounts included (default 600, 20..1000000)\n"
    "  --seed S        unsigned 64-bit seed of the generator (default 20010102)\n";

// Bad arguments or a bad history file: exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// Dates as days since 1970-01-01 (H. Hinnant's civil-calendar algorithms).

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

// 0 = Sunday ... 5 = Friday.
std::int64_t weekday(std::int64_t days) {
  return days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6;
}

std::int64_t third_friday(std::int64_t year, unsigned month) {
  const std::int64_t first = days_from_civil(year, month, 1);
  return first + (5 - weekday(first) + 7) % 7 + 14;
}

bool parse_date(std::string_view s, std::int64_t& days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const auto num = [&](std::size_t pos, std::size_t len) {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + static_cast<unsigned>(s[i] - '0');
    return v;
  };
  const unsigned y = num(0, 4);
  const unsigned m = num(5, 2);
  const unsigned d = num(8, 2);
  if (m < 1 || m > 12 || d < 1) return false;
  days = days_from_civil(y, m, d);
  const Civil back = civil_from_days(days);
  return back.year == y && back.month == m && back.day == d;
}

std::string two_digits(unsigned v) {
  return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

std::string format_date(std::int64_t days) {
  const Civil c = civil_from_days(days);
  return std::to_string(c.year) + "-" + two_digits(c.month) + "-" + two_digits(c.day);
}

std::string compact_date(std::int64_t days) {
  const Civil c = civil_from_days(days);
  return std::to_string(c.year) + two_digits(c.month) + two_digits(c.day);
}

// ---------------------------------------------------------------------------------------------
// Number formatting with fixed rules, never the locale or the library's choices.

// value / 10^decimals with exactly `decimals` digits after the point, e.g. (3512, 4) -> "0.3512".
std::string fixed_from_scaled(std::int64_t value, int decimals) {
  const bool negative = value < 0;
  std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(value + 1)) + 1 : static_cast<std::uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  const auto width = static_cast<std::size_t>(decimals) + 1;
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  if (decimals > 0) digits.insert(digits.size() - static_cast<std::size_t>(decimals), ".");
  return negative ? "-" + digits : digits;
}

// A strike in cents without trailing zeros: 4000 -> "40", 3750 -> "37.5", 1225 -> "12.25".
std::string strike_text(std::int64_t cents) {
  if (cents % 100 == 0) return std::to_string(cents / 100);
  if (cents % 10 == 0) return fixed_from_scaled(cents / 10, 1);
  return fixed_from_scaled(cents, 2);
}

std::string fixed_double(double value, int decimals) {
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  return std::string(buffer, result.ptr);
}

std::string shortest_double(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string padded(std::size_t value, std::size_t width) {
  std::string s = std::to_string(value);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// ---------------------------------------------------------------------------------------------
// Randomness: mt19937_64's sequence is fixed by the standard; the mappings below are ours.
// Every draw sits in its own statement: the order in which a call's arguments (or the operands
// of *) are evaluated is unspecified, and GCC and Clang do differ.

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform on [0, n) by modulo: the bias (below n / 2^64) does not matter here, and it keeps
  // the mapping obvious.
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(below(n)); }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool per_mille(std::uint64_t p) { return below(1000) < p; }
  std::int64_t sign() { return below(2) == 0 ? 1 : -1; }

 private:
  std::mt19937_64 engine_;
};

// Independent streams per stage, so that changing one stage leaves the others' draws alone.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + stream * 0x9E3779B97F4A7C15ULL;  // SplitMix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Partial Fisher-Yates: `count` distinct elements of `pool` in random order (pool is consumed).
template <typename T>
std::vector<T> draw_distinct(Rng& rng, std::vector<T>& pool, std::size_t count) {
  std::vector<T> out;
  count = std::min(count, pool.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = i + rng.index(pool.size() - i);
    std::swap(pool[i], pool[j]);
    out.push_back(pool[i]);
  }
  pool.erase(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(count));
  return out;
}

// ---------------------------------------------------------------------------------------------
// History and the vol proxy.

struct History {
  std::vector<std::string> ids;                 // stock columns, in file order
  std::vector<std::string> dates;               // as written
  std::vector<std::vector<std::string>> cells;  // [row][stock], price text as written
  std::vector<std::vector<double>> prices;      // [stock][row]
  std::int64_t valuation_date = 0;
};

std::vector<std::string> split_commas(std::string_view line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.emplace_back(line.substr(start));
      return out;
    }
    out.emplace_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

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

// Natural logarithm from + - * / only, so its bits do not depend on the maths library:
// x = 2^k * m with m in [1/sqrt2, sqrt2], ln m = 2 atanh(z) = 2 (z + z^3/3 + ...), |z| < 0.172.
double portable_log(double x) {
  constexpr double kLn2 = 0.69314718055994530942;
  constexpr double kSqrt2 = 1.41421356237309504880;
  int k = 0;
  while (x > kSqrt2) {
    x *= 0.5;
    ++k;
  }
  while (x < 0.5 * kSqrt2) {
    x *= 2.0;
    --k;
  }
  const double z = (x - 1.0) / (x + 1.0);
  const double z2 = z * z;
  double power = z;
  double sum = 0.0;
  for (int n = 1; n < 40; n += 2) {
    const double term = power / n;
    sum += term;
    power *= z2;
  }
  const double log_mantissa = 2.0 * sum;
  const double log_exponent = k * kLn2;
  return log_exponent + log_mantissa;
}

std::vector<double> vol_proxy(const std::vector<double>& prices) {
  const std::size_t n = prices.size();
  std::vector<double> r(n, 0.0);
  for (std::size_t i = 1; i < n; ++i) r[i] = portable_log(prices[i] / prices[i - 1]);
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

// ---------------------------------------------------------------------------------------------
// Market and instruments.

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

using Chain = std::vector<std::array<std::vector<std::size_t>, 2>>;  // [expiry][C,P][strike]

struct Catalog {
  std::vector<Instrument> list;
  std::vector<std::int64_t> future_expiries;      // three quarterly third Fridays
  std::vector<std::int64_t> option_expiries;      // two monthly, then two quarterly third Fridays
  std::vector<std::int64_t> fop_expiries;         // option_expiries[1..3]
  std::vector<std::vector<std::size_t>> futures;  // [stock][future expiry]
  std::vector<Chain> spot;                        // [stock]
  std::vector<Chain> fop;                         // [stock], empty without options on futures
};

void choose_expiries(std::int64_t valuation, Catalog& cat) {
  Civil c = civil_from_days(valuation);
  std::vector<std::pair<std::int64_t, unsigned>> fridays;  // (date, month)
  for (int k = 0; k < 24; ++k) {
    const std::int64_t tf = third_friday(c.year, c.month);
    if (tf > valuation) fridays.emplace_back(tf, c.month);
    if (++c.month > 12) {
      c.month = 1;
      ++c.year;
    }
  }
  for (const auto& [date, month] : fridays) {
    if (month % 3 == 0 && cat.future_expiries.size() < 3) cat.future_expiries.push_back(date);
    if (cat.option_expiries.size() < 2) {
      cat.option_expiries.push_back(date);
    } else if (month % 3 == 0 && cat.option_expiries.size() < 4) {
      cat.option_expiries.push_back(date);
    }
  }
  cat.fop_expiries.assign(cat.option_expiries.begin() + 1, cat.option_expiries.end());
}

// Listed-style strike grid: $2.50 apart below $50, $5 above, covering 80%..120% of the spot,
// widened to at least four strikes for the cheapest names.
std::vector<std::int64_t> strike_grid(std::int64_t spot_cents) {
  const auto step_up = [](std::int64_t k) { return k < 5000 ? k + 250 : k + 500; };
  const auto step_down = [](std::int64_t k) { return k <= 5000 ? k - 250 : k - 500; };
  const std::int64_t lo = (8 * spot_cents + 9) / 10;
  const std::int64_t hi = 12 * spot_cents / 10;
  std::vector<std::int64_t> strikes;
  for (std::int64_t k = 250; k <= hi; k = step_up(k)) {
    if (k >= lo) strikes.push_back(k);
  }
  if (strikes.empty()) {
    std::int64_t k = 250;
    while (step_up(k) <= spot_cents) k = step_up(k);
    strikes.push_back(k);
  }
  bool below_next = true;
  while (strikes.size() < 4) {
    const std::int64_t down = step_down(strikes.front());
    if (below_next && down > 0) {
      strikes.insert(strikes.begin(), down);
    } else {
      strikes.push_back(step_up(strikes.back()));
    }
    below_next = !below_next;
  }
  return strikes;
}

std::size_t nearest_strike(const std::vector<std::int64_t>& strikes, std::int64_t spot) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < strikes.size(); ++i) {
    if (std::llabs(strikes[i] - spot) < std::llabs(strikes[best] - spot)) best = i;
  }
  return best;
}

std::vector<Stock> make_stocks(const History& h, Rng& rng) {
  std::vector<Stock> stocks;
  const std::size_t last = h.dates.size() - 1;
  for (std::size_t s = 0; s < h.ids.size(); ++s) {
    Stock st;
    st.id = h.ids[s];
    const double close = h.prices[s][last];
    st.price_text = shortest_double(close);
    st.price_cents = std::llround(close * 100.0);
    if (st.price_cents < 100)
      throw UsageError("history: last close of " + st.id + " is below $1; not a stock price");
    const std::vector<double> vol = vol_proxy(h.prices[s]);
    st.vol_bp = std::llround(vol[last] * 10000.0);
    // No dividends in the data: a yield in [0, 0.03] drawn from the seeded RNG.
    st.dividend_bp = rng.between(0, 300);
    st.strikes = strike_grid(st.price_cents);
    st.atm = nearest_strike(st.strikes, st.price_cents);
    // Most names list American options on the stock, a few European; every third name also
    // lists options on its futures, alternately European and American; some names get a put
    // skew as per-instrument vol overrides.
    st.spot_european = s % 5 == 4;
    st.has_fop = s % 3 == 0;
    st.fop_american = s % 6 == 3;
    st.put_skew = s % 4 == 1;
    stocks.push_back(std::move(st));
  }
  return stocks;
}

Catalog make_catalog(const std::vector<Stock>& stocks, std::int64_t valuation) {
  Catalog cat;
  choose_expiries(valuation, cat);
  if (cat.future_expiries.size() != 3 || cat.option_expiries.size() != 4)
    throw std::logic_error("expiry calendar");
  const auto add = [&](Instrument inst) {
    cat.list.push_back(std::move(inst));
    return cat.list.size() - 1;
  };
  for (std::size_t s = 0; s < stocks.size(); ++s) {
    const Stock& st = stocks[s];
    cat.futures.emplace_back();
    for (std::int64_t expiry : cat.future_expiries) {
      Instrument f;
      f.id = st.id + "-FUT-" + compact_date(expiry);
      f.stock = s;
      f.future = true;
      f.expiry = expiry;
      cat.futures.back().push_back(add(std::move(f)));
    }
    const auto chain = [&](const std::vector<std::int64_t>& expiries, bool on_future) {
      Chain out(expiries.size());
      for (std::size_t e = 0; e < expiries.size(); ++e) {
        for (int r = 0; r < 2; ++r) {
          for (std::int64_t strike : st.strikes) {
            Instrument o;
            o.stock = s;
            o.expiry = expiries[e];
            o.strike = strike;
            o.right = r == 0 ? 'C' : 'P';
            o.on_future = on_future;
            o.american = on_future ? st.fop_american : !st.spot_european;
            o.id = st.id + (on_future ? "-FOP-" : "-OPT-") + compact_date(o.expiry) + "-" +
                   o.right + strike_text(strike);
            // Put skew: out-of-the-money puts quoted above the at-the-money vol, 0.8 vol points
            // per 1% of moneyness.
            if (!on_future && st.put_skew && o.right == 'P' && strike < st.price_cents)
              o.vol_bp =
                  st.vol_bp + st.vol_bp * 8 * (st.price_cents - strike) / (10 * st.price_cents);
            out[e][static_cast<std::size_t>(r)].push_back(add(std::move(o)));
          }
        }
      }
      return out;
    };
    cat.spot.push_back(chain(cat.option_expiries, false));
    cat.fop.push_back(st.has_fop ? chain(cat.fop_expiries, true) : Chain{});
  }
  return cat;
}

// ---------------------------------------------------------------------------------------------
// Accounts and positions.

struct Leg {
  std::size_t instrument;
  std::int64_t quantity;
};

struct Account {
  std::string id;
  std::string strategy;
  bool house = false;
  bool isolated = false;
  std::string group;
  std::int64_t collateral_cents = 0;
  std::vector<Leg> legs;
};

enum class Strategy {
  kCoveredCall,
  kVerticalSpread,
  kStraddleStrangle,
  kPairsHedge,
  kProtectivePut,
  kNakedShort,
  kCalendarSpread,
  kOutrightFutures,
  kMixed,
};

struct StrategyInfo {
  Strategy strategy;
  const char* name;
  std::uint64_t weight_per_mille;
};

constexpr std::array<StrategyInfo, 9> kStrategies = {{
    {Strategy::kCoveredCall, "covered_call", 140},
    {Strategy::kVerticalSpread, "vertical_spread", 140},
    {Strategy::kStraddleStrangle, "straddle_strangle", 120},
    {Strategy::kPairsHedge, "pairs_hedge", 100},
    {Strategy::kProtectivePut, "protective_put", 120},
    {Strategy::kNakedShort, "naked_short", 100},
    {Strategy::kCalendarSpread, "calendar_spread", 100},
    {Strategy::kOutrightFutures, "outright_futures", 80},
    {Strategy::kMixed, "mixed", 100},
}};

class BookBuilder {
 public:
  BookBuilder(const std::vector<Stock>& stocks, const Catalog& cat, Rng& rng)
      : stocks_(stocks), cat_(cat), rng_(rng) {}

  // Several strategy packages of one style (a trader's book), on random names.
  void fill_customer(Account& a, Strategy strategy) {
    const std::size_t packages =
        strategy == Strategy::kMixed ? 2 + rng_.index(4) : 1 + rng_.index(5);
    for (std::size_t p = 0; p < packages; ++p) {
      Strategy s = strategy;
      if (s == Strategy::kMixed) s = kStrategies[rng_.index(kStrategies.size() - 1)].strategy;
      add_package(a, s);
    }
    drop_flat(a);
    if (a.legs.empty()) {
      const std::size_t s = stock();
      add(a, future(s, 0), lot());
    }
  }

  // A house (market-maker) book: a future on every name, then hundreds of options and futures
  // across all names with large sizes.
  void fill_house(Account& a) {
    for (std::size_t s = 0; s < stocks_.size(); ++s) {
      const std::size_t e = rng_.index(3);
      add(a, future(s, e), signed_size(2, 10));
    }
    const std::size_t picks = 200 + rng_.index(201);
    for (std::size_t i = 0; i < picks; ++i) {
      const std::size_t instrument = rng_.index(cat_.list.size());
      add(a, instrument, signed_size(1, 8));
    }
    drop_flat(a);
  }

 private:
  static constexpr std::array<std::int64_t, 18> kLots = {1,  1,  2,  2,  3,  4,  5,  5,  10,
                                                         10, 10, 15, 20, 25, 30, 50, 75, 100};

  std::int64_t lot() { return kLots[rng_.index(kLots.size())]; }

  // A house-sized quantity: sign, lot and scale drawn in this order.
  std::int64_t signed_size(std::int64_t lo, std::int64_t hi) {
    const std::int64_t sign = rng_.sign();
    const std::int64_t base = lot();
    return sign * base * rng_.between(lo, hi);
  }
  std::size_t stock() { return rng_.index(stocks_.size()); }
  std::size_t strikes(std::size_t s) const { return stocks_[s].strikes.size(); }

  std::size_t clamp_strike(std::size_t s, std::int64_t k) const {
    const auto top = static_cast<std::int64_t>(strikes(s)) - 1;
    return static_cast<std::size_t>(std::clamp<std::int64_t>(k, 0, top));
  }
  std::int64_t atm(std::size_t s) const { return static_cast<std::int64_t>(stocks_[s].atm); }

  std::size_t future(std::size_t s, std::size_t e) const { return cat_.futures[s][e]; }
  std::size_t spot_option(std::size_t s, std::size_t e, int right, std::int64_t k) const {
    return cat_.spot[s][e][static_cast<std::size_t>(right)][clamp_strike(s, k)];
  }
  std::size_t fop_option(std::size_t s, std::size_t e, int right, std::int64_t k) const {
    return cat_.fop[s][e][static_cast<std::size_t>(right)][clamp_strike(s, k)];
  }

  // An option on stock s expiring no later than the future expiry fe: on the future itself when
  // the name lists options on futures and a coin says so, else on the spot.
  std::size_t option_until(std::size_t s, std::size_t fe, int right, std::int64_t k) {
    const std::int64_t limit = cat_.future_expiries[fe];
    if (stocks_[s].has_fop && rng_.below(2) == 0) {
      std::size_t count = 0;
      while (count < cat_.fop_expiries.size() && cat_.fop_expiries[count] <= limit) ++count;
      return fop_option(s, rng_.index(count), right, k);
    }
    std::size_t count = 0;
    while (count < cat_.option_expiries.size() && cat_.option_expiries[count] <= limit) ++count;
    return spot_option(s, rng_.index(count), right, k);
  }

  // Any option on stock s: spot chain, or the futures chain when the name has one.
  std::size_t any_option(std::size_t s, int right, std::int64_t k) {
    if (stocks_[s].has_fop && rng_.below(3) == 0)
      return fop_option(s, rng_.index(cat_.fop_expiries.size()), right, k);
    return spot_option(s, rng_.index(cat_.option_expiries.size()), right, k);
  }

  void add(Account& a, std::size_t instrument, std::int64_t quantity) {
    for (Leg& leg : a.legs) {
      if (leg.instrument == instrument) {
        leg.quantity += quantity;
        return;
      }
    }
    a.legs.push_back({instrument, quantity});
  }

  static void drop_flat(Account& a) {
    std::erase_if(a.legs, [](const Leg& leg) { return leg.quantity == 0; });
  }

  void add_package(Account& a, Strategy strategy) {
    const std::size_t s = stock();
    const std::int64_t q = lot();
    switch (strategy) {
      case Strategy::kCoveredCall: {  // long future, short out-of-the-money call
        const std::size_t fe = rng_.index(2);
        add(a, future(s, fe), q);
        const std::int64_t k = atm(s) + 1 + rng_.between(0, 1);
        add(a, option_until(s, fe, 0, k), -q);
        break;
      }
      case Strategy::kVerticalSpread: {  // bull call / bear put, debit or credit
        const int right = static_cast<int>(rng_.below(2));
        const std::size_t e = rng_.index(cat_.option_expiries.size());
        const std::int64_t lo = atm(s) - rng_.between(0, 2);
        const std::int64_t hi = lo + rng_.between(1, 2);
        const std::int64_t side = rng_.per_mille(700) ? 1 : -1;  // 70% debit spreads
        const std::int64_t long_k = right == 0 ? lo : hi;
        const std::int64_t short_k = right == 0 ? hi : lo;
        add(a, spot_option(s, e, right, long_k), side * q);
        add(a, spot_option(s, e, right, short_k), -side * q);
        break;
      }
      case Strategy::kStraddleStrangle: {  // long or short, at the money or out of it
        const std::size_t e = rng_.index(cat_.option_expiries.size());
        const std::int64_t side = rng_.per_mille(600) ? 1 : -1;
        const std::int64_t width = rng_.below(2) == 0 ? 0 : rng_.between(1, 2);
        add(a, spot_option(s, e, 0, atm(s) + width), side * q);
        add(a, spot_option(s, e, 1, atm(s) - width), side * q);
        break;
      }
      case Strategy::kPairsHedge: {  // long one name's future, short another's, same notional
        std::size_t other = stock();
        while (other == s) other = stock();
        const std::size_t fe = rng_.index(3);
        const std::int64_t p_long = stocks_[s].price_cents;
        const std::int64_t p_short = stocks_[other].price_cents;
        const std::int64_t q_short =
            std::max<std::int64_t>(1, (q * p_long + p_short / 2) / p_short);
        add(a, future(s, fe), q);
        add(a, future(other, fe), -q_short);
        break;
      }
      case Strategy::kProtectivePut: {  // long future, long out-of-the-money put
        const std::size_t fe = rng_.index(3);
        add(a, future(s, fe), q);
        const std::int64_t k = atm(s) - 1 - rng_.between(0, 1);
        add(a, option_until(s, fe, 1, k), q);
        break;
      }
      case Strategy::kNakedShort: {  // short puts and/or calls out of the money
        const std::uint64_t kind = rng_.below(3);
        if (kind != 1) {
          const std::int64_t k = atm(s) - rng_.between(1, 2);
          add(a, any_option(s, 1, k), -q);
        }
        if (kind != 0) {
          const std::int64_t k = atm(s) + rng_.between(1, 2);
          add(a, any_option(s, 0, k), -q);
        }
        break;
      }
      case Strategy::kCalendarSpread: {
        if (rng_.per_mille(300)) {  // futures calendar
          const std::size_t near = rng_.index(2);
          const std::size_t far = near + 1 + rng_.index(2 - near);
          const std::int64_t side = rng_.sign();
          add(a, future(s, near), side * q);
          add(a, future(s, far), -side * q);
        } else {  // sell the near option, buy the far one, same strike
          const int right = static_cast<int>(rng_.below(2));
          const std::int64_t k = atm(s) + rng_.between(-1, 1);
          const std::size_t near = rng_.index(3);
          const std::size_t far = near + 1 + rng_.index(3 - near);
          add(a, spot_option(s, near, right, k), -q);
          add(a, spot_option(s, far, right, k), q);
        }
        break;
      }
      case Strategy::kOutrightFutures: {
        const std::size_t fe = rng_.index(3);
        add(a, future(s, fe), rng_.sign() * q);
        break;
      }
      case Strategy::kMixed:
        throw std::logic_error("mixed is not a package");
    }
  }

  const std::vector<Stock>& stocks_;
  const Catalog& cat_;
  Rng& rng_;
};

Strategy draw_strategy(Rng& rng) {
  std::uint64_t u = rng.below(1000);
  for (const StrategyInfo& info : kStrategies) {
    if (u < info.weight_per_mille) return info.strategy;
    u -= info.weight_per_mille;
  }
  return kStrategies.back().strategy;
}

const char* strategy_name(Strategy s) {
  for (const StrategyInfo& info : kStrategies) {
    if (info.strategy == s) return info.name;
  }
  return "?";
}

// A crude gross risk (no offsets) in cents, all in integers: a 2-day 99% move of each leg's
// notional (2.33 * sqrt(2/252) = 0.2076 of one vol), options counted at half weight.
std::int64_t gross_risk_cents(const Account& a, const std::vector<Stock>& stocks,
                              const Catalog& cat) {
  std::int64_t risk = 0;
  for (const Leg& leg : a.legs) {
    const Instrument& inst = cat.list[leg.instrument];
    const Stock& st = stocks[inst.stock];
    const std::int64_t notional = std::llabs(leg.quantity) * kMultiplier * st.price_cents;
    const std::int64_t move = notional * st.vol_bp / 10000 * 2076 / 10000;
    risk += inst.future ? move : move / 2;
  }
  return risk;
}

struct Book {
  std::vector<Account> accounts;
  std::vector<std::pair<std::size_t, Leg>> split_tails;  // (account, second row) at file end
  std::vector<std::string> groups;
  std::size_t houses = 0;
};

Book make_book(std::size_t n_accounts, const std::vector<Stock>& stocks, const Catalog& cat,
               std::uint64_t seed) {
  Rng rng(stream_seed(seed, 2));
  BookBuilder builder(stocks, cat, rng);
  Book book;
  book.houses = std::max<std::size_t>(1, n_accounts / 150);
  const std::size_t customers = n_accounts - book.houses;
  const std::size_t width = std::max<std::size_t>(4, std::to_string(n_accounts).size());
  const std::size_t house_width = std::max<std::size_t>(2, std::to_string(book.houses).size());
  const std::size_t empty_a = customers / 3;
  const std::size_t empty_b = 2 * customers / 3;

  for (std::size_t i = 0; i < customers; ++i) {
    Account a;
    a.id = "ACC" + padded(i + 1, width);
    if (i == empty_a || i == empty_b) {
      a.strategy = "empty";
      a.collateral_cents = rng.between(5000, 50000) * 100;  // a deposit, nothing traded yet
    } else {
      const Strategy s = draw_strategy(rng);
      a.strategy = strategy_name(s);
      builder.fill_customer(a, s);
      const std::int64_t gross = gross_risk_cents(a, stocks, cat);
      // Most accounts post 0.8x..3x the gross risk; one in ten posts far less.
      const std::int64_t factor =
          rng.per_mille(100) ? rng.between(20, 300) : rng.between(800, 3000);
      a.collateral_cents = std::max<std::int64_t>(100000, gross * factor / 1000);
    }
    book.accounts.push_back(std::move(a));
  }
  for (std::size_t h = 0; h < book.houses; ++h) {
    Account a;
    a.id = "HOUSE" + padded(h + 1, house_width);
    a.strategy = "house";
    a.house = true;
    builder.fill_house(a);
    // A house book offsets most of its gross risk; it posts 0.2x..0.4x of it.
    a.collateral_cents = gross_risk_cents(a, stocks, cat) * rng.between(200, 400) / 1000;
    book.accounts.push_back(std::move(a));
  }

  // About 5% of the customer accounts are margined position by position.
  std::vector<std::size_t> pool;
  for (std::size_t i = 0; i < customers; ++i) {
    if (!book.accounts[i].legs.empty()) pool.push_back(i);
  }
  for (std::size_t i : draw_distinct(rng, pool, std::max<std::size_t>(1, customers / 20)))
    book.accounts[i].isolated = true;

  // Cross-margin groups of 2..6 cross accounts each (the pool holds only cross accounts now).
  const std::size_t n_groups = std::max<std::size_t>(4, n_accounts / 150);
  const std::size_t group_width = std::max<std::size_t>(2, std::to_string(n_groups).size());
  for (std::size_t g = 0; g < n_groups && pool.size() >= 2; ++g) {
    const std::string name = "GRP" + padded(g + 1, group_width);
    const std::size_t size = 2 + rng.index(5);
    for (std::size_t i : draw_distinct(rng, pool, size)) book.accounts[i].group = name;
    book.groups.push_back(name);
  }

  // A handful of positions written as two rows; the second row goes to the end of the file.
  constexpr std::size_t kSplits = 6;
  for (std::size_t tries = 0; book.split_tails.size() < kSplits && tries < 10000; ++tries) {
    const std::size_t i = rng.index(customers);
    Account& a = book.accounts[i];
    if (a.legs.empty()) continue;
    Leg& leg = a.legs[rng.index(a.legs.size())];
    if (std::llabs(leg.quantity) < 2) continue;
    if (std::any_of(book.split_tails.begin(), book.split_tails.end(),
                    [&](const auto& t) { return t.first == i; }))
      continue;
    const std::int64_t sign = leg.quantity > 0 ? 1 : -1;
    const std::int64_t first = sign * rng.between(1, std::llabs(leg.quantity) - 1);
    book.split_tails.push_back({i, {leg.instrument, leg.quantity - first}});
    leg.quantity = first;
  }
  return book;
}

// ---------------------------------------------------------------------------------------------
// Output.

void write_file(const std::filesystem::path& path, const std::string& content) {
  // Binary mode: "\n" line ends on every platform.
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

std::string market_json(const History& h, const std::vector<Stock>& stocks) {
  std::string s =
      "{\n  \"valuation_date\": \"" + format_date(h.valuation_date) + "\",\n  \"underlyings\": [\n";
  for (std::size_t i = 0; i < stocks.size(); ++i) {
    const Stock& st = stocks[i];
    s += "    { \"id\": \"" + st.id + "\", \"price\": " + st.price_text +
         ", \"vol\": " + fixed_from_scaled(st.vol_bp, 4) +
         ", \"rate\": " + fixed_from_scaled(kRateBp, 4) +
         ", \"dividend_yield\": " + fixed_from_scaled(st.dividend_bp, 4) + " }";
    s += i + 1 < stocks.size() ? ",\n" : "\n";
  }
  s += "  ]\n}\n";
  return s;
}

std::string instruments_csv(const std::vector<Stock>& stocks, const Catalog& cat) {
  std::string s = "instrument,type,underlying,expiry,multiplier,strike,right,style,on,vol\n";
  for (const Instrument& inst : cat.list) {
    s += inst.id;
    s += inst.future ? ",future," : ",option,";
    s += stocks[inst.stock].id + "," + format_date(inst.expiry) + "," + std::to_string(kMultiplier);
    if (inst.future) {
      s += ",,,,,\n";
      continue;
    }
    s += "," + strike_text(inst.strike) + "," + inst.right;
    s += inst.american ? ",american" : ",european";
    s += inst.on_future ? ",future," : ",spot,";
    if (inst.vol_bp != 0) s += fixed_from_scaled(inst.vol_bp, 4);
    s += "\n";
  }
  return s;
}

std::string positions_csv(const Book& book, const Catalog& cat) {
  std::string s = "account,instrument,quantity\n";
  for (const Account& a : book.accounts) {
    for (const Leg& leg : a.legs)
      s += a.id + "," + cat.list[leg.instrument].id + "," + std::to_string(leg.quantity) + "\n";
  }
  for (const auto& [i, leg] : book.split_tails)
    s += book.accounts[i].id + "," + cat.list[leg.instrument].id + "," +
         std::to_string(leg.quantity) + "\n";
  return s;
}

std::string accounts_csv(const Book& book) {
  std::string s = "account,mode,group,collateral\n";
  for (const Account& a : book.accounts) {
    s += a.id + (a.isolated ? ",isolated," : ",cross,") + a.group + "," +
         fixed_from_scaled(a.collateral_cents, 2) + "\n";
  }
  return s;
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

std::string config_json() {
  return "{\n"
         "  \"measure\": \"es\",\n"
         "  \"confidence\": 0.99,\n"
         "  \"time_decay\": true,\n"
         "  \"scenarios\": { \"historical\": { \"lookback_days\": 1000, \"mpor_days\": 2 } }\n"
         "}\n";
}

void print_summary(const Book& book, const Catalog& cat, const std::vector<Stock>& stocks) {
  std::size_t futures = 0, spot_am = 0, spot_eu = 0, fop_am = 0, fop_eu = 0, calls = 0, puts = 0,
              overrides = 0;
  for (const Instrument& inst : cat.list) {
    if (inst.future) {
      ++futures;
      continue;
    }
    (inst.right == 'C' ? calls : puts) += 1;
    if (inst.vol_bp != 0) ++overrides;
    if (inst.on_future) {
      (inst.american ? fop_am : fop_eu) += 1;
    } else {
      (inst.american ? spot_am : spot_eu) += 1;
    }
  }
  std::map<std::string, std::size_t> by_strategy;
  std::size_t positions = 0, isolated = 0, grouped = 0, house_positions = 0;
  for (const Account& a : book.accounts) {
    ++by_strategy[a.strategy];
    positions += a.legs.size();
    if (a.house) house_positions += a.legs.size();
    if (a.isolated) ++isolated;
    if (!a.group.empty()) ++grouped;
  }
  std::cout << "underlyings " << stocks.size() << "\n"
            << "instruments " << cat.list.size() << ": futures " << futures
            << ", options on spot american " << spot_am << " european " << spot_eu
            << ", options on futures american " << fop_am << " european " << fop_eu << " (calls "
            << calls << ", puts " << puts << ", vol overrides " << overrides << ")\n"
            << "accounts " << book.accounts.size() << ": houses " << book.houses << ", isolated "
            << isolated << ", in groups " << grouped << " (" << book.groups.size() << " groups)\n"
            << "positions " << positions << " (" << house_positions << " in houses), rows "
            << positions + book.split_tails.size() << " (" << book.split_tails.size() << " split)\n"
            << "strategies:";
  for (const auto& [name, count] : by_strategy) std::cout << " " << name << " " << count;
  std::cout << "\n";
}

// ---------------------------------------------------------------------------------------------
// Command line.

struct Options {
  std::string history;
  std::string out;
  std::size_t accounts = kDefaultAccounts;
  std::uint64_t seed = kDefaultSeed;
};

std::uint64_t parse_unsigned(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size())
    throw UsageError(flag + ": expected an unsigned integer, got '" + text + "'");
  return value;
}

Options parse_options(int argc, char** argv, bool& help) {
  Options o;
  bool have_history = false, have_out = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return o;
    }
    std::string value;
    const std::size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg == "--history" || arg == "--out" || arg == "--accounts" || arg == "--seed") {
      if (i + 1 >= argc) throw UsageError(arg + ": expected a value");
      value = argv[++i];
    }
    if (arg == "--history") {
      o.history = value;
      have_history = !value.empty();
    } else if (arg == "--out") {
      o.out = value;
      have_out = !value.empty();
    } else if (arg == "--accounts") {
      const std::uint64_t n = parse_unsigned(arg, value);
      if (n < kMinAccounts || n > kMaxAccounts)
        throw UsageError("--accounts: expected " + std::to_string(kMinAccounts) + ".." +
                         std::to_string(kMaxAccounts) + ", got " + value);
      o.accounts = static_cast<std::size_t>(n);
    } else if (arg == "--seed") {
      o.seed = parse_unsigned(arg, value);
    } else {
      throw UsageError("unknown argument '" + std::string(argv[i]) + "'");
    }
  }
  if (!have_history) throw UsageError("--history FILE is required");
  if (!have_out) throw UsageError("--out DIR is required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    bool help = false;
    options = parse_options(argc, argv, help);
    if (help) {
      std::cout << kUsage;
      return 0;
    }
  } catch (const UsageError& e) {
    std::cerr << "xmargin_make_book: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  try {
    const History history = read_history(options.history);
    Rng market_rng(stream_seed(options.seed, 1));
    const std::vector<Stock> stocks = make_stocks(history, market_rng);
    const Catalog catalog = make_catalog(stocks, history.valuation_date);
    const Book book = make_book(options.accounts, stocks, catalog, options.seed);

    const std::filesystem::path dir(options.out);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw std::runtime_error(options.out + ": cannot create the directory: " + ec.message());
    write_file(dir / "market.json", market_json(history, stocks));
    write_file(dir / "instruments.csv", instruments_csv(stocks, catalog));
    write_file(dir / "positions.csv", positions_csv(book, catalog));
    write_file(dir / "accounts.csv", accounts_csv(book));
    write_file(dir / "history.csv", history_csv(history));
    write_file(dir / "config.json", config_json());
    print_summary(book, catalog, stocks);
  } catch (const UsageError& e) {
    std::cerr << "xmargin_make_book: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "xmargin_make_book: " << e.what() << "\n";
    return kExitFailed;
  }
  return 0;
}
