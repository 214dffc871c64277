// validate's comparison (SPEC §3 Precision): what it must catch as much as what it must let
// through. Every test states the values it expects, so a looser comparison fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "support/random_book.hpp"
#include "xmargin/error.hpp"
#include "xmargin/validation.hpp"

namespace xm {
namespace {

constexpr double kTolerance = kDefaultRelativeTolerance;

MarginRow row(RowLevel level, const std::string& id, double margin, std::int32_t worst_scenario) {
  MarginRow r;
  r.level = level;
  r.id = id;
  r.margin = margin;
  r.var = 0.8 * margin;
  r.es = margin;
  r.worst_loss = 1.5 * margin;
  r.worst_scenario = worst_scenario;
  r.isolated_margin = 2.0 * margin;
  return r;
}

// Two accounts and a group, values far above the absolute floor.
std::vector<MarginRow> reference_rows() {
  return {row(RowLevel::account, "A1", 1000.0, 3), row(RowLevel::account, "A2", 2500.0, 8),
          row(RowLevel::group, "G1", 3000.0, 3)};
}

ValidationReport compare(const std::vector<MarginRow>& candidate, double tolerance = kTolerance,
                         const CrossLossMap& cross = {}) {
  return compare_margin_rows(reference_rows(), candidate, cross, tolerance);
}

// The report holds exactly one mismatch, the one described.
void expect_only_mismatch(const ValidationReport& report, const std::string& level,
                          const std::string& id, const std::string& field, double reference,
                          double candidate) {
  ASSERT_EQ(report.mismatches.size(), 1u);
  const ValidationMismatch& m = report.mismatches[0];
  EXPECT_EQ(m.level, level);
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.field, field);
  EXPECT_EQ(m.reference, reference);
  EXPECT_EQ(m.candidate, candidate);
}

TEST(Validation, IdenticalRowsPass) {
  const ValidationReport report = compare(reference_rows());
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.rows_compared, 3u);
  EXPECT_EQ(report.values_compared, 18u);  // five values and the worst scenario per row
  EXPECT_EQ(report.max_relative_difference, 0.0);
  EXPECT_EQ(report.worst_scenario_ties, 0u);
}

TEST(Validation, MarginJustBeyondRelativeToleranceFails) {
  auto candidate = reference_rows();
  candidate[1].margin = 2500.0 * (1 + 1.1e-9);  // 2.75e-6 apart, above the 1e-6 floor
  const ValidationReport report = compare(candidate);
  expect_only_mismatch(report, "account", "A2", "margin", 2500.0, 2500.0 * (1 + 1.1e-9));
  EXPECT_NEAR(report.max_relative_difference, 1.1e-9, 1e-15);
}

TEST(Validation, MarginJustWithinRelativeTolerancePasses) {
  auto candidate = reference_rows();
  candidate[1].margin = 2500.0 * (1 + 0.9e-9);
  const ValidationReport report = compare(candidate);
  EXPECT_TRUE(report.passed());
  EXPECT_NEAR(report.max_relative_difference, 0.9e-9, 1e-15);
}

TEST(Validation, NearZeroTheAbsoluteToleranceApplies) {
  auto reference = reference_rows();
  reference[0].margin = 0.0;
  auto within = reference;
  within[0].margin = 0.9e-6;
  auto beyond = reference;
  beyond[0].margin = 1.1e-6;
  EXPECT_TRUE(compare_margin_rows(reference, within, {}, kTolerance).passed());
  const ValidationReport report = compare_margin_rows(reference, beyond, {}, kTolerance);
  ASSERT_EQ(report.mismatches.size(), 1u);
  EXPECT_EQ(report.mismatches[0].field, "margin");
  EXPECT_EQ(report.mismatches[0].candidate, 1.1e-6);
  // Negative values near zero too (a gain in the tail).
  within[0].margin = -0.9e-6;
  beyond[0].margin = -1.1e-6;
  EXPECT_TRUE(compare_margin_rows(reference, within, {}, kTolerance).passed());
  EXPECT_FALSE(compare_margin_rows(reference, beyond, {}, kTolerance).passed());
}

