// Backend tests typed over cpu and cuda (cuda skipped without a device): both
// must match a naive per-entry computation written here, and each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "support/random_book.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"
#include "xmargin/validation.hpp"

namespace xm {
namespace {

struct CpuKind {
  static constexpr BackendKind kind = BackendKind::cpu;
  static bool available() { return true; }
};
struct CudaKind {
  static constexpr BackendKind kind = BackendKind::cuda;
  static bool available() { return cuda_device_count() > 0; }
};

// The naive reference: price every (entry, scenario) from scratch, sort all
// losses, walk the weights.
struct Naive {
  std::vector<TailRisk> risk;
  std::vector<double> pnl;  // [P × N]
};

Naive naive(const test::RandomCase& c, const RiskSettings& settings) {
  const PackedBook& b = c.book;
  const ScenarioSet& s = c.scenarios;
  const std::size_t n = s.count();
  Naive out;
  for (std::size_t p = 0; p < b.portfolio_count(); ++p) {
    std::vector<double> pnl(n, 0.0);
    for (auto e = b.row_offsets[p]; e < b.row_offsets[p + 1]; ++e) {
      const auto i = static_cast<std::size_t>(b.entry_instrument[e]);
      const auto k = static_cast<std::size_t>(b.underlying[i]);
      for (std::size_t j = 0; j < n; ++j) {
        MarketState m;
        m.spot = b.spot[k] * s.price_factor[k * n + j];
        m.vol_annual = s.vol_moves[k] ? std::max(b.vol_annual[i] + s.vol_shift[k * n + j], 0.01)
                                      : b.vol_annual[i];
        m.years_to_expiry = settings.time_decay
                                ? std::max(b.years_to_expiry[i] - s.horizon_days[j] / 252.0, 0.0)
                                : b.years_to_expiry[i];
        m.rate = b.rate[k];
        m.dividend_yield = b.dividend_yield[k];
        pnl[j] += b.entry_weight[e] * (instrument_value(b.terms[i], m) - b.base_value[i]);
      }
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return -pnl[x] > -pnl[y]; });
    const double tail = 1.0 - settings.confidence;
    double before = 0.0, weighted = 0.0;
    std::size_t k = 0;
    while (k + 1 < n && before + s.weight[order[k]] < tail * (1 - 1e-12)) {
      before += s.weight[order[k]];
      weighted += s.weight[order[k]] * -pnl[order[k]];
      ++k;
    }
    TailRisk r;
    r.var = -pnl[order[k]];
    r.es = (weighted + (tail - before) * r.var) / tail;
    r.worst_loss = -pnl[order[0]];
    r.worst_scenario = static_cast<std::int32_t>(order[0]);
    out.risk.push_back(r);
    out.pnl.insert(out.pnl.end(), pnl.begin(), pnl.end());
  }
  return out;
}

BackendResult run(Backend& backend, const test::RandomCase& c, const RiskSettings& settings,
                  std::size_t pnl_rows) {
  BackendRequest request;
  request.book = &c.book;
  request.scenarios = &c.scenarios;
  request.settings = settings;
  request.pnl_rows = pnl_rows;
  return backend.run(request);
}

void expect_close(const TailRisk& expected, const TailRisk& actual, std::size_t p) {
  EXPECT_TRUE(within_tolerance(expected.var, actual.var, 1e-9))
      << p << ": " << expected.var << " vs " << actual.var;
  EXPECT_TRUE(within_tolerance(expected.es, actual.es, 1e-9))
      << p << ": " << expected.es << " vs " << actual.es;
  EXPECT_TRUE(within_tolerance(expected.worst_loss, actual.worst_loss, 1e-9)) << p;
  EXPECT_EQ(expected.worst_scenario, actual.worst_scenario) << p;
}

template <typename Kind>
class BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Kind::available()) GTEST_SKIP() << "no CUDA device";
  }
  std::unique_ptr<Backend> make(BackendOptions options = {}) {
    return make_backend(Kind::kind, options);
  }
};

using BackendKinds = ::testing::Types<CpuKind, CudaKind>;
class KindNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kind == BackendKind::cpu ? "cpu" : "cuda";
  }
};
TYPED_TEST_SUITE(BackendTest, BackendKinds, KindNames);

