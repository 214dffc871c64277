// xmargin_make_book: writes a book in the formats of SPEC §2 (market.json, instruments.csv,
// positions.csv, accounts.csv, history.csv, config.json) and a short summary on stdout.
// Standard library only.
//
//  - The sample (scenarios/default): the stocks of a real closing-price history, priced at
//    their last close, with a vol proxy derived from it.
//  - A workload (--workload small|medium|eod): a synthetic history for hundreds of underlyings
//    from a factor model fitted to the real one (factor_model.hpp), and a book of exactly the
//    workload's size (workloads.hpp).
//
// The bytes written depend only on the history file and the arguments, on every platform and
// compiler, so that a book can be checked by regenerating it: randomness is mapped to integers
// here (rng.hpp); prices, strikes, collateral, yields and vols are integers (cents, 1e-4)
// wherever possible and printed by integer formatting (text.hpp); floating point is limited to
// + - * / sqrt and our own log and exp, never fused (portable_math.hpp).
//
// Market data: valuation date = last history date, price = last close, rate = 0.06 for every
// underlying (US short rates at the start of 2001: fed funds 6.5%, 3-month T-bills near 5.9%),
// and a dividend yield drawn from the seeded RNG in [0, 0.03] (the data carry no dividends).

#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "accounts.hpp"
#include "calendar.hpp"
#include "factor_model.hpp"
#include "instruments.hpp"
#include "options.hpp"
#include "output.hpp"
#include "real_history.hpp"
#include "rng.hpp"
#include "text.hpp"
#include "usage_error.hpp"
#include "vol_surfaces.hpp"
#include "workloads.hpp"

