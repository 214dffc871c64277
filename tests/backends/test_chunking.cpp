// The chunk planner, the ranks the tail needs, and deliberate sweeps of chunk
// sizes on the cpu backend and on the host emulation of the cuda kernels: the
// results must be the same bytes whatever the plan, and the emulation must
// equal the cpu backend bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu_costs.hpp"
#include "support/random_book.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/chunk_plan.hpp"
#include "xmargin/error.hpp"
#include "xmargin/kernel/device_plan.hpp"
#include "xmargin/tail_ranks.hpp"

namespace xm {
namespace {

// ---- planner ----

const ChunkCosts kCosts{1000, 10, 100};  // fixed, per row, per column

TEST(ChunkPlan, EverythingFitsInOneChunk) {
  const ChunkPlan plan = plan_chunks(1000 + 50 * 10 + 20 * 100, true, 50, 20, kCosts, "test");
  EXPECT_EQ(plan.portfolio_chunk, 50u);
  EXPECT_EQ(plan.scenario_chunk, 20u);
  EXPECT_TRUE(plan.unit_whole);
  EXPECT_EQ(plan.bytes, 3500u);
}

TEST(ChunkPlan, OneColumnShortKeepsAllRowsAndSplitsScenarios) {
  const ChunkPlan plan = plan_chunks(3499, true, 50, 20, kCosts, "test");
  EXPECT_EQ(plan.portfolio_chunk, 50u);
  EXPECT_EQ(plan.scenario_chunk, 19u);
  EXPECT_FALSE(plan.unit_whole);
  EXPECT_LE(plan.bytes, 3499u);
}

TEST(ChunkPlan, TooManyRowsSplitsPortfoliosToo) {
  // 50 rows need 500 bytes; with 1 column that is 1600 > 1550.
  const ChunkPlan plan = plan_chunks(1550, true, 50, 20, kCosts, "test");
  EXPECT_LT(plan.portfolio_chunk, 50u);
  EXPECT_GE(plan.scenario_chunk, 1u);
  EXPECT_LE(plan.bytes, 1550u);
  EXPECT_EQ(plan.bytes, chunk_bytes(kCosts, plan.portfolio_chunk, plan.scenario_chunk));
}

TEST(ChunkPlan, SmallestBudgetIsOneRowByOneColumn) {
  const ChunkPlan plan = plan_chunks(1110, true, 50, 20, kCosts, "test");
  EXPECT_EQ(plan.portfolio_chunk, 1u);
  EXPECT_EQ(plan.scenario_chunk, 1u);
  EXPECT_EQ(plan.bytes, 1110u);
}

TEST(ChunkPlan, BelowTheLeastIsAnErrorSayingTheLeast) {
  try {
    plan_chunks(1109, true, 50, 20, kCosts, "--memory-budget");
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("1109 bytes (--memory-budget) is too small"), std::string::npos) << text;
    EXPECT_NE(text.find("at least 1110 bytes"), std::string::npos) << text;
  }
  // Without a budget from the user it is the machine's fault, not the input's.
  EXPECT_THROW(plan_chunks(1109, false, 50, 20, kCosts, "free memory"), RunError);
  try {
    plan_chunks(1109, false, 50, 20, kCosts, "free memory");
  } catch (const InputError&) {
    FAIL() << "a budget the user did not give is no input error";
  } catch (const RunError&) {
  }
}

TEST(ChunkPlan, OnePortfolioAndOneScenario) {
  const ChunkPlan plan = plan_chunks(1110, true, 1, 1, kCosts, "test");
  EXPECT_EQ(plan.portfolio_chunk, 1u);
  EXPECT_EQ(plan.scenario_chunk, 1u);
  EXPECT_TRUE(plan.unit_whole);
}

TEST(ChunkPlan, HugeCostsSaturateInsteadOfWrapping) {
  const std::size_t big = std::numeric_limits<std::size_t>::max() / 4;
  EXPECT_EQ(chunk_bytes({0, big, big}, 8, 8), std::numeric_limits<std::size_t>::max());
  EXPECT_THROW(plan_chunks(1u << 30, true, 8, 8, {big * 3, big, big}, "test"), InputError);
}

// ---- ranks the tail needs ----

TEST(TailRanks, EqualWeightsNeedTheTailCountPlusTwo) {
  EXPECT_EQ(tail_ranks_needed(std::vector<double>(12500, 1.0 / 12500), 0.99), 127u);
  EXPECT_EQ(tail_ranks_needed(std::vector<double>(1000, 1.0 / 1000), 0.99), 12u);
  EXPECT_EQ(tail_ranks_needed(std::vector<double>(2500, 1.0 / 2500), 0.975), 65u);
}

TEST(TailRanks, NeverMoreThanTheScenarios) {
  EXPECT_EQ(tail_ranks_needed(std::vector<double>(1, 1.0), 0.99), 1u);
  EXPECT_EQ(tail_ranks_needed(std::vector<double>(10, 0.1), 0.5), 7u);
  EXPECT_EQ(tail_ranks_needed(std::vector<double>(10, 0.1), 0.2), 10u);
  EXPECT_EQ(tail_ranks_needed({}, 0.99), 0u);
}

TEST(TailRanks, UnequalWeightsBoundFromTheSmallest) {
  std::vector<double> weight(1000, 0.9 / 999);
  weight[500] = 0.1;  // one heavy scenario, the rest light
  // reach 0.01 / (0.9 / 999) = 11.1 → 12, plus 2.
  EXPECT_EQ(tail_ranks_needed(weight, 0.99), 14u);
  weight[7] = 0.0;  // a zero weight bounds nothing
  EXPECT_EQ(tail_ranks_needed(weight, 0.99), 1000u);
}

// ---- sweeps ----

void expect_same_bytes(const BackendResult& a, const BackendResult& b, const std::string& what) {
  ASSERT_EQ(a.risk.size(), b.risk.size()) << what;
  for (std::size_t p = 0; p < a.risk.size(); ++p) {
    // Bitwise: EXPECT_EQ on doubles is exact.
    EXPECT_EQ(a.risk[p].var, b.risk[p].var) << what << " row " << p;
    EXPECT_EQ(a.risk[p].es, b.risk[p].es) << what << " row " << p;
    EXPECT_EQ(a.risk[p].worst_loss, b.risk[p].worst_loss) << what << " row " << p;
    EXPECT_EQ(a.risk[p].worst_scenario, b.risk[p].worst_scenario) << what << " row " << p;
  }
  EXPECT_EQ(a.pnl, b.pnl) << what;
}

BackendResult run(Backend& backend, const test::RandomCase& c, double confidence,
                  std::size_t pnl_rows) {
  BackendRequest request;
  request.book = &c.book;
  request.scenarios = &c.scenarios;
  request.settings = {confidence, true};
  request.pnl_rows = pnl_rows;
  return backend.run(request);
}

BackendOptions with_budget(std::size_t bytes, int threads = 2) {
  BackendOptions options;
  options.memory_budget_bytes = bytes;
  options.cpu_threads = threads;
  return options;
}

// Budgets that give the plans worth testing for a book: one row × one column,
// k − 1, k, k + 1 columns, one tile of the select kernel ± 1, N − 1 columns,
// everything; and a row chunk of 1, 2 and half the portfolios.
std::vector<std::size_t> budgets_to_sweep(const ChunkCosts& costs, std::size_t portfolios,
                                          std::size_t scenarios, std::size_t ranks) {
  std::vector<std::size_t> budgets;
  const std::size_t all_rows = portfolios;
  for (const std::size_t columns :
       {std::size_t{1}, ranks - 1, ranks, ranks + 1, std::size_t{kernel::kSelectThreads} - 1,
        std::size_t{kernel::kSelectThreads}, std::size_t{kernel::kSelectThreads} + 1, scenarios - 1,
        scenarios}) {
    if (columns >= 1 && columns <= scenarios) {
      budgets.push_back(chunk_bytes(costs, all_rows, columns));
    }
  }
  for (const std::size_t rows : {std::size_t{1}, std::size_t{2}, portfolios / 2}) {
    if (rows >= 1) budgets.push_back(chunk_bytes(costs, rows, 1) + costs.per_row / 2);
  }
  return budgets;
}

struct SweepCase {
  std::uint64_t seed;
  std::size_t instruments, portfolios, scenarios;
  double confidence;
  bool equal_weights;
  bool surfaces = false;  // vol surfaces and tenor shifts (SPEC §6)
};

class ChunkSweep : public ::testing::TestWithParam<SweepCase> {};

TEST_P(ChunkSweep, CpuIsTheSameBytesForEveryPlan) {
  const SweepCase& k = GetParam();
  const auto c = test::random_case(k.seed, k.instruments, k.portfolios, k.scenarios,
                                   k.equal_weights, k.surfaces);
  const std::size_t pnl_rows = k.portfolios / 2 + 1;
  const BackendResult whole = run(*make_cpu_backend({}), c, k.confidence, pnl_rows);
  ASSERT_TRUE(whole.plan.unit_whole);
  const std::size_t ranks = tail_ranks_needed(c.scenarios.weight, k.confidence);
  const ChunkCosts costs = cpu_chunk_costs(k.instruments, ranks, 2);
  std::size_t plans_with_split_scenarios = 0;
  for (const std::size_t budget : budgets_to_sweep(costs, k.portfolios, k.scenarios, ranks)) {
    const BackendResult chunked =
        run(*make_cpu_backend(with_budget(budget)), c, k.confidence, pnl_rows);
    EXPECT_LE(chunked.plan.bytes, budget);
    if (!chunked.plan.unit_whole) ++plans_with_split_scenarios;
    expect_same_bytes(whole, chunked, "cpu budget " + std::to_string(budget));
  }
  if (k.scenarios > 1) {
    EXPECT_GT(plans_with_split_scenarios, 0u);
  }
}

TEST_P(ChunkSweep, EmulatedCudaEqualsCpuBitForBitForEveryPlan) {
  const SweepCase& k = GetParam();
  const auto c = test::random_case(k.seed, k.instruments, k.portfolios, k.scenarios,
                                   k.equal_weights, k.surfaces);
  const std::size_t pnl_rows = k.portfolios / 2 + 1;
  const BackendResult cpu = run(*make_cpu_backend({}), c, k.confidence, pnl_rows);
  const std::size_t ranks = tail_ranks_needed(c.scenarios.weight, k.confidence);
  const ChunkCosts costs = kernel::device_chunk_costs(c.book, c.scenarios, ranks, pnl_rows);
  for (const int grid : {1, 4}) {
    const BackendResult whole =
        run(*make_emulated_cuda_backend({}, grid), c, k.confidence, pnl_rows);
    expect_same_bytes(cpu, whole, "emulated, grid " + std::to_string(grid));
  }
  for (const std::size_t budget : budgets_to_sweep(costs, k.portfolios, k.scenarios, ranks)) {
    const BackendResult chunked =
        run(*make_emulated_cuda_backend(with_budget(budget), 3), c, k.confidence, pnl_rows);
    EXPECT_LE(chunked.plan.bytes, budget);
    expect_same_bytes(cpu, chunked, "emulated budget " + std::to_string(budget));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, ChunkSweep,
    ::testing::Values(SweepCase{21, 30, 40, 300, 0.99, true},  // k = 5: lists fill early
                      SweepCase{22, 20, 1, 257, 0.99, true},   // one portfolio, tiles 128+128+1
                      SweepCase{23, 12, 9, 1, 0.99, true},     // one scenario
                      SweepCase{24, 15, 12, 9, 0.5, true},     // k = N: every loss ranked
                      SweepCase{25, 25, 30, 129, 0.9, false},  // unequal weights, k from w_min
                      SweepCase{26, 40, 50, 500, 0.75, true},  // k = 127 ≈ one tile
                      // vol surfaces and tenor shifts, with equal and unequal weights
                      SweepCase{27, 40, 30, 300, 0.99, true, true},
                      SweepCase{28, 25, 20, 129, 0.9, false, true}));

TEST(ChunkSweep4x, ABookWhoseUnitMatrixIsFourTimesTheBudgetCompletes) {
  const auto c = test::random_case(31, 200, 150, 1200, true);
  const std::size_t matrix = 200 * 1200 * sizeof(double);
  const BackendResult whole = run(*make_cpu_backend({}), c, 0.99, 0);
  for (const bool emulated : {false, true}) {
    const auto backend = emulated ? make_emulated_cuda_backend(with_budget(matrix / 4), 2)
                                  : make_cpu_backend(with_budget(matrix / 4));
    const BackendResult chunked = run(*backend, c, 0.99, 0);
    EXPECT_FALSE(chunked.plan.unit_whole);
    EXPECT_LE(chunked.plan.scenario_chunk, 1200u / 4);
    expect_same_bytes(whole, chunked, emulated ? "emulated" : "cpu");
  }
}

TEST(ChunkSweep4x, ABudgetBelowOneChunkIsAnErrorOnBothBackends) {
  const auto c = test::random_case(32, 50, 20, 100, true);
  EXPECT_THROW(run(*make_cpu_backend(with_budget(100)), c, 0.99, 0), InputError);
  EXPECT_THROW(run(*make_emulated_cuda_backend(with_budget(100)), c, 0.99, 0), InputError);
}

// ---- non-finite P&L ----

TEST(NonFinite, AnOverflowingPortfolioIsNamedTheSameWhateverThePlan) {
  auto c = test::random_case(41, 30, 20, 200, true);
  // Portfolio 6's first position gets a weight whose product overflows.
  const auto e = static_cast<std::size_t>(c.book.row_offsets[6]);
  ASSERT_LT(e, static_cast<std::size_t>(c.book.row_offsets[7]));
  c.book.entry_weight[e] = 1e308;
  const auto first_bad = [&](Backend& backend) -> std::pair<std::size_t, std::size_t> {
    try {
      run(backend, c, 0.99, 0);
    } catch (const NonFiniteValue& bad) {
      EXPECT_TRUE(bad.portfolio());
      return {bad.index(), bad.scenario()};
    }
    ADD_FAILURE() << backend.name() << " accepted a non-finite P&L";
    return {0, 0};
  };
  const auto expected = first_bad(*make_cpu_backend({}));
  EXPECT_EQ(expected.first, 6u);
  EXPECT_EQ(first_bad(*make_cpu_backend(with_budget(20000, 1))), expected);
  EXPECT_EQ(first_bad(*make_emulated_cuda_backend({}, 2)), expected);
}

TEST(NonFinite, ANonFiniteUnitPnlNamesTheInstrument) {
  auto c = test::random_case(42, 30, 20, 200, true);
  c.book.base_value[9] = std::numeric_limits<double>::infinity();
  for (const bool emulated : {false, true}) {
    const auto backend = emulated ? make_emulated_cuda_backend({}) : make_cpu_backend({});
    try {
      run(*backend, c, 0.99, 0);
      ADD_FAILURE() << backend->name() << " accepted a non-finite unit P&L";
    } catch (const NonFiniteValue& bad) {
      EXPECT_FALSE(bad.portfolio()) << backend->name();
      EXPECT_EQ(bad.index(), 9u) << backend->name();
      EXPECT_EQ(bad.scenario(), 0u) << backend->name();
    }
  }
}

}  // namespace
}  // namespace xm
