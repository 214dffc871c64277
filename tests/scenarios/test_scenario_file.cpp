#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "xmargin/error.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

ScenarioSet three_scenarios() {
  ScenarioSet set;
  set.underlying_ids = {"AA", "BB"};
  set.vol_moves = {1, 0};
  set.price_factor = {1.0 / 3.0, 0.1 + 0.2, 1.2345678901234567e-6, 2.0, 1.5, 0.999999999999};
  set.vol_shift = {-0.0123456789012345, 0.1, 1e-17, 0.0, 0.0, 0.0};
  set.horizon_days = {2, 2, 5};
  set.weight = {0.25, 0.25, 0.5};
  set.source = {"historical", "historical", "stress"};
  set.label = {"2000-12-20/2000-12-22", "with, comma", ""};
  return set;
}

TEST(ScenarioFile, RoundTripsBitForBit) {
  test::TempDir dir;
  const ScenarioSet written = three_scenarios();
  write_scenario_file(dir.file("s.csv"), written);
  const ScenarioSet read = read_scenario_file(dir.file("s.csv"), {"AA", "BB"});
  EXPECT_EQ(read.underlying_ids, written.underlying_ids);
  EXPECT_EQ(read.vol_moves, written.vol_moves);
  EXPECT_EQ(read.price_factor, written.price_factor);
  EXPECT_EQ(read.vol_shift, written.vol_shift);
  EXPECT_EQ(read.horizon_days, written.horizon_days);
  EXPECT_EQ(read.weight, written.weight);
  EXPECT_EQ(read.source, written.source);
  EXPECT_EQ(read.label, written.label);
}

TEST(ScenarioFile, WritesTheDocumentedColumns) {
  test::TempDir dir;
  write_scenario_file(dir.file("s.csv"), three_scenarios());
  const std::string text = test::read_text(dir.file("s.csv"));
  EXPECT_EQ(
      text.substr(0, text.find('\n')),
      "scenario,source,label,weight,horizon_days,AA.price_factor,AA.vol_shift,BB.price_factor");
}

TEST(ScenarioFile, AlignReordersAndRestrictsUnderlyings) {
  const ScenarioSet aligned = align_scenarios(three_scenarios(), {"BB"}, "s.csv");
  EXPECT_EQ(aligned.underlying_ids, std::vector<std::string>{"BB"});
  EXPECT_EQ(aligned.price_factor, (std::vector<double>{2.0, 1.5, 0.999999999999}));
  EXPECT_THROW(align_scenarios(three_scenarios(), {"CC"}, "s.csv"), InputError);
}

TEST(ScenarioFile, RejectsBadFiles) {
  test::TempDir dir;
  const std::string header = "scenario,source,label,weight,horizon_days,AA.price_factor\n";
  auto error_of = [&](const std::string& text) -> std::string {
    dir.write("s.csv", text);
    try {
      read_scenario_file(dir.file("s.csv"), {"AA"});
    } catch (const InputError& error) {
      return std::string(error.what()).substr(dir.path().size() + 1);
    }
    return "no error";
  };
  EXPECT_EQ(error_of(header + "0,h,,0.5,2,1.1\n1,h,,0.5,2,0.9\n"), "no error");
  EXPECT_EQ(error_of(header + "0,h,,0.5,2,1.1\n1,h,,0.4,2,0.9\n"),
            "s.csv: scenario weights sum to 0.9, expected 1");
  EXPECT_EQ(error_of(header + "0,h,,0.5,2,1.1\n2,h,,0.5,2,0.9\n"),
            "s.csv:3:1: column 'scenario': expected scenario 1 (numbered from 0, in order)");
  EXPECT_EQ(error_of(header + "0,h,,1,2,-1.1\n"),
            "s.csv:2:10: column 'AA.price_factor': price factor must be between 1e-6 and 1e6");
  EXPECT_EQ(error_of("scenario,source,label,weight,horizon_days,BB.price_factor\n0,h,,1,2,1\n"),
            "s.csv:1: missing required column 'AA.price_factor'");
  EXPECT_EQ(
      error_of(
          "scenario,source,label,weight,horizon_days,AA.price_factor,AA.delta\n0,h,,1,2,1,0\n"),
      "s.csv:1:59: unknown column 'AA.delta' (expected scenario, source, label, weight, "
      "horizon_days, <id>.price_factor, <id>.vol_shift, <id>.vol_shift@<days>d)");
  EXPECT_EQ(error_of(header), "s.csv:2: no scenarios");
  // A horizon is an mpor_days: 1e308 days would pass as "expired" silently.
  EXPECT_EQ(error_of(header + "0,h,,1,1e308,1\n"),
            "s.csv:2:8: column 'horizon_days': horizon_days must be between 0 and 1000");
  EXPECT_EQ(error_of(header + "0,h,,1,1000,1\n"), "no error");
}

}  // namespace
}  // namespace xm