namespace make_book {

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr std::uint64_t kMarketStream = 1;
constexpr std::size_t kSampleLookbackDays = 1000;

#ifndef XM_DEFAULT_HISTORY
#define XM_DEFAULT_HISTORY "scenarios/data/dowjones30.csv"
#endif

std::filesystem::path output_dir(const std::string& out) {
  const std::filesystem::path dir(out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(out + ": cannot create the directory: " + ec.message());
  return dir;
}

void write_book(const std::filesystem::path& dir, std::int64_t valuation_date,
                const std::vector<Stock>& stocks, const std::vector<Surface>& surfaces,
                const Catalog& catalog, const Book& book, const std::string& history,
                std::size_t lookback_days, const std::string& stress) {
  write_file(dir / "market.json", market_json(valuation_date, stocks, surfaces));
  write_file(dir / "instruments.csv", instruments_csv(stocks, catalog));
  write_file(dir / "positions.csv", positions_csv(book, catalog));
  write_file(dir / "accounts.csv", accounts_csv(book));
  write_file(dir / "history.csv", history);
  write_file(dir / "config.json", config_json(lookback_days, stress));
}

// One surface per stock (stocks in the order of the price series), from the pooled model.
std::vector<Surface> surfaces_for(const std::vector<std::vector<double>>& prices,
                                  const std::vector<Stock>& stocks, std::int64_t valuation_date) {
  const SurfaceModel model = fit_surface_model(prices);
  std::vector<Surface> surfaces;
  for (std::size_t s = 0; s < stocks.size(); ++s) {
    surfaces.push_back(make_surface(model, prices[s], stocks[s].vol_bp, valuation_date));
  }
  print_surfaces(surfaces, model);
  return surfaces;
}

void write_sample(const Options& options) {
  const History history = read_history(options.history);
  std::vector<Quote> quotes;
  const std::size_t last = history.dates.size() - 1;
  for (std::size_t s = 0; s < history.ids.size(); ++s) {
    const double close = history.prices[s][last];
    const std::vector<double> vol = vol_proxy(history.prices[s]);
    quotes.push_back({history.ids[s], shortest_double(close), std::llround(close * 100.0),
                      std::llround(vol[last] * 10000.0)});
  }
  Rng market_rng(stream_seed(options.seed, kMarketStream));
  std::vector<Stock> stocks = make_stocks(quotes, market_rng);
  const ExpiryCalendar calendar = sample_calendar(history.valuation_date);
  std::vector<ListingPlan> plans;
  for (Stock& st : stocks) {
    st.strikes = sample_strike_grid(st.price_cents);
    st.atm = nearest_strike(st.strikes, st.price_cents);
    plans.push_back(full_listing(st, calendar));
  }
  const Catalog catalog = make_catalog(stocks, calendar, plans);
  const Book book = make_sample_book(options.accounts, stocks, catalog, options.seed);
  const std::vector<Surface> surfaces =
      options.surfaces ? surfaces_for(history.prices, stocks, history.valuation_date)
                       : std::vector<Surface>{};
  write_book(output_dir(options.out), history.valuation_date, stocks, surfaces, catalog, book,
             history_csv(history), kSampleLookbackDays,
             sample_stress_json(history.ids, history.prices));
  print_summary(book, catalog, stocks);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void write_workload(const Options& options, const Workload& w) {
  const auto start = std::chrono::steady_clock::now();
  const std::string source = options.history.empty() ? XM_DEFAULT_HISTORY : options.history;
  const History real = read_history(source);
  const FactorModel model = fit_factor_model(real);
  const SyntheticHistory history =
      simulate_history(model, w.underlyings, history_rows(w), real.valuation_date, options.seed);
  std::vector<Quote> quotes;
  for (std::size_t j = 0; j < history.ids.size(); ++j) {
    const std::int64_t units = history.price_units[j].back();
    // Strikes and collateral work in cents: the last close rounded half up.
    quotes.push_back({history.ids[j], fixed_from_scaled(units, kPriceDecimals), (units + 50) / 100,
                      history.vol_bp[j].back()});
  }
  Rng market_rng(stream_seed(options.seed, kMarketStream));
  std::vector<Stock> stocks = make_stocks(quotes, market_rng);
  const ExpiryCalendar calendar = workload_calendar(real.valuation_date);
  const std::vector<ListingPlan> plans = plan_workload_listings(stocks, w.instruments, calendar);
  const Catalog catalog = make_catalog(stocks, calendar, plans);
  const Book book =
      make_workload_book({w.accounts, w.positions, w.houses}, stocks, catalog, options.seed);
  std::vector<Surface> surfaces;
  if (options.surfaces) {
    std::vector<std::vector<double>> prices;
    for (const auto& units : history.price_units) {
      std::vector<double> series;
      for (const std::int64_t u : units) series.push_back(static_cast<double>(u) / 10000.0);
      prices.push_back(std::move(series));
    }
    surfaces = surfaces_for(prices, stocks, real.valuation_date);
  }
  write_book(output_dir(options.out), real.valuation_date, stocks, surfaces, catalog, book,
             history_csv(history), w.lookback_days, "");

  double beta_lo = history.betas.front(), beta_hi = beta_lo;
  for (double b : history.betas) {
    beta_lo = std::min(beta_lo, b);
    beta_hi = std::max(beta_hi, b);
  }
  std::cout << "workload " << w.name << ", seed " << options.seed << "\n"
            << "history " << history.dates.size() << " rows " << format_date(history.dates.front())
            << " .. " << format_date(history.dates.back()) << "; factor model fitted to "
            << model.ids.size() << " series x " << model.days() << " days of " << source
            << " (factor vol " << fixed_double(model.factor_vol * std::sqrt(252.0), 3)
            << " annualised), betas " << fixed_double(beta_lo, 2) << ".."
            << fixed_double(beta_hi, 2) << "\n";
  print_summary(book, catalog, stocks);
  std::cout << "written in " << fixed_double(seconds_since(start), 2) << " s\n";
}

}  // namespace

}  // namespace make_book

int main(int argc, char** argv) {
  using namespace make_book;
  Options options;
  try {
    options = parse_options(argc, argv);
    if (options.help) {
      std::cout << kUsage;
      return 0;
    }
  } catch (const UsageError& e) {
    std::cerr << "xmargin_make_book: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  try {
    if (options.workload.empty()) {
      write_sample(options);
    } else {
      write_workload(options, *find_workload(options.workload));
    }
  } catch (const UsageError& e) {
    std::cerr << "xmargin_make_book: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "xmargin_make_book: " << e.what() << "\n";
    return kExitFailed;
  }
  return 0;
}
