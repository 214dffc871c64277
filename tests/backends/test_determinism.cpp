#include <gtest/gtest.h>

#include "support/random_book.hpp"
#include "xmargin/backend.hpp"

namespace xm {
namespace {

// SPEC §3: same inputs, same bytes, whatever the thread count.
TEST(Determinism, CpuResultsAreIdenticalForAnyThreadCount) {
  const auto c = test::random_case(11, 80, 300, 600, false);
  BackendRequest request;
  request.book = &c.book;
  request.scenarios = &c.scenarios;
  request.settings = {0.99, true};
  request.pnl_rows = 300;
  std::vector<BackendResult> results;
  for (int threads : {1, 2, 3, 8}) {
    BackendOptions options;
    options.cpu_threads = threads;
    results.push_back(make_cpu_backend(options)->run(request));
  }
  for (std::size_t r = 1; r < results.size(); ++r) {
    ASSERT_EQ(results[r].risk.size(), results[0].risk.size());
    for (std::size_t p = 0; p < results[0].risk.size(); ++p) {
      EXPECT_EQ(results[r].risk[p].var, results[0].risk[p].var);
      EXPECT_EQ(results[r].risk[p].es, results[0].risk[p].es);
      EXPECT_EQ(results[r].risk[p].worst_loss, results[0].risk[p].worst_loss);
      EXPECT_EQ(results[r].risk[p].worst_scenario, results[0].risk[p].worst_scenario);
    }
    EXPECT_EQ(results[r].pnl, results[0].pnl);
  }
}

TEST(Determinism, PartialRankingEqualsFullRanking) {
  // With equal weights the cpu backend ranks only the top of each portfolio;
  // the same scenarios with weights perturbed by nothing but their order of
  // summation must give the same tails as a full ranking would.
  auto equal = test::random_case(12, 30, 100, 500, true);
  BackendRequest request;
  request.book = &equal.book;
  request.scenarios = &equal.scenarios;
  request.settings = {0.99, true};
  const BackendResult partial = make_cpu_backend({})->run(request);
  auto marked = equal;
  marked.scenarios.weight.back() =
      std::nextafter(marked.scenarios.weight.back(), 1.0);  // forces a full ranking
  request.scenarios = &marked.scenarios;
  const BackendResult full = make_cpu_backend({})->run(request);
  for (std::size_t p = 0; p < partial.risk.size(); ++p) {
    EXPECT_EQ(partial.risk[p].var, full.risk[p].var) << p;
    EXPECT_NEAR(partial.risk[p].es, full.risk[p].es,
                1e-9 * std::max(1.0, std::fabs(full.risk[p].es)))
        << p;
    EXPECT_EQ(partial.risk[p].worst_scenario, full.risk[p].worst_scenario) << p;
  }
}

}  // namespace
}  // namespace xm
