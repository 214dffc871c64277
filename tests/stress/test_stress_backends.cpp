// The stress run (SPEC §5.3) on every backend: the cuda kernels' host
// emulation equals the cpu backend bit for bit, whatever the grid or thread
// count; a device, when present, agrees within the SPEC's tolerance.
#include <gtest/gtest.h>

#include <cmath>

#include "backends/views_of.hpp"
#include "stress/stress_book.hpp"
#include "support/random_book.hpp"
#include "xmargin/revaluation.hpp"
#include "xmargin/stress.hpp"

namespace xm {
namespace {

// Every kind over a random book's four underlyings, with per-underlying
// overrides, extended moves and named shocks.
StressSet random_stress(const PackedBook& book) {
  StressConfig config;
  config.mpor_days = 3;
  PerUnderlying<SpanParams> span;
  span.defaults = {0.08, 0.04, 2.0, 0.35};
  span.underlyings.push_back({"U2", {}, {0.15, 0.1, 3.0, 0.5}});
  config.span = span;
  PerUnderlying<GridParams> grid;
  grid.defaults = {0.16, 8, 0.3, 0.3, 7.0, {{0.5, 0.1}}};
  grid.underlyings.push_back({"U1", {}, {0.1, 4, 0.2, 0.5, 3.0, {{0.3, 0.2}, {0.6, 0.05}}}});
  config.grid = grid;
  config.named.push_back({"crash", {{"*", {}, -0.2, 0.15}, {"U3", {}, 0.05, -0.02}}, {}, {}, {}});
  config.named.push_back({"melt-up", {{"U0", {}, 0.3, 0.0}}, {}, {}, {}});
  return generate_stress(config, book.underlying_ids, nullptr);
}

StressResult run_stress(Backend& backend, const PackedBook& book, const StressSet& stress,
                        bool time_decay) {
  const StressRows rows = stress_rows_by_underlying(book);
  StressRequest request;
  request.book = &book;
  request.stress = &stress;
  request.rows = &rows;
  request.settings.time_decay = time_decay;
  return backend.stress(request);
}

TEST(StressBackends, EmulatedCudaEqualsCpuBitForBitOnRandomBooks) {
  for (const bool surfaces : {false, true}) {
    const test::RandomCase c = test::random_case(7, 60, 80, 4, true, surfaces);
    const StressSet stress = random_stress(c.book);
    ASSERT_EQ(stress.count(), 16u + 27u + 4u + 2u);
    for (const bool decay : {true, false}) {
      const auto cpu = make_cpu_backend({});
      const StressResult reference = run_stress(*cpu, c.book, stress, decay);
      ASSERT_EQ(reference.charges.size(), c.book.portfolio_count() * kStressKinds);
      double total = 0.0;
      for (double charge : reference.charges) total += charge;
      EXPECT_GT(total, 0.0);
      for (const int grid : {1, 3, 64}) {
        const auto emulated = make_emulated_cuda_backend({}, grid);
        EXPECT_EQ(run_stress(*emulated, c.book, stress, decay).charges, reference.charges)
            << "grid " << grid << " surfaces " << surfaces << " decay " << decay;
      }
      BackendOptions one_thread;
      one_thread.cpu_threads = 1;
      EXPECT_EQ(run_stress(*make_cpu_backend(one_thread), c.book, stress, decay).charges,
                reference.charges);
    }
  }
}

TEST(StressBackends, ChargesAreTheReductionOfTheUnitPnl) {
  // The reduction alone, on random books: per portfolio, per underlying, the
  // largest covered loss summed (span, grid), the largest loss (named), over
  // the engine's own unit P&L and covered shares. That the scenarios and
  // charges themselves are right is test_stress_oracle.cpp's job.
  const test::RandomCase c = test::random_case(11, 30, 40, 4, true);
  const StressSet stress = random_stress(c.book);
  const auto cpu = make_cpu_backend({});
  const StressResult result = run_stress(*cpu, c.book, stress, true);
  const PackedBook& b = c.book;
  const std::size_t n = stress.count();
  for (std::size_t p = 0; p < b.portfolio_count(); ++p) {
    for (std::size_t kind = 0; kind < kStressKinds; ++kind) {
      double expected = 0.0;
      std::vector<double> worst(b.underlying_count(), 0.0);
      for (std::size_t s = stress.kind_offsets[kind]; s < stress.kind_offsets[kind + 1]; ++s) {
        std::vector<double> pnl(b.underlying_count(), 0.0);
        double total = 0.0;
        for (auto e = b.row_offsets[p]; e < b.row_offsets[p + 1]; ++e) {
          const auto i = static_cast<std::size_t>(b.entry_instrument[e]);
          const double v =
              b.entry_weight[e] * unit_pnl(instruments_view_of(b), underlyings_view_of(b),
                                           scenarios_view_of(stress.scenarios), true, i, s);
          pnl[static_cast<std::size_t>(b.underlying[i])] += v;
          total += v;
        }
        if (kind == 2) {
          expected = std::max(expected, -total);
        } else {
          for (std::size_t u = 0; u < b.underlying_count(); ++u) {
            worst[u] = std::max(worst[u], -pnl[u] * stress.covered[u * n + s]);
          }
        }
      }
      if (kind != 2) {
        for (double w : worst) expected += w;
      }
      const double got = result.charges[p * kStressKinds + kind];
      EXPECT_NEAR(got, expected, 1e-9 * std::max(1.0, std::fabs(expected))) << p << " " << kind;
    }
  }
}

TEST(StressBackends, SampleRunsTheSameOnTheEmulationAndTheCpu) {
  const std::string sample = std::string(XM_SOURCE_DIR) + "/scenarios/default/";
  InputPaths paths{sample + "market.json",
                   sample + "instruments.csv",
                   sample + "positions.csv",
                   sample + "accounts.csv",
                   sample + "history.csv",
                   sample + "config.json",
                   ""};
  const PreparedRun prepared = prepare_run(paths);
  ASSERT_TRUE(prepared.stress.has_value());
  const auto cpu = make_cpu_backend({});
  const auto emulated = make_emulated_cuda_backend({}, 7);
  const RunOutcome a = run_margins(prepared, *cpu, false);
  const RunOutcome b = run_margins(prepared, *emulated, false);
  ASSERT_EQ(a.components.size(), b.components.size());
  for (std::size_t r = 0; r < a.components.size(); ++r) {
    EXPECT_EQ(a.components[r].values.value, b.components[r].values.value) << a.components[r].id;
    EXPECT_EQ(a.rows[r].margin, b.rows[r].margin) << a.rows[r].id;
  }
}

TEST(StressBackends, TooSmallABudgetIsAnInputError) {
  const test::RandomCase c = test::random_case(3, 20, 10, 4, true);
  const StressSet stress = random_stress(c.book);
  BackendOptions tiny;
  tiny.memory_budget_bytes = 1000;
  EXPECT_THROW(run_stress(*make_cpu_backend(tiny), c.book, stress, true), InputError);
  EXPECT_THROW(run_stress(*make_emulated_cuda_backend(tiny), c.book, stress, true), InputError);
}

TEST(StressBackends, CudaAgreesWithCpuWhenADeviceIsPresent) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const test::RandomCase c = test::random_case(7, 60, 80, 4, true, true);
  const StressSet stress = random_stress(c.book);
  const StressResult reference = run_stress(*make_cpu_backend({}), c.book, stress, true);
  BackendOptions options;
  const StressResult device =
      run_stress(*make_backend(BackendKind::cuda, options), c.book, stress, true);
  ASSERT_EQ(device.charges.size(), reference.charges.size());
  for (std::size_t k = 0; k < reference.charges.size(); ++k) {
    EXPECT_NEAR(device.charges[k], reference.charges[k],
                1e-9 * std::max(1e3, std::fabs(reference.charges[k])))
        << k;
  }
}

}  // namespace
}  // namespace xm
