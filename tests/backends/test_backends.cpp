// Backend tests typed over cpu and cuda (cuda skipped without a device): both
// must match a naive per-entry computation written here, and each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "support/random_book.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

struct CpuKind {
  static constexpr const char* name = "cpu";
  static bool available() { return true; }
  static std::unique_ptr<Backend> make(const BackendOptions& options) {
    return make_cpu_backend(options);
  }
};
// The CUDA kernels run on the host: runs everywhere, so CI checks the device
// path's logic even without a GPU.
struct EmulatedCudaKind {
  static constexpr const char* name = "cuda_emulated";
  static bool available() { return true; }
  static std::unique_ptr<Backend> make(const BackendOptions& options) {
    return make_emulated_cuda_backend(options, 3);
  }
};
struct CudaKind {
  static constexpr const char* name = "cuda";
  static bool available() { return cuda_device_count() > 0; }
  static std::unique_ptr<Backend> make(const BackendOptions& options) {
    return make_backend(BackendKind::cuda, options);
  }
};

// The naive reference: price every (entry, scenario) from scratch, sort all
// losses, walk the weights.
struct Naive {
  std::vector<TailRisk> risk;
  std::vector<double> pnl;  // [P × N]
};

// σ′ of SPEC §3 and §6 written out again: the surface read with surface_vol (tested on its own in
// tests/pricing), the tenor shifts interpolated here.
double naive_vol(const test::RandomCase& c, std::size_t i, std::size_t k, std::size_t j,
                 double spot) {
  const PackedBook& b = c.book;
  const ScenarioSet& s = c.scenarios;
  const std::size_t n = s.count();
  double vol = b.vol_annual[i];
  if (b.vol_rule[i] == VolRule::sticky_moneyness) {
    const VolSurfacesView surfaces{b.surface_shape.data(), b.surface_expiry_years.data(),
                                   b.surface_moneyness.data(), b.surface_vols.data()};
    const double forward =
        spot * std::exp((b.rate[k] - b.dividend_yield[k]) * b.years_to_expiry[i]);
    vol = surface_vol(surfaces, k, b.terms[i].strike / forward, b.years_to_expiry[i]);
  }
  bool floored = b.vol_rule[i] != VolRule::flat;
  if (s.tenor_count(k) > 0) {
    const auto first = static_cast<std::size_t>(s.tenor_offsets[k]);
    const std::size_t last = first + s.tenor_count(k) - 1;
    const double days = b.days_to_expiry[i];
    const auto shift = [&](std::size_t tenor) { return s.tenor_shift[tenor * n + j]; };
    if (days <= s.tenor_days[first]) {
      vol += shift(first);
    } else if (days >= s.tenor_days[last]) {
      vol += shift(last);
    } else {
      std::size_t above = first + 1;
      while (s.tenor_days[above] < days) ++above;
      const double d0 = s.tenor_days[above - 1], d1 = s.tenor_days[above];
      vol += shift(above - 1) + (days - d0) / (d1 - d0) * (shift(above) - shift(above - 1));
    }
    floored = true;
  } else if (s.vol_moves[k]) {
    vol += s.vol_shift[k * n + j];
    floored = true;
  }
  return floored ? std::max(vol, 0.01) : vol;
}

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
        m.vol_annual = naive_vol(c, i, k, j, m.spot);
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

// SPEC §3's tolerance, written here rather than borrowed from validation.cpp, so that loosening
// the production check cannot loosen these tests.
bool spec_close(double a, double b) {
  return std::fabs(a - b) <= std::max(1e-9 * std::max(std::fabs(a), std::fabs(b)), 1e-6);
}

// One side of a comparison: the tails and the P&L of every portfolio ([P × N]).
struct Side {
  const std::vector<TailRisk>& risk;
  const std::vector<double>& pnl;
};

// Tails close, worst scenarios equal up to ties (SPEC §3): where the indices differ, each side's
// own loss at the other's index must be close to its own worst loss.
void expect_close(const Side& expected, const Side& actual, std::size_t scenario_count) {
  ASSERT_EQ(actual.risk.size(), expected.risk.size());
  ASSERT_EQ(expected.pnl.size(), expected.risk.size() * scenario_count);
  ASSERT_EQ(actual.pnl.size(), actual.risk.size() * scenario_count);
  const auto loss = [scenario_count](const Side& side, std::size_t p, std::int32_t s) {
    return 0.0 - side.pnl[p * scenario_count + static_cast<std::size_t>(s)];
  };
  for (std::size_t p = 0; p < expected.risk.size(); ++p) {
    const TailRisk& e = expected.risk[p];
    const TailRisk& a = actual.risk[p];
    EXPECT_TRUE(spec_close(e.var, a.var)) << p << ": " << e.var << " vs " << a.var;
    EXPECT_TRUE(spec_close(e.es, a.es)) << p << ": " << e.es << " vs " << a.es;
    EXPECT_TRUE(spec_close(e.worst_loss, a.worst_loss)) << p;
    if (e.worst_scenario == a.worst_scenario) continue;
    ASSERT_LT(static_cast<std::size_t>(e.worst_scenario), scenario_count) << p;
    ASSERT_LT(static_cast<std::size_t>(a.worst_scenario), scenario_count) << p;
    EXPECT_TRUE(spec_close(loss(expected, p, a.worst_scenario), e.worst_loss))
        << p << ": worst scenarios " << e.worst_scenario << " vs " << a.worst_scenario;
    EXPECT_TRUE(spec_close(loss(actual, p, e.worst_scenario), a.worst_loss))
        << p << ": worst scenarios " << e.worst_scenario << " vs " << a.worst_scenario;
  }
}