TEST(Validation, EveryComparedFieldIsCaughtOnItsOwn) {
  const std::pair<const char*, double MarginRow::*> fields[] = {
      {"margin", &MarginRow::margin},
      {"var", &MarginRow::var},
      {"es", &MarginRow::es},
      {"worst_loss", &MarginRow::worst_loss},
      {"isolated_margin", &MarginRow::isolated_margin}};
  for (const auto& [name, member] : fields) {
    auto candidate = reference_rows();
    candidate[2].*member *= 1 + 1e-8;
    SCOPED_TRACE(name);
    expect_only_mismatch(compare(candidate), "group", "G1", name, reference_rows()[2].*member,
                         candidate[2].*member);
  }
}

TEST(Validation, TheToleranceArgumentIsRespected) {
  auto candidate = reference_rows();
  candidate[0].es = 1000.0 * (1 + 1e-7);  // 1e-4 apart
  EXPECT_FALSE(compare(candidate, 1e-9).passed());
  EXPECT_FALSE(compare(candidate, 0.9e-7).passed());
  EXPECT_TRUE(compare(candidate, 1.1e-7).passed());
  // Tighter than the default: 1e-11 relative on 1e6 is 1e-5, above the absolute floor.
  auto reference = reference_rows();
  reference[0].margin = 1e6;
  auto tight = reference;
  tight[0].margin = 1e6 * (1 + 1e-11);
  EXPECT_TRUE(compare_margin_rows(reference, tight, {}, 1e-9).passed());
  EXPECT_FALSE(compare_margin_rows(reference, tight, {}, 1e-12).passed());
}

TEST(Validation, WithinToleranceBoundaries) {
  EXPECT_TRUE(within_tolerance(1e6, 1e6 + 0.9e-3, 1e-9));
  EXPECT_FALSE(within_tolerance(1e6, 1e6 + 1.1e-3, 1e-9));
  EXPECT_TRUE(within_tolerance(1e-7, -0.8e-6, 1e-9));
  EXPECT_FALSE(within_tolerance(1e-7, -1e-6, 1e-9));
  EXPECT_FALSE(within_tolerance(1.0, std::numeric_limits<double>::quiet_NaN(), 1e-9));
}

// The tie rule on its own: worst losses 100 on both sides, cross losses varied.
TEST(Validation, WorstScenariosAgreeOnlyWhenBothCrossLossesAreClose) {
  const double near = 100.0 * (1 - 0.5e-9);  // 5e-8 below: within 1e-9 relative of 100
  const double far = 100.0 * (1 - 1e-7);     // 1e-5 below: beyond
  EXPECT_TRUE(worst_scenarios_agree({100.0, 100.0, near, near}, kTolerance));
  EXPECT_TRUE(worst_scenarios_agree({100.0, 100.0, 100.0, 100.0}, kTolerance));
  EXPECT_FALSE(worst_scenarios_agree({100.0, 100.0, far, near}, kTolerance));
  EXPECT_FALSE(worst_scenarios_agree({100.0, 100.0, near, far}, kTolerance));
  EXPECT_FALSE(worst_scenarios_agree({100.0, 100.0, far, far}, kTolerance));
  // Each side's cross loss is measured against its own worst loss, not the other's.
  EXPECT_FALSE(worst_scenarios_agree({100.0, 90.0, 90.0, 100.0}, kTolerance));
  EXPECT_TRUE(worst_scenarios_agree({100.0, 90.0, 100.0, 90.0}, kTolerance));
  // The tolerance argument applies to the tie rule too.
  EXPECT_TRUE(worst_scenarios_agree({100.0, 100.0, far, far}, 1.1e-7));
  EXPECT_FALSE(worst_scenarios_agree({100.0, 100.0, far, far}, 0.9e-7));
}

