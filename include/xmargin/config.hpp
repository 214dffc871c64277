#pragma once
#include <optional>

namespace xm {

enum class RiskMeasure { expected_shortfall, value_at_risk };

struct HistoricalSource {
  int lookback_days = 1000;  // number of scenarios
  int mpor_days = 2;         // margin period of risk, business days
};

// config.json "vol_surface" (SPEC §6): a surface whose total variance σ²T
// decreases in expiry at some moneyness node (calendar arbitrage) is an error
// unless allowed, then a warning on stderr.
struct VolSurfaceSettings {
  bool allow_calendar_arbitrage = false;
};

// config.json (SPEC §2); defaults are the SPEC's.
struct Config {
  RiskMeasure measure = RiskMeasure::expected_shortfall;
  double confidence = 0.99;
  bool time_decay = true;
  std::optional<HistoricalSource> historical = HistoricalSource{};
  VolSurfaceSettings vol_surface;
};

}  // namespace xm
