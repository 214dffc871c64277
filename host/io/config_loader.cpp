#include <string>
#include <utility>

#include "io/config_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

HistoricalSource read_historical(const JsonDocument& doc, const Pointer& at) {
  const SourceReader read(doc, at);
  doc.allow_keys(at, {"lookback_days", "mpor_days", "weight"});
  HistoricalSource source;
  source.spot = doc.key_spot(at);
  read.whole("lookback_days", 1, kMaxLookbackDays, source.lookback_days);
  read.whole("mpor_days", 1, kMaxMporDays, source.mpor_days);
  read.weight(source.weight);
  return source;
}

FilteredHistoricalSource read_filtered_historical(const JsonDocument& doc, const Pointer& at) {
  const SourceReader read(doc, at);
  doc.allow_keys(at, {"lookback_days", "mpor_days", "lambda", "seed_days", "weight"});
  FilteredHistoricalSource source;
  source.spot = doc.key_spot(at);
  read.whole("lookback_days", 1, kMaxLookbackDays, source.lookback_days);
  read.whole("mpor_days", 1, kMaxMporDays, source.mpor_days);
  read.open_interval("lambda", 0.0, 1.0, source.lambda);
  read.whole("seed_days", 1, kMaxLookbackDays, source.seed_days);
  read.weight(source.weight);
  return source;
}

MonteCarloSource read_monte_carlo(const JsonDocument& doc, const Pointer& at) {
  const SourceReader read(doc, at);
  doc.allow_keys(at, {"count", "mpor_days", "seed", "distribution", "nu", "covariance",
                      "vol_factors", "weight"});
  MonteCarloSource source;
  source.spot = doc.key_spot(at);
  read.whole("count", 1, kMaxMonteCarloCount, source.count);
  read.whole("mpor_days", 1, kMaxMporDays, source.mpor_days);
  // Any 64-bit seed: Philox takes the whole of it.
  if (read.has("seed")) source.seed = doc.unsigned_integer(at / "seed", "seed");
  if (read.has("distribution")) {
    source.distribution = one_of<McDistribution>(
        doc, at / "distribution",
        {{"normal", McDistribution::normal}, {"student_t", McDistribution::student_t}});
  }
  if (read.has("nu")) {
    if (source.distribution != McDistribution::student_t) {
      doc.warn_key(at / "nu", "nu is read only for distribution \"student_t\": ignored");
    }
    const double nu = doc.number(at / "nu");
    // ν ≤ 2 has no variance to scale to one (SPEC §5.1).
    if (!(nu > 2.0 && nu <= kMaxStudentNu)) {
      doc.fail(at / "nu", "nu must be > 2 and at most 1000");
    }
    source.nu = nu;
  }
  if (read.has("covariance")) {
    const SourceReader covariance(doc, at / "covariance");
    doc.allow_keys(covariance.at(), {"window_days", "lambda"});
    // Two returns are the fewest a covariance with the mean removed can use.
    covariance.whole("window_days", 2, kMaxLookbackDays, source.window_days);
    if (covariance.has("lambda")) {
      double lambda = 0.0;
      covariance.open_interval("lambda", 0.0, 1.0, lambda);
      source.ewma_lambda = lambda;
    }
  }
  if (read.has("vol_factors")) source.vol_factors = doc.boolean(at / "vol_factors");
  read.weight(source.weight);
  return source;
}

VolSurfaceSettings read_vol_surface_settings(const JsonDocument& doc, const Pointer& at) {
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
  const Pointer root;
  const nlohmann::json& json = doc.object(root);
  doc.allow_keys(root, {"measure", "confidence", "time_decay", "scenarios", "vol_surface",
                        "combine", "anti_procyclicality"});

  Config config;
  if (json.contains("measure")) {
    config.measure = one_of<RiskMeasure>(
        doc, root / "measure",
        {{"es", RiskMeasure::expected_shortfall}, {"var", RiskMeasure::value_at_risk}});
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
    doc.allow_keys(sources, {"historical", "filtered_historical", "monte_carlo", "stress"});
    if (list.empty() || (list.size() == 1 && list.contains("stress"))) {
      doc.fail(sources,
               "expected at least one statistical scenario source (historical, "
               "filtered_historical or monte_carlo)");
    }
    // Listing any source replaces the default historical one.
    config.historical.reset();
    if (list.contains("historical")) {
      config.historical = read_historical(doc, sources / "historical");
    }
    if (list.contains("filtered_historical")) {
      config.filtered_historical = read_filtered_historical(doc, sources / "filtered_historical");
    }
    if (list.contains("monte_carlo")) {
      config.monte_carlo = read_monte_carlo(doc, sources / "monte_carlo");
    }
    if (list.contains("stress")) config.stress = read_stress(doc, sources / "stress");
    // A lone source is the whole pool whatever its weight.
    const std::size_t statistical = list.size() - (list.contains("stress") ? 1 : 0);
    for (const char* name : {"historical", "filtered_historical", "monte_carlo"}) {
      if (statistical == 1 && list.contains(name) && list[name].contains("weight")) {
        doc.warn_key(sources / name / "weight",
                     "weight shares the pool between scenario sources; a lone source is the "
                     "whole pool: ignored");
      }
    }
    // Stress scenarios decay time by their mpor_days only with time_decay.
    if (list.contains("stress") && list["stress"].contains("mpor_days") && !config.time_decay) {
      doc.fail_key(sources / "stress" / "mpor_days",
                   "mpor_days decays time in stress scenarios, and time_decay is false");
    }
  }
  if (json.contains("combine")) {
    config.combine = read_combine(doc, root / "combine");
    // The rule combines the statistical margin with the stress charge: with no
    // stress, blend would only scale the margin down, and max does nothing.
    if (config.combine.rule == CombineRule::blend && !config.stress.any()) {
      doc.fail(root / "combine" / "rule",
               "rule \"blend\" needs a stress source (scenarios.stress)");
    }
    if (!config.stress.any()) {
      doc.warn_key(root / "combine",
                   "no stress source (scenarios.stress) to combine with: ignored");
    }
  }
  if (json.contains("anti_procyclicality")) {
    config.anti_procyclicality = read_anti_procyclicality(doc, root / "anti_procyclicality");
    const AntiProcyclicality& apc = config.anti_procyclicality;
    if ((apc.stressed_weight || apc.floor_lookback_days) && !config.historical) {
      doc.fail(root / "anti_procyclicality",
               "stressed_weight and floor_lookback_days work on historical scenarios: configure "
               "scenarios.historical");
    }
  }
  return config;
}

}  // namespace xm
