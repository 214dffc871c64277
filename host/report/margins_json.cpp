#include <fstream>

#include <nlohmann/json.hpp>

#include "xmargin/error.hpp"
#include "xmargin/report.hpp"

namespace xm {
namespace {

using Json = nlohmann::ordered_json;

Json row_json(const MarginRow& row) {
  return Json{{"id", row.id},
              {"margin", row.margin},
              {"var", row.var},
              {"es", row.es},
              {"worst_loss", row.worst_loss},
              {"worst_scenario", row.worst_scenario},
              {"isolated_margin", row.isolated_margin},
              {"offset_benefit", row.offset_benefit},
              {"collateral", row.collateral},
              {"excess", row.excess},
              {"positions", row.positions}};
}

Json config_json(const Config& config) {
  Json json{{"measure", config.measure == RiskMeasure::expected_shortfall ? "es" : "var"},
            {"confidence", config.confidence},
            {"time_decay", config.time_decay}};
  Json sources = Json::object();
  if (config.historical) {
    sources["historical"] = Json{{"lookback_days", config.historical->lookback_days},
                                 {"mpor_days", config.historical->mpor_days}};
  }
  json["scenarios"] = sources;
  return json;
}

}  // namespace

std::vector<ScenarioSourceInfo> describe_sources(const ScenarioSet& scenarios) {
  std::vector<ScenarioSourceInfo> sources;
  for (std::size_t s = 0; s < scenarios.count(); ++s) {
    if (sources.empty() || sources.back().name != scenarios.source[s]) {
      sources.push_back({scenarios.source[s], 0, scenarios.label[s], ""});
    }
    ++sources.back().count;
    sources.back().last_label = scenarios.label[s];
  }
  return sources;
}

void write_margins_json(const std::string& path, const std::vector<MarginRow>& rows,
                        const RunInfo& info) {
  Json inputs = Json::array();
  for (const InputFile& file : info.inputs) {
    inputs.push_back(Json{{"role", file.role}, {"path", file.path}, {"sha256", file.sha256}});
  }
  Json sources = Json::array();
  for (const ScenarioSourceInfo& source : info.sources) {
    sources.push_back(Json{{"name", source.name},
                           {"count", source.count},
                           {"first", source.first_label},
                           {"last", source.last_label}});
  }
  Json timings = Json::object();
  for (const StageTiming& timing : info.timings) timings[timing.stage] = timing.seconds;

  Json accounts = Json::array(), groups = Json::array();
  for (const MarginRow& row : rows) {
    (row.level == RowLevel::account ? accounts : groups).push_back(row_json(row));
  }
  const Json document{{"version", XM_VERSION},
                      {"backend", info.backend},
                      {"device", info.device},
                      {"inputs", inputs},
                      {"config", config_json(info.config)},
                      {"scenarios", Json{{"count", info.scenario_count}, {"sources", sources}}},
                      {"counts", Json{{"accounts", info.accounts},
                                      {"groups", info.groups},
                                      {"instruments", info.instruments},
                                      {"positions", info.positions},
                                      {"underlyings", info.underlyings}}},
                      {"timings_seconds", timings},
                      {"accounts", accounts},
                      {"groups", groups}};
  std::ofstream out(path, std::ios::binary);
  if (!out) throw RunError("cannot write " + path);
  out << document.dump(2) << '\n';
  if (!out.flush()) throw RunError("cannot write " + path);
}

}  // namespace xm
