// Monte Carlo scenarios (SPEC §5.1): ES against closed forms and numerical
// integration, covariance of the exported moves, the order of draws, and
// reproducibility.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <functional>
#include <limits>

#include "scenarios/philox_normals.hpp"
#include "scenarios/synthetic_history.hpp"
#include "support/test_support.hpp"
#include "support/uniform.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/scenarios.hpp"

namespace xm {
namespace {

// Daily returns with standard deviation `vol`, uniform so nothing here leans
// on a normal generator.
std::vector<double> returns(std::uint64_t seed, std::size_t count, double vol) {
  test::Uniform uniform(seed);
  std::vector<double> r(count);
  for (double& x : r) x = vol * std::sqrt(12.0) * (uniform() - 0.5);
  return r;
}

// Covariance of columns given as series (mean removed, divisor n − 1).
double covariance(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double mean_a = 0.0, mean_b = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    mean_a += a[i];
    mean_b += b[i];
  }
  mean_a /= n;
  mean_b /= n;
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - mean_a) * (b[i] - mean_b);
  return sum / (n - 1.0);
}

// EWMA covariance with zero mean, newest weighted most (SPEC §5.1).
double ewma_cov(const std::vector<double>& a, const std::vector<double>& b, double lambda) {
  const std::size_t w = a.size();
  double sum = 0.0, weights = 0.0;
  for (std::size_t k = 0; k < w; ++k) {  // k = 0 newest
    const double weight = std::pow(lambda, static_cast<double>(k));
    sum += weight * a[w - 1 - k] * b[w - 1 - k];
    weights += weight;
  }
  return sum / weights;
}

// The factors' daily moves over the last `window` returns, written here
// independently: log returns of each series, then the changes of its vols.
std::vector<std::vector<double>> daily_factors(const History& history, std::size_t window) {
  std::vector<std::vector<double>> factors;
  const std::size_t n = history.dates.size();
  for (const HistorySeries& series : history.series) {
    std::vector<double> f;
    for (std::size_t t = n - window; t < n; ++t)
      f.push_back(std::log(series.levels[t] / series.levels[t - 1]));
    factors.push_back(f);
  }
  for (const HistorySeries& series : history.series) {
    if (series.vols.empty()) continue;
    std::vector<double> f;
    for (std::size_t t = n - window; t < n; ++t) f.push_back(series.vols[t] - series.vols[t - 1]);
    factors.push_back(f);
  }
  return factors;
}

// --- ES of one future held long and short ---------------------------------

constexpr double kSpot = 100.0;
constexpr double kConfidence = 0.99;
constexpr int kMpor = 2;
constexpr std::size_t kWindow = 250;

std::string book_config(const std::string& monte_carlo) {
  return "{\"measure\": \"es\", \"confidence\": 0.99, \"time_decay\": false,\n"
         " \"scenarios\": {\"monte_carlo\": " +
         monte_carlo + "}}\n";
}

// A future worth its spot (r = q = 0: F = S), one account long, one short.
InputPaths future_book(const test::TempDir& dir, const History& history,
                       const std::string& config) {
  dir.write("market.json",
            "{\"valuation_date\": \"2001-01-02\", \"underlyings\": [{\"id\": \"FUT\", \"price\": "
            "100, \"vol\": 0.2}]}\n");
  dir.write("instruments.csv",
            "instrument,type,underlying,expiry,multiplier\nF1,future,FUT,2001-03-16,1\n");
  dir.write("positions.csv", "account,instrument,quantity\nLONG,F1,1\nSHORT,F1,-1\n");
  dir.write("history.csv", test::history_csv(history));
  dir.write("config.json", config);
  return InputPaths{dir.file("market.json"),
                    dir.file("instruments.csv"),
                    dir.file("positions.csv"),
                    "",
                    dir.file("history.csv"),
                    dir.file("config.json"),
                    ""};
}

struct Estimate {
  double es = 0.0;
  double standard_error = 0.0;
};

// ES of the losses at 99% over equal weights, with its asymptotic standard
// error √[(Var(L | tail) + α (ES − VaR)²) / (N (1 − α))].
Estimate es_of(std::vector<double> losses) {
  std::sort(losses.begin(), losses.end(), std::greater<>());
  const auto k = static_cast<std::size_t>(
      std::llround(static_cast<double>(losses.size()) * (1.0 - kConfidence)));
  double sum = 0.0;
  for (std::size_t i = 0; i < k; ++i) sum += losses[i];
  const double es = sum / static_cast<double>(k);
  double squares = 0.0;
  for (std::size_t i = 0; i < k; ++i) squares += (losses[i] - es) * (losses[i] - es);
  const double var = losses[k - 1];
  const double tail_variance = squares / static_cast<double>(k - 1);
  const double se =
      std::sqrt((tail_variance + kConfidence * (es - var) * (es - var)) / static_cast<double>(k));
  return {es, se};
}

