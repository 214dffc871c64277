#pragma once
#include <optional>

namespace xm {

enum class RiskMeasure { expected_shortfall, value_at_risk };

struct HistoricalSource {
  int lookback_days = 1000;  // number of scenarios
  int mpor_days = 2;         // margin period of risk, business days
};

// config.json (SPEC §2); defaults are the SPEC's.
struct Config {
  RiskMeasure measure = RiskMeasure::expected_shortfall;
  double confidence = 0.99;
  bool time_decay = true;
  std::optional<HistoricalSource> historical = HistoricalSource{};
};

}  // namespace xm