TYPED_TEST(BackendTest, MatchesNaiveWithEqualWeights) {
  const auto c = test::random_case(1, 60, 120, 500, true);
  const RiskSettings settings{0.99, true};
  const Naive expected = naive(c, settings);
  const BackendResult result = run(*this->make(), c, settings, 10);
  ASSERT_EQ(result.risk.size(), expected.risk.size());
  for (std::size_t p = 0; p < expected.risk.size(); ++p)
    expect_close(expected.risk[p], result.risk[p], p);
  ASSERT_EQ(result.pnl.size(), 10u * 500u);
  for (std::size_t k = 0; k < result.pnl.size(); ++k) {
    EXPECT_TRUE(within_tolerance(expected.pnl[k], result.pnl[k], 1e-9)) << k;
  }
}

TYPED_TEST(BackendTest, MatchesNaiveWithUnequalWeightsAndNoDecay) {
  const auto c = test::random_case(2, 40, 80, 333, false);
  const RiskSettings settings{0.975, false};
  const Naive expected = naive(c, settings);
  const BackendResult result = run(*this->make(), c, settings, 0);
  for (std::size_t p = 0; p < expected.risk.size(); ++p)
    expect_close(expected.risk[p], result.risk[p], p);
  EXPECT_TRUE(result.pnl.empty());
}

TYPED_TEST(BackendTest, EmptyPortfolioHasZeroRiskAtScenarioZero) {
  const auto c = test::random_case(3, 10, 5, 100, true);
  ASSERT_EQ(c.book.row_offsets[4], c.book.row_offsets[3]);  // row 3 is empty by construction
  const BackendResult result = run(*this->make(), c, {0.99, true}, 0);
  EXPECT_EQ(result.risk[3].var, 0.0);
  EXPECT_EQ(result.risk[3].es, 0.0);
  EXPECT_EQ(result.risk[3].worst_scenario, 0);
}

TYPED_TEST(BackendTest, ResultsDoNotDependOnChunking) {
  const auto c = test::random_case(4, 50, 200, 400, true);
  const BackendResult whole = run(*this->make(), c, {0.99, true}, 200);
  // On cuda, 1 MiB splits the portfolios into chunks; 120 kB also splits the
  // scenarios, so unit P&L is repriced per portfolio chunk.
  for (const std::size_t budget : {std::size_t{1} << 20, std::size_t{120} << 10}) {
    BackendOptions tiny;
    tiny.device_memory_budget_bytes = budget;
    const BackendResult chunked = run(*this->make(tiny), c, {0.99, true}, 200);
    for (std::size_t p = 0; p < whole.risk.size(); ++p) {
      EXPECT_EQ(whole.risk[p].var, chunked.risk[p].var) << budget << " " << p;
      EXPECT_EQ(whole.risk[p].es, chunked.risk[p].es) << budget << " " << p;
      EXPECT_EQ(whole.risk[p].worst_scenario, chunked.risk[p].worst_scenario) << budget << " " << p;
    }
    EXPECT_EQ(whole.pnl, chunked.pnl) << budget;
  }
}

TEST(BackendAgreement, CudaMatchesCpuWithinSpecTolerance) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const auto c = test::random_case(5, 200, 1000, 1000, true);
  const RiskSettings settings{0.99, true};
  const BackendResult cpu = run(*make_backend(BackendKind::cpu, {}), c, settings, 0);
  const BackendResult cuda = run(*make_backend(BackendKind::cuda, {}), c, settings, 0);
  for (std::size_t p = 0; p < cpu.risk.size(); ++p) expect_close(cpu.risk[p], cuda.risk[p], p);
}

TEST(BackendFactory, AutomaticFallsBackToCpuWithoutDevice) {
  const auto backend = make_backend(BackendKind::automatic, {});
  EXPECT_EQ(backend->name(), cuda_device_count() > 0 ? "cuda" : "cpu");
  if (cuda_device_count() == 0) {
    EXPECT_THROW(make_backend(BackendKind::cuda, {}), RunError);
  }
}

}  // namespace
}  // namespace xm