template <typename Kind>
class BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Kind::available()) GTEST_SKIP() << "no CUDA device";
  }
  std::unique_ptr<Backend> make(BackendOptions options = {}) { return Kind::make(options); }
};

using BackendKinds = ::testing::Types<CpuKind, EmulatedCudaKind, CudaKind>;
class KindNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::name;
  }
};
TYPED_TEST_SUITE(BackendTest, BackendKinds, KindNames);

// Every portfolio's tail and P&L (all rows returned) close to the naive reference.
void expect_matches_naive(Backend& backend, const test::RandomCase& c,
                          const RiskSettings& settings) {
  const Naive expected = naive(c, settings);
  const BackendResult result = run(backend, c, settings, c.book.portfolio_count());
  expect_close({expected.risk, expected.pnl}, {result.risk, result.pnl}, c.scenarios.count());
  for (std::size_t k = 0; k < result.pnl.size(); ++k) {
    EXPECT_TRUE(spec_close(expected.pnl[k], result.pnl[k])) << k;
  }
}

TYPED_TEST(BackendTest, MatchesNaiveWithEqualWeights) {
  expect_matches_naive(*this->make(), test::random_case(1, 60, 120, 500, true), {0.99, true});
}

TYPED_TEST(BackendTest, MatchesNaiveWithVolSurfacesAndTenorShifts) {
  const auto c = test::random_case(6, 80, 120, 400, true, true);
  const auto rules = [&](VolRule rule) {
    return std::count(c.book.vol_rule.begin(), c.book.vol_rule.end(), rule);
  };
  ASSERT_GT(rules(VolRule::sticky_moneyness), 10);
  ASSERT_GT(rules(VolRule::sticky_strike), 3);
  expect_matches_naive(*this->make(), c, {0.99, true});
}

TYPED_TEST(BackendTest, ReturnsThePnlOfTheFirstRowsOnly) {
  const auto c = test::random_case(1, 60, 120, 500, true);
  const RiskSettings settings{0.99, true};
  const BackendResult all = run(*this->make(), c, settings, 120);
  const BackendResult first = run(*this->make(), c, settings, 10);
  ASSERT_EQ(first.pnl.size(), 10u * 500u);
  EXPECT_TRUE(std::equal(first.pnl.begin(), first.pnl.end(), all.pnl.begin()));
}

TYPED_TEST(BackendTest, MatchesNaiveWithUnequalWeightsAndNoDecay) {
  const auto c = test::random_case(2, 40, 80, 333, false);
  const RiskSettings settings{0.975, false};
  const Naive expected = naive(c, settings);
  const BackendResult result = run(*this->make(), c, settings, 80);
  expect_close({expected.risk, expected.pnl}, {result.risk, result.pnl}, 333);
}

TYPED_TEST(BackendTest, EmptyPortfolioHasZeroRiskAtScenarioZero) {
  const auto c = test::random_case(3, 10, 5, 100, true);
  ASSERT_EQ(c.book.row_offsets[4], c.book.row_offsets[3]);  // row 3 is empty by construction
  const BackendResult result = run(*this->make(), c, {0.99, true}, 0);
  EXPECT_EQ(result.risk[3].var, 0.0);
  EXPECT_EQ(result.risk[3].es, 0.0);
  EXPECT_EQ(result.risk[3].worst_scenario, 0);
  EXPECT_TRUE(result.pnl.empty());
}

TYPED_TEST(BackendTest, ResultsDoNotDependOnChunking) {
  const auto c = test::random_case(4, 50, 200, 400, true);
  const BackendResult whole = run(*this->make(), c, {0.99, true}, 200);
  // 1 MiB splits the scenarios on cpu; 120 kB also splits the portfolios on
  // cuda, so unit P&L is repriced per portfolio chunk. tests/backends/
  // test_chunking.cpp sweeps the plans deliberately.
  for (const std::size_t budget : {std::size_t{1} << 20, std::size_t{120} << 10}) {
    BackendOptions tiny;
    tiny.memory_budget_bytes = budget;
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
  const BackendResult cpu = run(*make_backend(BackendKind::cpu, {}), c, settings, 1000);
  const BackendResult cuda = run(*make_backend(BackendKind::cuda, {}), c, settings, 1000);
  expect_close({cpu.risk, cpu.pnl}, {cuda.risk, cuda.pnl}, 1000);
}

TEST(BackendFactory, AutomaticFallsBackToCpuWithoutAUsableDevice) {
  const CudaAvailability cuda = cuda_availability();
  std::string note;
  const auto backend = make_backend(BackendKind::automatic, {}, &note);
  EXPECT_EQ(backend->name(), cuda.usable ? "cuda" : "cpu");
  if (!cuda.usable) {
    EXPECT_EQ(note, "using the cpu backend: " + cuda.reason);
    EXPECT_FALSE(cuda.reason.empty());
    try {
      make_backend(BackendKind::cuda, {});
      ADD_FAILURE() << "--backend cuda without a usable device must throw";
    } catch (const RunError& error) {
      EXPECT_EQ(std::string(error.what()), "--backend cuda: " + cuda.reason);
    }
  }
  if (cuda_device_count() == 0) {
    EXPECT_NE(cuda.reason.find(cuda_backend_built() ? "no CUDA device" : "not built"),
              std::string::npos)
        << cuda.reason;
  }
}

}  // namespace
}  // namespace xm
