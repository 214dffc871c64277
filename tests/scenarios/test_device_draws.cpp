// Monte Carlo draws made the device's way (kernels/monte_carlo.cu): the cuda
// backend draws them itself, with no host round trip. Its host emulation runs
// the same scale and moves kernels on the host generator's normals, so it must
// reproduce the host's draws bit for bit; and a set left undrawn for the device
// must give the same margins as one drawn on the host.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "scenarios/philox_normals.hpp"
#include "support/test_support.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

// The small book pooled with Monte Carlo; vol factors on one underlying only.
InputPaths pooled_book(const test::TempDir& dir, const std::string& distribution) {
  auto files = test::small_book_files();
  files["config.json"] =
      "{\"confidence\": 0.9, \"scenarios\": {\n"
      "  \"historical\": {\"lookback_days\": 5, \"mpor_days\": 2},\n"
      "  \"monte_carlo\": {\"count\": 300, \"mpor_days\": 2, \"seed\": 11, \"weight\": 3,\n"
      "                   " +
      distribution + "\"covariance\": {\"window_days\": 5}}}}\n";
  for (const auto& [name, text] : files) dir.write(name, text);
  return test::small_book_paths(dir);
}

void expect_same_tails(const BackendResult& a, const BackendResult& b) {
  ASSERT_EQ(a.risk.size(), b.risk.size());
  for (std::size_t p = 0; p < a.risk.size(); ++p) {
    EXPECT_EQ(a.risk[p].var, b.risk[p].var) << p;
    EXPECT_EQ(a.risk[p].es, b.risk[p].es) << p;
    EXPECT_EQ(a.risk[p].worst_scenario, b.risk[p].worst_scenario) << p;
  }
  EXPECT_EQ(a.pnl, b.pnl);
}

TEST(DeviceDraws, AnUndrawnSetGivesTheHostDrawnMarginsBitForBit) {
  for (const std::string distribution : {"", "\"distribution\": \"student_t\", \"nu\": 4.5, "}) {
    test::TempDir dir;
    const InputPaths paths = pooled_book(dir, distribution);
    const PreparedRun on_host = prepare_run(paths);
    const PreparedRun for_device = prepare_run(paths, {}, false);
    ASSERT_TRUE(for_device.scenarios.monte_carlo.has_value());
    EXPECT_FALSE(for_device.scenarios.monte_carlo->drawn_on_host);
    EXPECT_EQ(for_device.scenarios.monte_carlo->first, 5u);
    // Nothing drawn on the host: the draws' columns hold the identity move.
    EXPECT_EQ(for_device.scenarios.price_factor[5], 1.0);
    EXPECT_NE(on_host.scenarios.price_factor[5], 1.0);

    const auto cpu = make_cpu_backend({});
    const auto emulated = make_emulated_cuda_backend({}, 3);
    const RunOutcome reference = run_margins(on_host, *cpu, true);
    expect_same_tails(reference.backend, run_margins(for_device, *emulated, true).backend);
    expect_same_tails(reference.backend, run_margins(on_host, *emulated, true).backend);
    EXPECT_THROW(run_margins(for_device, *cpu, false), LogicError);
  }
}

TEST(DeviceDraws, AligningUnderlyingsCarriesTheDrawsTargets) {
  test::TempDir dir;
  const PreparedRun prepared = prepare_run(pooled_book(dir, ""));
  const ScenarioSet& set = prepared.scenarios;
  ASSERT_EQ(set.underlying_count(), 2u);
  const std::vector<std::string> reversed{set.underlying_ids[1], set.underlying_ids[0]};
  const ScenarioSet aligned = align_scenarios(set, reversed, "test");
  const MonteCarloDraws& before = *set.monte_carlo;
  const MonteCarloDraws& after = *aligned.monte_carlo;
  for (std::size_t f = 0; f < before.factors; ++f) {
    EXPECT_EQ(after.factor_underlying[f], 1 - before.factor_underlying[f]) << f;
  }
  // Keeping one underlying only: the other's factors move nothing.
  const ScenarioSet one = align_scenarios(set, {set.underlying_ids[1]}, "test");
  for (std::size_t f = 0; f < before.factors; ++f) {
    EXPECT_EQ(one.monte_carlo->factor_underlying[f], before.factor_underlying[f] == 1 ? 0 : -1);
  }
}

TEST(DeviceDraws, TheDeviceLeavesNoColumnUndrawn) {
  // Every underlying has a price factor, so the moves kernel writes every
  // Monte Carlo column of price_factor; the upload copies none of them.
  test::TempDir dir;
  const PreparedRun prepared = prepare_run(pooled_book(dir, ""), {}, false);
  const MonteCarloDraws& draws = *prepared.scenarios.monte_carlo;
  std::vector<int> priced(prepared.scenarios.underlying_count(), 0);
  for (std::size_t f = 0; f < draws.factors; ++f) {
    if (draws.factor_target[f] == MonteCarloDraws::kMovesPrice) {
      ++priced[static_cast<std::size_t>(draws.factor_underlying[f])];
    }
  }
  EXPECT_EQ(priced, std::vector<int>(priced.size(), 1));
}

// Distance in units in the last place between two doubles of the same sign.
// Unused in a build without CUDA, where the test that calls it compiles empty.
[[maybe_unused]] std::uint64_t ulps_apart(double a, double b) {
  std::int64_t x = 0, y = 0;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x > y ? static_cast<std::uint64_t>(x - y) : static_cast<std::uint64_t>(y - x);
}

// On a device: its normals and scenarios against the host generator's. They
// may differ in the last bits (sincospi, log and exp of the device library);
// the test reports the largest difference and holds it to a few ulps.
TEST(DeviceDraws, OnADeviceTheDrawsEqualTheHostsToAFewUlps) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
#if defined(XM_HAVE_CUDA)
  test::TempDir dir;
  const PreparedRun prepared =
      prepare_run(pooled_book(dir, "\"distribution\": \"student_t\", \"nu\": 4.5, "));
  const ScenarioSet& host = prepared.scenarios;
  const MonteCarloDraws& mc = *host.monte_carlo;
  std::vector<double> device_normals;
  const ScenarioSet device = cuda_draw_monte_carlo(host, &device_normals);
  std::vector<double> host_normals(device_normals.size());
  PhiloxNormals(mc.seed).next(host_normals.data(), host_normals.size());
  std::uint64_t normal_ulps = 0, scenario_ulps = 0;
  for (std::size_t i = 0; i < host_normals.size(); ++i) {
    normal_ulps = std::max(normal_ulps, ulps_apart(host_normals[i], device_normals[i]));
  }
  for (std::size_t i = 0; i < host.price_factor.size(); ++i) {
    scenario_ulps =
        std::max(scenario_ulps, ulps_apart(host.price_factor[i], device.price_factor[i]));
    if (host.vol_shift[i] != 0.0) {
      scenario_ulps = std::max(scenario_ulps, ulps_apart(host.vol_shift[i], device.vol_shift[i]));
    }
  }
  std::printf("device vs host: normals at most %llu ulps apart, scenarios at most %llu ulps\n",
              static_cast<unsigned long long>(normal_ulps),
              static_cast<unsigned long long>(scenario_ulps));
  EXPECT_LE(normal_ulps, 16u);
  EXPECT_LE(scenario_ulps, 1024u);  // the χ² inversion and √h·L sums amplify last bits
#endif
}

}  // namespace
}  // namespace xm