struct FutureRun {
  double long_es = 0.0, short_es = 0.0;    // from the cpu backend
  Estimate long_estimate, short_estimate;  // from the scenarios, here
};

FutureRun run_future_book(const History& history, const std::string& monte_carlo) {
  test::TempDir dir;
  const PreparedRun prepared = prepare_run(future_book(dir, history, book_config(monte_carlo)));
  const auto cpu = make_cpu_backend({});
  const RunOutcome outcome = run_margins(prepared, *cpu, false);
  FutureRun run;
  for (const MarginRow& row : outcome.rows) {
    (row.id == "LONG" ? run.long_es : run.short_es) = row.es;
  }
  std::vector<double> long_losses, short_losses;
  for (const double factor : prepared.scenarios.price_factor) {
    long_losses.push_back(kSpot * (1.0 - factor));
    short_losses.push_back(kSpot * (factor - 1.0));
  }
  run.long_estimate = es_of(long_losses);
  run.short_estimate = es_of(short_losses);
  return run;
}

History future_history() {
  return test::history_from_returns({"FUT"}, {returns(11, kWindow, 0.015)});
}

double daily_variance(const History& history) {
  const std::vector<double> r = daily_factors(history, kWindow)[0];
  return covariance(r, r);
}

TEST(MonteCarlo, EsOfALongAndAShortFutureConvergeToTheLognormalClosedForm) {
  const History history = future_history();
  const FutureRun run =
      run_future_book(history,
                      "{\"count\": 100000, \"mpor_days\": 2, \"seed\": 42, \"covariance\": "
                      "{\"window_days\": 250}}");
  // X ~ N(0, s²), s² = h σ²; z = Φ⁻¹(α). Long loss S0(1 − e^X) is beyond VaR
  // where X < −s z: ES = S0 [1 − e^{s²/2} Φ(−z − s)/(1 − α)]. Short loss
  // S0(e^X − 1), beyond VaR where X > s z: ES = S0 [e^{s²/2} Φ(s − z)/(1 − α) − 1].
  const double s = std::sqrt(kMpor * daily_variance(history));
  const boost::math::normal_distribution<double> normal;
  const double z = boost::math::quantile(normal, kConfidence);
  const double tail = 1.0 - kConfidence;
  const double long_exact =
      kSpot * (1.0 - std::exp(s * s / 2) * boost::math::cdf(normal, -z - s) / tail);
  const double short_exact =
      kSpot * (std::exp(s * s / 2) * boost::math::cdf(normal, s - z) / tail - 1.0);

  EXPECT_NEAR(run.long_es, long_exact, 4.0 * run.long_estimate.standard_error);
  EXPECT_NEAR(run.short_es, short_exact, 4.0 * run.short_estimate.standard_error);
  // The backend's tail is the mean of the 1,000 worst of 100,000 (SPEC §3).
  EXPECT_NEAR(run.long_es, run.long_estimate.es, 1e-12 * run.long_es);
  EXPECT_NEAR(run.short_es, run.short_estimate.es, 1e-12 * run.short_es);
  // Lognormal skew: the short side loses more than the long side can.
  EXPECT_GT(short_exact, long_exact);
  // Standard errors near 0.4% of ES: the checks above are tight.
  EXPECT_LT(run.long_estimate.standard_error, 0.01 * long_exact);
}

TEST(MonteCarlo, StudentTEsExceedsTheNormalAndMatchesANumericalIntegral) {
  const History history = future_history();
  const std::string common =
      "\"count\": 100000, \"mpor_days\": 2, \"seed\": 7, \"covariance\": {\"window_days\": 250}";
  const FutureRun normal = run_future_book(history, "{" + common + "}");
  constexpr double kNu = 5.0;
  const FutureRun student =
      run_future_book(history, "{" + common + ", \"distribution\": \"student_t\", \"nu\": 5}");

  // X = c T with T ~ t_ν and c = s √((ν − 2)/ν) (unit variance times s). The
  // long loss S0(1 − e^{cT}) is beyond VaR where T < −t_α:
  // ES = S0/(1 − α) ∫_{−∞}^{−t_α} (1 − e^{ct}) f_ν(t) dt.
  const double s = std::sqrt(kMpor * daily_variance(history));
  const double c = s * std::sqrt((kNu - 2.0) / kNu);
  const boost::math::students_t_distribution<double> t(kNu);
  const double t_alpha = boost::math::quantile(t, kConfidence);
  auto integrand = [&](double x) { return (1.0 - std::exp(c * x)) * boost::math::pdf(t, x); };
  const double integral = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
      integrand, -std::numeric_limits<double>::infinity(), -t_alpha, 15, 1e-13);
  const double exact = kSpot * integral / (1.0 - kConfidence);

  EXPECT_NEAR(student.long_es, exact, 4.0 * student.long_estimate.standard_error);
  const double apart =
      std::hypot(student.long_estimate.standard_error, normal.long_estimate.standard_error);
  EXPECT_GT(student.long_es - normal.long_es, 4.0 * apart)
      << "t " << student.long_es << " normal " << normal.long_es;
}