// Account A1: worst loss 1500 at scenario 3 on the reference, moved to 11 on the candidate.
std::vector<MarginRow> candidate_with_other_worst_scenario() {
  auto candidate = reference_rows();
  candidate[0].worst_scenario = 11;
  return candidate;
}

CrossLossMap cross_for_a1(double reference_at_11, double candidate_at_3) {
  return {{RowKey{RowLevel::account, "A1"}, CrossLosses{reference_at_11, candidate_at_3}}};
}

TEST(Validation, WorstScenarioWithinTheTieRulePasses) {
  const double near = 1500.0 * (1 - 0.5e-9);
  const ValidationReport report =
      compare(candidate_with_other_worst_scenario(), kTolerance, cross_for_a1(near, near));
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.worst_scenario_ties, 1u);
}

TEST(Validation, WorstScenarioBeyondTheTieRuleFails) {
  const double far = 1500.0 * (1 - 1e-8);
  const ValidationReport report =
      compare(candidate_with_other_worst_scenario(), kTolerance, cross_for_a1(far, far));
  expect_only_mismatch(report, "account", "A1", "worst_scenario", 3.0, 11.0);
  const ValidationMismatch& m = report.mismatches.at(0);
  EXPECT_EQ(m.losses.reference_worst, 1500.0);
  EXPECT_EQ(m.losses.candidate_worst, 1500.0);
  EXPECT_EQ(m.losses.reference_at_candidate_index, far);
  EXPECT_EQ(m.losses.candidate_at_reference_index, far);
  EXPECT_EQ(report.worst_scenario_ties, 0u);
}

TEST(Validation, WorstScenarioAsymmetricTieFails) {
  const double near = 1500.0 * (1 - 0.5e-9);
  const double far = 1500.0 * (1 - 1e-8);
  const auto candidate = candidate_with_other_worst_scenario();
  // The candidate sees scenario 3 as nearly its worst, the reference does not see 11 so.
  const ValidationReport one = compare(candidate, kTolerance, cross_for_a1(far, near));
  ASSERT_EQ(one.mismatches.size(), 1u);
  EXPECT_EQ(one.mismatches[0].field, "worst_scenario");
  // And the other way round.
  const ValidationReport other = compare(candidate, kTolerance, cross_for_a1(near, far));
  ASSERT_EQ(other.mismatches.size(), 1u);
  EXPECT_EQ(other.mismatches[0].field, "worst_scenario");
}

TEST(Validation, DifferingWorstScenarioWithoutCrossLossesFails) {
  const ValidationReport report = compare(candidate_with_other_worst_scenario());
  ASSERT_EQ(report.mismatches.size(), 1u);
  EXPECT_EQ(report.mismatches[0].field, "worst_scenario");
  EXPECT_TRUE(std::isnan(report.mismatches[0].losses.reference_at_candidate_index));
  // Cross losses of another row do not stand in for A1's.
  const CrossLossMap other_row = {{RowKey{RowLevel::group, "A1"}, CrossLosses{1500.0, 1500.0}}};
  EXPECT_FALSE(compare(candidate_with_other_worst_scenario(), kTolerance, other_row).passed());
}

TEST(Validation, MissingRowFails) {
  auto candidate = reference_rows();
  candidate.erase(candidate.begin() + 1);
  const ValidationReport report = compare(candidate);
  expect_only_mismatch(report, "account", "A2", "row", 1.0, -1.0);
  EXPECT_EQ(report.rows_compared, 2u);
  EXPECT_EQ(describe_mismatch(report.mismatches.at(0), "cpu", "cuda"),
            "account A2 row: missing from cuda (cpu row 1)");
}

TEST(Validation, EmptyCandidateFailsEveryRow) {
  const ValidationReport report = compare({});
  EXPECT_EQ(report.mismatches.size(), 3u);
  EXPECT_EQ(report.rows_compared, 0u);
}

