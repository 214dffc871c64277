#pragma once
#include <cstdint>
#include <optional>

namespace xm {

enum class RiskMeasure { expected_shortfall, value_at_risk };

// SPEC §3: overlapping h-day moves over the last lookback_days.
struct HistoricalSource {
  int lookback_days = 1000;  // number of scenarios
  int mpor_days = 2;         // margin period of risk, business days
  double weight = 1.0;       // share of the pooled tail before normalising (SPEC §5)
};

// SPEC §5.2: the historical moves rescaled to today's EWMA volatility.
struct FilteredHistoricalSource {
  int lookback_days = 1000;
  int mpor_days = 2;
  double lambda = 0.97;  // EWMA decay of the daily variance
  int seed_days = 30;    // returns averaged to start the EWMA
  double weight = 1.0;
};

enum class McDistribution { normal, student_t };

// SPEC §5.1: joint draws of the daily factors' covariance, scaled to the horizon.
struct MonteCarloSource {
  int count = 10000;
  int mpor_days = 2;
  std::uint64_t seed = 20011231;
  McDistribution distribution = McDistribution::normal;
  double nu = 5.0;                    // Student-t degrees of freedom, > 2
  int window_days = 500;              // daily returns the covariance is estimated on
  std::optional<double> ewma_lambda;  // absent: sample covariance
  bool vol_factors = true;            // the `.vol` columns' changes join the factors
  double weight = 1.0;
};

// The most draws one Monte Carlo source may ask for (scenario generation; a
// backend may be limited further by its memory budget).
inline constexpr int kMaxMonteCarloCount = 1'000'000;
// Largest Student-t ν: beyond it the t is a normal to plotting accuracy, and it
// bounds the iterations of the χ² inversion (include/xmargin/monte_carlo.hpp).
inline constexpr double kMaxStudentNu = 1000.0;

// config.json "vol_surface" (SPEC §6): a surface whose total variance σ²T
// decreases in expiry at some moneyness node (calendar arbitrage) is an error
// unless allowed, then a warning on stderr.
struct VolSurfaceSettings {
  bool allow_calendar_arbitrage = false;
};

// config.json (SPEC §2, §5, §6); defaults are the SPEC's.
struct Config {
  RiskMeasure measure = RiskMeasure::expected_shortfall;
  double confidence = 0.99;
  bool time_decay = true;
  std::optional<HistoricalSource> historical = HistoricalSource{};
  std::optional<FilteredHistoricalSource> filtered_historical;
  std::optional<MonteCarloSource> monte_carlo;
  VolSurfaceSettings vol_surface;
};

}  // namespace xm