// --- Covariance of the exported moves --------------------------------------

History three_underlyings(std::size_t window) {
  // BB and CC lean on AA, so the covariance has off-diagonal terms; AA and CC
  // carry implied vols.
  const std::vector<double> a = returns(1, window, 0.02), b0 = returns(2, window, 0.01),
                            c0 = returns(3, window, 0.03), va = returns(4, window, 0.01),
                            vc = returns(5, window, 0.005);
  std::vector<double> b(window), c(window), vol_a{0.3}, vol_c{0.25};
  for (std::size_t t = 0; t < window; ++t) {
    b[t] = 0.5 * a[t] + b0[t];
    c[t] = -0.8 * a[t] + c0[t];
    vol_a.push_back(vol_a.back() - 0.3 * a[t] + va[t]);
    vol_c.push_back(vol_c.back() + vc[t]);
  }
  return test::history_from_returns({"AA", "BB", "CC"}, {a, b, c}, {vol_a, {}, vol_c});
}

void expect_exported_covariance(const std::string& label, const std::optional<double> lambda) {
  constexpr std::size_t kWindowDays = 300, kCount = 100000;
  constexpr int kHorizon = 5;
  const History history = three_underlyings(kWindowDays);
  MonteCarloSource source;
  source.count = kCount;
  source.mpor_days = kHorizon;
  source.seed = 2024;
  source.window_days = kWindowDays;
  source.ewma_lambda = lambda;
  test::TempDir dir;
  write_scenario_file(dir.file("mc.csv"), generate_monte_carlo(history, source));
  const ScenarioSet set = read_scenario_file(dir.file("mc.csv"), {"AA", "BB", "CC"});

  // Exported moves: log price factors, then vol shifts (AA, CC).
  std::vector<std::vector<double>> moves(5, std::vector<double>(kCount));
  for (std::size_t s = 0; s < kCount; ++s) {
    for (std::size_t u = 0; u < 3; ++u) moves[u][s] = std::log(set.price_factor[u * kCount + s]);
    moves[3][s] = set.vol_shift[0 * kCount + s];
    moves[4][s] = set.vol_shift[2 * kCount + s];
  }
  const std::vector<std::vector<double>> daily = daily_factors(history, kWindowDays);
  ASSERT_EQ(daily.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      auto sigma = [&](std::size_t a, std::size_t b) {
        return lambda ? ewma_cov(daily[a], daily[b], *lambda) : covariance(daily[a], daily[b]);
      };
      // Sampling error of a normal sample covariance: √((Σii Σjj + Σij²)/N).
      const double se =
          kHorizon * std::sqrt((sigma(i, i) * sigma(j, j) + sigma(i, j) * sigma(i, j)) /
                               static_cast<double>(kCount));
      EXPECT_NEAR(covariance(moves[i], moves[j]), kHorizon * sigma(i, j), 4.0 * se)
          << label << " factors " << i << "," << j;
    }
  }
}

TEST(MonteCarlo, ExportedMovesHaveCovarianceHTimesTheSampleCovariance) {
  expect_exported_covariance("sample", std::nullopt);
}

TEST(MonteCarlo, ExportedMovesHaveCovarianceHTimesTheEwmaCovariance) {
  expect_exported_covariance("ewma", 0.94);
}

// --- Order of draws ---------------------------------------------------------