TEST(Validation, ExtraRowFails) {
  auto candidate = reference_rows();
  candidate.push_back(row(RowLevel::group, "G2", 10.0, 0));
  const ValidationReport report = compare(candidate);
  expect_only_mismatch(report, "group", "G2", "row", -1.0, 3.0);
  EXPECT_EQ(describe_mismatch(report.mismatches.at(0), "cpu", "cuda"),
            "group G2 row: extra in cuda (cuda row 3)");
}

TEST(Validation, RepeatedRowFails) {
  auto candidate = reference_rows();
  candidate.insert(candidate.begin() + 1, candidate[0]);
  expect_only_mismatch(compare(candidate), "account", "A1", "row", -1.0, 1.0);
}

TEST(Validation, SameIdOnAnotherLevelIsAnotherRow) {
  auto candidate = reference_rows();
  candidate[2].level = RowLevel::account;
  const ValidationReport report = compare(candidate);
  ASSERT_EQ(report.mismatches.size(), 2u);  // group G1 missing, account G1 extra
  EXPECT_EQ(report.mismatches[0].level, "group");
  EXPECT_EQ(report.mismatches[1].level, "account");
}

TEST(Validation, ReorderedRowsFail) {
  auto candidate = reference_rows();
  std::swap(candidate[0], candidate[1]);
  const ValidationReport report = compare(candidate);
  expect_only_mismatch(report, "account", "A2", "row", 1.0, 0.0);
  EXPECT_EQ(report.rows_compared, 3u);  // the values are still compared, by id
  EXPECT_EQ(describe_mismatch(report.mismatches.at(0), "cpu", "cuda"),
            "account A2 row: out of order (cpu row 1, cuda row 0)");
}

TEST(Validation, DescribeNamesBothIndicesAndTheLosses) {
  const ValidationReport report =
      compare(candidate_with_other_worst_scenario(), kTolerance, cross_for_a1(1400.0, 1450.0));
  ASSERT_EQ(report.mismatches.size(), 1u);
  EXPECT_EQ(describe_mismatch(report.mismatches[0], "cpu", "cuda"),
            "account A1 worst_scenario: cpu 3 cuda 11; cpu loss 1500 at 3, 1400 at 11; "
            "cuda loss 1500 at 11, 1450 at 3");
  auto candidate = reference_rows();
  candidate[0].var = 801.5;
  EXPECT_EQ(describe_mismatch(compare(candidate).mismatches.at(0), "cpu", "cuda"),
            "account A1 var: cpu 800 cuda 801.5");
}

// The cross losses come from the backends themselves. The CPU backend stands in for both; a
// candidate that scales every P&L by 2 shows which backend each loss came from.
class ScaledBackend final : public Backend {
 public:
  explicit ScaledBackend(double scale) : cpu_(make_cpu_backend({})), scale_(scale) {}
  std::string name() const override { return "scaled"; }
  std::string device() const override { return "test"; }
  BackendResult run(const BackendRequest& request) override {
    ++runs;
    last_scenario_count = request.scenarios->count();
    last_pnl_rows = request.pnl_rows;
    BackendResult result = cpu_->run(request);
    for (double& pnl : result.pnl) pnl *= scale_;
    return result;
  }
  StressResult stress(const StressRequest& request) override { return cpu_->stress(request); }
  int runs = 0;
  std::size_t last_scenario_count = 0;
  std::size_t last_pnl_rows = 0;

 private:
  std::unique_ptr<Backend> cpu_;
  double scale_;
};

struct BackendCase {
  test::RandomCase c = test::random_case(21, 30, 40, 200, true);
  BackendRequest request;
  BackendCase() {
    request.book = &c.book;
    request.scenarios = &c.scenarios;
    request.settings = {0.99, true};
  }
  BackendResult full_run() {
    BackendRequest all = request;
    all.pnl_rows = c.book.portfolio_count();
    return make_cpu_backend({})->run(all);
  }
  double loss(const BackendResult& full, std::size_t p, std::int32_t s) const {
    return 0.0 - full.pnl[p * c.scenarios.count() + static_cast<std::size_t>(s)];
  }
};

