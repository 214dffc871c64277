// margins.json is streamed row by row; these check it against the document
// nlohmann would build for the same rows, which is how it was written before.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "xmargin/report.hpp"

namespace xm {
namespace {

using Json = nlohmann::ordered_json;

MarginRow row(RowLevel level, std::string id, std::vector<double> numbers, std::int32_t worst,
              std::size_t positions) {
  MarginRow r;
  r.level = level;
  r.id = std::move(id);
  r.margin = numbers[0];
  r.var = numbers[1];
  r.es = numbers[2];
  r.worst_loss = numbers[3];
  r.worst_scenario = worst;
  r.isolated_margin = numbers[4];
  r.offset_benefit = numbers[5];
  r.collateral = numbers[6];
  r.excess = numbers[7];
  r.positions = positions;
  return r;
}

RunInfo run_info() {
  RunInfo info;
  info.backend = "cpu";
  info.device = "test \"device\"";
  info.inputs = {{"market", "/tmp/m.json", std::string(64, 'a')}};
  info.scenario_count = 3;
  info.sources = {{"historical", 3, "2000-01-03/2000-01-05", "2000-01-05/2000-01-07"}};
  info.accounts = 2;
  info.groups = 1;
  info.timings = {{"load", 0.25}, {"revalue", 1.5}};
  info.plan = ChunkPlan{640, 125, false, 123456789};
  return info;
}

// The whole document as one nlohmann value: what margins.json used to be.
Json reference(const std::vector<MarginRow>& rows, const RunInfo& info) {
  Json accounts = Json::array(), groups = Json::array();
  for (const MarginRow& r : rows) {
    (r.level == RowLevel::account ? accounts : groups)
        .push_back(Json{{"id", r.id},
                        {"margin", r.margin},
                        {"var", r.var},
                        {"es", r.es},
                        {"worst_loss", r.worst_loss},
                        {"worst_scenario", r.worst_scenario},
                        {"isolated_margin", r.isolated_margin},
                        {"offset_benefit", r.offset_benefit},
                        {"collateral", r.collateral},
                        {"excess", r.excess},
                        {"positions", r.positions}});
  }
  Json timings = Json::object();
  for (const StageTiming& t : info.timings) timings[t.stage] = t.seconds;
  return Json{
      {"version", XM_VERSION},
      {"backend", info.backend},
      {"device", info.device},
      {"inputs", Json::array({Json{{"role", info.inputs[0].role},
                                   {"path", info.inputs[0].path},
                                   {"sha256", info.inputs[0].sha256}}})},
      {"config",
       Json{{"measure", "es"},
            {"confidence", info.config.confidence},
            {"time_decay", info.config.time_decay},
            {"scenarios",
             Json{{"historical", Json{{"lookback_days", info.config.historical->lookback_days},
                                      {"mpor_days", info.config.historical->mpor_days},
                                      {"weight", info.config.historical->weight}}}}},
            {"combine", Json{{"rule", "max"}}},
            {"anti_procyclicality", Json::object()},
            {"vol_surface", Json{{"allow_calendar_arbitrage", false}}}}},
      {"scenarios", Json{{"count", info.scenario_count},
                         {"sources", Json::array({Json{{"name", info.sources[0].name},
                                                       {"count", info.sources[0].count},
                                                       {"first", info.sources[0].first_label},
                                                       {"last", info.sources[0].last_label}}})}}},
      {"counts", Json{{"accounts", info.accounts},
                      {"groups", info.groups},
                      {"instruments", info.instruments},
                      {"positions", info.positions},
                      {"underlyings", info.underlyings},
                      {"vol_surfaces", info.vol_surfaces}}},
      {"timings_seconds", timings},
      {"chunks", Json{{"portfolios_per_chunk", info.plan.portfolio_chunk},
                      {"scenarios_per_chunk", info.plan.scenario_chunk},
                      {"unit_matrix_whole", info.plan.unit_whole},
                      {"planned_bytes", info.plan.bytes}}},
      {"components", Json::array()},
      {"margin_drivers", Json::array()},
      {"accounts", accounts},
      {"groups", groups}};
}

TEST(MarginsJson, SameTextAsTheWholeDocumentDump) {
  // Numbers whose shortest text nlohmann also writes, so the bytes can match.
  const std::vector<MarginRow> rows{
      row(RowLevel::account, "A1", {1.5, 1.25, 1.5, 2.0, 3.0, 1.5, 0.0, -1.5}, 7, 3),
      row(RowLevel::account, "A2", {0.0, -0.5, 0.0, -0.25, 0.0, 0.0, 1000.0, 1000.0}, 0, 0),
      row(RowLevel::group, "G1", {2.5, 2.0, 2.5, 4.0, 3.0, 0.5, 1000.0, 997.5}, 2, 3)};
  test::TempDir dir;
  write_margins_json(dir.file("m.json"), rows, run_info());
  EXPECT_EQ(test::read_text(dir.file("m.json")), reference(rows, run_info()).dump(2) + "\n");
}

TEST(MarginsJson, ParsesToTheRowsWithEveryNumberExact) {
  const double tiny = std::numeric_limits<double>::denorm_min();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<MarginRow> rows{
      row(RowLevel::account, "quote\" back\\slash\nnew line \xC3\xA9",
          {0.1 + 0.2, 1.0 / 3.0, 1e-300, tiny, 1e21, 123456789012345678.0, -0.0,
           6048.8556657687805},
          -1, 12),
      row(RowLevel::account, "B", {5.0, 1e16, 2e-5, -7.0, 0.0001, 1e15, inf, -inf}, 999,
          std::numeric_limits<std::size_t>::max())};
  test::TempDir dir;
  write_margins_json(dir.file("m.json"), rows, run_info());
  const Json written = Json::parse(test::read_text(dir.file("m.json")));
  // Read back as the whole-document text was, number kinds and all.
  const Json expected = Json::parse(reference(rows, run_info()).dump(2));
  EXPECT_EQ(written, expected);
  EXPECT_TRUE(written["groups"].is_array() && written["groups"].empty());
  // Equal as values, and of the same kinds: whole doubles stay floats, bits and sign kept.
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (const auto& [key, value] : expected["accounts"][r].items()) {
      const Json& got = written["accounts"][r][key];
      EXPECT_EQ(got.type(), value.type()) << key;
      if (value.is_number_float()) {
        EXPECT_EQ(std::signbit(got.get<double>()), std::signbit(value.get<double>())) << key;
      }
    }
  }
  EXPECT_TRUE(
      written["accounts"][1]["collateral"].is_null());  // infinities, as nlohmann writes them
}

}  // namespace
}  // namespace xm