TEST(MonteCarlo, ScenarioSTakesItsBlockOfTheStreamInTheDocumentedOrder) {
  const History history =
      test::history_from_returns({"AA", "BB"}, {returns(21, 50, 0.02), returns(22, 50, 0.01)});
  MonteCarloSource source;
  source.count = 1000;
  source.mpor_days = 3;
  source.seed = 5;
  source.window_days = 50;
  const std::vector<std::vector<double>> daily = daily_factors(history, 50);
  // 2×2 Cholesky by hand.
  const double l00 = std::sqrt(covariance(daily[0], daily[0]));
  const double l10 = covariance(daily[0], daily[1]) / l00;
  const double l11 = std::sqrt(covariance(daily[1], daily[1]) - l10 * l10);
  const double root_h = std::sqrt(3.0);

  for (const bool student : {false, true}) {
    source.distribution = student ? McDistribution::student_t : McDistribution::normal;
    source.nu = 4.5;
    const ScenarioSet set = generate_monte_carlo(history, source);
    // Two factors: blocks of 2 normals (normal), or 2 + the χ² normal + a pad (t).
    const std::size_t block = student ? 4 : 2;
    std::vector<double> z(block * 1000);
    PhiloxNormals(5).next(z.data(), z.size());
    for (const std::size_t s :
         {std::size_t{0}, std::size_t{1}, std::size_t{517}, std::size_t{999}}) {
      const double* mine = &z[block * s];
      double scale = 1.0;
      if (student) {
        // χ²_ν at the probability of the block's third normal, by Boost.
        const double p = 0.5 * std::erfc(-mine[2] / std::sqrt(2.0));
        const double q = 0.5 * std::erfc(mine[2] / std::sqrt(2.0));
        const double chi2 = 2.0 * (mine[2] < 0 ? boost::math::gamma_p_inv(2.25, p)
                                               : boost::math::gamma_q_inv(2.25, q));
        scale = std::sqrt((4.5 - 2.0) / chi2);
      }
      const double x0 = scale * root_h * l00 * mine[0];
      const double x1 = scale * root_h * (l10 * mine[0] + l11 * mine[1]);
      EXPECT_NEAR(set.price_factor[0 * 1000 + s], std::exp(x0), 1e-12) << student << " " << s;
      EXPECT_NEAR(set.price_factor[1 * 1000 + s], std::exp(x1), 1e-12) << student << " " << s;
    }
  }
}

// --- Reproducibility and bookkeeping ----------------------------------------

std::string scenario_bytes(const ScenarioSet& set) {
  test::TempDir dir;
  write_scenario_file(dir.file("s.csv"), set);
  return test::read_text(dir.file("s.csv"));
}

TEST(MonteCarlo, SameSeedSameBytesWhateverTheThreads) {
  const History history = three_underlyings(120);
  MonteCarloSource source;
  source.count = 5000;
  source.window_days = 120;
  source.distribution = McDistribution::student_t;
  const std::string first = scenario_bytes(generate_monte_carlo(history, source));
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::string one_thread = scenario_bytes(generate_monte_carlo(history, source));
  omp_set_num_threads(3);
  const std::string three_threads = scenario_bytes(generate_monte_carlo(history, source));
  omp_set_num_threads(threads);
  EXPECT_EQ(first, one_thread);
  EXPECT_EQ(first, three_threads);
  source.seed += 1;
  EXPECT_NE(first, scenario_bytes(generate_monte_carlo(history, source)));
}

TEST(MonteCarlo, LabelsWeightsHorizonAndVolFactors) {
  const History history = three_underlyings(60);
  MonteCarloSource source;
  source.count = 3;
  source.mpor_days = 4;
  source.window_days = 60;
  const ScenarioSet set = generate_monte_carlo(history, source);
  EXPECT_EQ(set.label, (std::vector<std::string>{"mc#000000", "mc#000001", "mc#000002"}));
  EXPECT_EQ(set.source, std::vector<std::string>(3, "monte_carlo"));
  EXPECT_EQ(set.weight, std::vector<double>(3, 1.0 / 3.0));
  EXPECT_EQ(set.horizon_days, std::vector<double>(3, 4.0));
  EXPECT_EQ(set.vol_moves, (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_NE(set.vol_shift[0], 0.0);
  EXPECT_EQ(set.vol_shift[1 * 3 + 0], 0.0);

  source.vol_factors = false;
  const ScenarioSet prices_only = generate_monte_carlo(history, source);
  EXPECT_EQ(prices_only.vol_moves, (std::vector<std::uint8_t>{0, 0, 0}));
  EXPECT_EQ(prices_only.vol_shift, std::vector<double>(9, 0.0));
}

TEST(MonteCarlo, AFlatUnderlyingNeverMovesAndACopyMovesWithItsTwin) {
  const std::vector<double> r = returns(8, 80, 0.02);
  const History history =
      test::history_from_returns({"AA", "FLAT", "TWIN"}, {r, std::vector<double>(80, 0.0), r});
  MonteCarloSource source;
  source.count = 2000;
  source.window_days = 80;
  const ScenarioSet set = generate_monte_carlo(history, source);
  for (std::size_t s = 0; s < 2000; ++s) {
    ASSERT_EQ(set.price_factor[1 * 2000 + s], 1.0) << s;
    ASSERT_NEAR(set.price_factor[2 * 2000 + s], set.price_factor[s], 1e-14) << s;
  }
}

TEST(MonteCarlo, AMillionDrawsAreAllowed) {
  MonteCarloSource source;
  source.count = kMaxMonteCarloCount;
  source.window_days = 20;
  const ScenarioSet set =
      generate_monte_carlo(test::history_from_returns({"AA"}, {returns(9, 20, 0.01)}), source);
  ASSERT_EQ(set.count(), 1000000u);
  EXPECT_EQ(set.label.back(), "mc#999999");
}

}  // namespace
}  // namespace xm