TEST(ValidationBackends, ScenarioSubsetCopiesTheChosenColumns) {
  const BackendCase b;
  const ScenarioSet& s = b.c.scenarios;
  const ScenarioSet subset = scenario_subset(s, {150, 7});
  ASSERT_EQ(subset.count(), 2u);
  EXPECT_EQ(subset.underlying_ids, s.underlying_ids);
  EXPECT_EQ(subset.vol_moves, s.vol_moves);
  for (std::size_t u = 0; u < s.underlying_count(); ++u) {
    EXPECT_EQ(subset.price_factor[u * 2 + 0], s.price_factor[u * 200 + 150]) << u;
    EXPECT_EQ(subset.price_factor[u * 2 + 1], s.price_factor[u * 200 + 7]) << u;
    EXPECT_EQ(subset.vol_shift[u * 2 + 0], s.vol_shift[u * 200 + 150]) << u;
    EXPECT_EQ(subset.vol_shift[u * 2 + 1], s.vol_shift[u * 200 + 7]) << u;
  }
  EXPECT_EQ(subset.horizon_days, (std::vector<double>{s.horizon_days[150], s.horizon_days[7]}));
  EXPECT_EQ(subset.weight, (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(subset.label, (std::vector<std::string>{"150", "7"}));
  EXPECT_EQ(subset.source, (std::vector<std::string>{"test", "test"}));
  EXPECT_THROW(scenario_subset(s, {200}), LogicError);
  EXPECT_THROW(scenario_subset(s, {-1}), LogicError);
}

TEST(ValidationBackends, LossesAtScenariosAreTheFullRunsLosses) {
  BackendCase b;
  const BackendResult full = b.full_run();
  const std::vector<std::int32_t> indices = {150, 3, 77, 11};
  const auto cpu = make_cpu_backend({});
  const std::vector<double> losses = losses_at_scenarios(*cpu, b.request, indices, 40);
  ASSERT_EQ(losses.size(), 40u * 4u);
  for (std::size_t p = 0; p < 40; ++p) {
    for (std::size_t k = 0; k < indices.size(); ++k) {
      EXPECT_EQ(losses[p * 4 + k], b.loss(full, p, indices[k])) << p << " " << indices[k];
    }
  }
}

// Rows named after their portfolios, as margin_rows writes them (row r is portfolio r).
std::vector<MarginRow> rows_of(const BackendResult& result, std::size_t count) {
  std::vector<MarginRow> rows;
  for (std::size_t p = 0; p < count; ++p) {
    MarginRow r;
    r.id = "P" + std::to_string(p);
    r.worst_loss = result.risk[p].worst_loss;
    r.worst_scenario = result.risk[p].worst_scenario;
    rows.push_back(r);
  }
  return rows;
}

TEST(ValidationBackends, CrossLossesComeFromEachBackendInOneRun) {
  BackendCase b;
  const BackendResult full = b.full_run();
  const std::vector<MarginRow> reference_rows = rows_of(full, 10);
  std::vector<MarginRow> candidate_rows = reference_rows;
  const std::int32_t ref4 = reference_rows[4].worst_scenario;
  const std::int32_t ref7 = reference_rows[7].worst_scenario;
  candidate_rows[4].worst_scenario = ref4 == 42 ? 43 : 42;
  candidate_rows[7].worst_scenario = ref7 == 120 ? 121 : 120;
  ScaledBackend reference(1.0), candidate(2.0);

  const CrossLossMap cross =
      cross_losses(reference_rows, candidate_rows, b.request, reference, candidate);
  EXPECT_EQ(reference.runs, 1);
  EXPECT_EQ(candidate.runs, 1);
  const std::set<std::int32_t> indices = {ref4, candidate_rows[4].worst_scenario, ref7,
                                          candidate_rows[7].worst_scenario};
  EXPECT_EQ(reference.last_scenario_count, indices.size());
  EXPECT_EQ(candidate.last_scenario_count, indices.size());
  EXPECT_EQ(candidate.last_pnl_rows, 8u);  // up to the last row that differs
  ASSERT_EQ(cross.size(), 2u);
  for (const std::size_t p : {std::size_t{4}, std::size_t{7}}) {
    const CrossLosses& losses = cross.at(RowKey{RowLevel::account, "P" + std::to_string(p)});
    EXPECT_EQ(losses.reference_at_candidate_index,
              b.loss(full, p, candidate_rows[p].worst_scenario))
        << p;
    EXPECT_EQ(losses.candidate_at_reference_index,
              2.0 * b.loss(full, p, reference_rows[p].worst_scenario))
        << p;
  }
  // The cpu's loss at the moved index is below its worst loss (no tie), so validation fails.
  const ValidationReport report =
      compare_margin_rows(reference_rows, candidate_rows, cross, kTolerance);
  EXPECT_EQ(report.mismatches.size(), 2u);
}

TEST(ValidationBackends, NoExtraRunWhenEveryWorstScenarioAgrees) {
  BackendCase b;
  const std::vector<MarginRow> rows = rows_of(b.full_run(), 10);
  ScaledBackend reference(1.0), candidate(1.0);
  EXPECT_TRUE(cross_losses(rows, rows, b.request, reference, candidate).empty());
  EXPECT_EQ(reference.runs, 0);
  EXPECT_EQ(candidate.runs, 0);
}

TEST(ValidationBackends, OutOfRangeIndexGetsNoCrossLossAndFails) {
  BackendCase b;
  const std::vector<MarginRow> reference_rows = rows_of(b.full_run(), 10);
  std::vector<MarginRow> candidate_rows = reference_rows;
  candidate_rows[2].worst_scenario = 200;  // one past the last scenario
  ScaledBackend reference(1.0), candidate(1.0);
  const CrossLossMap cross =
      cross_losses(reference_rows, candidate_rows, b.request, reference, candidate);
  EXPECT_TRUE(cross.empty());
  const ValidationReport report =
      compare_margin_rows(reference_rows, candidate_rows, cross, kTolerance);
  ASSERT_EQ(report.mismatches.size(), 1u);
  EXPECT_EQ(report.mismatches[0].field, "worst_scenario");
}

}  // namespace
}  // namespace xm

