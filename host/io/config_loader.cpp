#include "io/json_locator.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

VolSurfaceSettings read_vol_surface_settings(const JsonDocument& doc,
                                             const JsonDocument::Pointer& at) {
  const nlohmann::json& json = doc.object(at);
  doc.allow_keys(at, {"allow_calendar_arbitrage"});
  VolSurfaceSettings settings;
  if (json.contains("allow_calendar_arbitrage")) {
    settings.allow_calendar_arbitrage = doc.boolean(at / "allow_calendar_arbitrage");
  }
  return settings;
}

}  // namespace

Config load_config(const std::string& path) {
  const JsonDocument doc = JsonDocument::read(path);
  using Pointer = JsonDocument::Pointer;
  const Pointer root;
  const nlohmann::json& json = doc.object(root);
  doc.allow_keys(root, {"measure", "confidence", "time_decay", "scenarios", "vol_surface"});

  Config config;
  if (json.contains("measure")) {
    const std::string& measure = doc.string(root / "measure");
    if (measure == "es") {
      config.measure = RiskMeasure::expected_shortfall;
    } else if (measure == "var") {
      config.measure = RiskMeasure::value_at_risk;
    } else {
      doc.fail(root / "measure", "expected \"es\" or \"var\", found \"" + measure + "\"");
    }
  }
  if (json.contains("confidence")) {
    config.confidence = doc.number(root / "confidence");
    if (!(config.confidence > 0.0 && config.confidence < 1.0)) {
      doc.fail(root / "confidence", "confidence must be strictly between 0 and 1");
    }
  }
  if (json.contains("time_decay")) config.time_decay = doc.boolean(root / "time_decay");
  if (json.contains("vol_surface")) {
    config.vol_surface = read_vol_surface_settings(doc, root / "vol_surface");
  }

  if (json.contains("scenarios")) {
    const Pointer sources = root / "scenarios";
    const nlohmann::json& list = doc.object(sources);
    doc.allow_keys(sources, {"historical"});
    if (list.empty()) doc.fail(sources, "expected at least one scenario source");
    config.historical.reset();
    if (list.contains("historical")) {
      const Pointer at = sources / "historical";
      const nlohmann::json& historical = doc.object(at);
      doc.allow_keys(at, {"lookback_days", "mpor_days"});
      HistoricalSource source;
      if (historical.contains("lookback_days")) {
        const long long lookback = doc.integer(at / "lookback_days");
        if (lookback < 1 || lookback > 1'000'000) {
          doc.fail(at / "lookback_days", "lookback_days must be between 1 and 1000000");
        }
        source.lookback_days = static_cast<int>(lookback);
      }
      if (historical.contains("mpor_days")) {
        const long long mpor = doc.integer(at / "mpor_days");
        if (mpor < 1 || mpor > 1000)
          doc.fail(at / "mpor_days", "mpor_days must be between 1 and 1000");
        source.mpor_days = static_cast<int>(mpor);
      }
      config.historical = source;
    }
  }
  return config;
}

}  // namespace xm