namespace xm {
namespace {

TEST(ValidationComponents, EachConfiguredComponentIsComparedWithinTolerance) {
  ComponentMask mask{};
  mask[static_cast<std::size_t>(Component::statistical)] = true;
  mask[static_cast<std::size_t>(Component::span)] = true;
  mask[static_cast<std::size_t>(Component::margin)] = true;
  std::vector<ComponentRow> reference(2);
  reference[0].id = "A";
  reference[1].id = "B";
  reference[0].values[Component::span] = 100.0;
  reference[1].values[Component::span] = 5000.0;
  reference[0].values[Component::grid] = 7.0;  // not configured: never compared
  std::vector<ComponentRow> candidate = reference;
  candidate[0].values[Component::span] = 100.0 * (1 + 1e-11);
  candidate[0].values[Component::grid] = 8.0;
  ValidationReport within;
  compare_component_rows(reference, candidate, mask, 1e-9, within);
  EXPECT_TRUE(within.passed());
  EXPECT_EQ(within.values_compared, 4u);  // statistical and span of two rows
  candidate[1].values[Component::span] = 5000.0 * (1 + 1e-8);
  ValidationReport beyond;
  compare_component_rows(reference, candidate, mask, 1e-9, beyond);
  ASSERT_EQ(beyond.mismatches.size(), 1u);
  EXPECT_EQ(beyond.mismatches[0].id, "B");
  EXPECT_EQ(beyond.mismatches[0].field, "components.span");
}

}  // namespace
}  // namespace xm
