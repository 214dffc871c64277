#include "xmargin/monte_carlo.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/number_format.hpp"
#include "scenarios/philox_normals.hpp"
#include "xmargin/factor_model.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/vol_tenors.hpp"

namespace xm {
namespace {

// Normals drawn per call of the generator (32 MiB): few enough calls that
// starting the threads for each costs nothing, and a bounded buffer whatever
// the count.
constexpr std::size_t kBatchNormals = std::size_t{1} << 22;

std::string draw_label(std::size_t draw) {
  char text[32];
  std::snprintf(text, sizeof text, "mc#%06zu", draw);
  return text;
}

}  // namespace

MonteCarloModel monte_carlo_model(const History& history, const MonteCarloSource& source) {
  MonteCarloModel model;
  check_monte_carlo_size(history, source);
  model.factors = factor_moves(history, source.window_days, source.vol_factors);
  const std::vector<double> covariance = source.ewma_lambda
                                             ? ewma_covariance(model.factors, *source.ewma_lambda)
                                             : sample_covariance(model.factors);
  // Σ is positive semi-definite by construction: only rounding beyond the
  // tolerance, in an extreme window or λ, can make it fail.
  const std::string made =
      "it is the " +
      (source.ewma_lambda ? "EWMA (covariance.lambda " + format_double(*source.ewma_lambda) + ")"
                          : std::string("sample")) +
      " covariance of the last covariance.window_days " + std::to_string(source.window_days) +
      " daily moves of " + history.path +
      "; a longer window_days or a lambda nearer 1 gives a "
      "better-conditioned one";
  model.root = cholesky_lower(covariance, model.factors.names, source.spot, made);
  const double horizon_scale = std::sqrt(static_cast<double>(source.mpor_days));
  for (double& entry : model.root) entry *= horizon_scale;
  model.normals_per_scenario =
      normals_per_scenario(model.factors.count(), source.distribution == McDistribution::student_t);
  return model;
}

ScenarioSet generate_monte_carlo(const History& history, const MonteCarloSource& source,
                                 bool draw_on_host) {
  const MonteCarloModel model = monte_carlo_model(history, source);
  const FactorMoves& factors = model.factors;
  const std::vector<double>& root = model.root;
  const std::size_t dimension = factors.count();
  const std::size_t count = static_cast<std::size_t>(source.count);
  const std::size_t underlyings = history.series.size();
  const bool student_t = source.distribution == McDistribution::student_t;
  const std::size_t stride = model.normals_per_scenario;
  constexpr std::size_t kNoVol = std::numeric_limits<std::size_t>::max();

  ScenarioSet set;
  for (std::size_t u = 0; u < underlyings; ++u) {
    set.underlying_ids.push_back(history.series[u].underlying);
    set.vol_moves.push_back(factors.vol_factor[u] == kNoVol ? 0 : 1);
  }
  set.price_factor.assign(underlyings * count, 1.0);
  set.vol_shift.assign(underlyings * count, 0.0);
  set.horizon_days.assign(count, static_cast<double>(source.mpor_days));
  set.weight.assign(count, 1.0 / static_cast<double>(count));
  set.source.assign(count, "monte_carlo");
  set.label.reserve(count);
  for (std::size_t s = 0; s < count; ++s) set.label.push_back(draw_label(s));
  lay_out_vol_tenors(set, history);

  MonteCarloDraws& draws = set.monte_carlo.emplace();
  draws.count = count;
  draws.seed = source.seed;
  draws.student_t = student_t;
  draws.nu = source.nu;
  draws.factors = dimension;
  draws.normals_per_scenario = stride;
  draws.root = root;
  draws.factor_underlying.assign(dimension, -1);
  draws.factor_target.assign(dimension, MonteCarloDraws::kMovesPrice);
  for (std::size_t u = 0; u < underlyings; ++u) {
    const auto underlying = static_cast<std::int32_t>(u);
    draws.factor_underlying[u] = underlying;  // price factors come first
    if (factors.vol_factor[u] != kNoVol) {
      draws.factor_underlying[factors.vol_factor[u]] = underlying;
      draws.factor_target[factors.vol_factor[u]] = MonteCarloDraws::kMovesVol;
    }
    for (std::size_t k = 0; k < factors.tenor_factor[u].size(); ++k) {
      draws.factor_underlying[factors.tenor_factor[u][k]] = underlying;
      draws.factor_target[factors.tenor_factor[u][k]] = static_cast<std::int32_t>(k);
    }
  }
  draws.drawn_on_host = draw_on_host;
  if (!draw_on_host) return set;

  PhiloxNormals normals(source.seed);
  const std::size_t batch_scenarios =
      std::min(count, std::max<std::size_t>(1, kBatchNormals / std::max<std::size_t>(stride, 1)));
  std::vector<double> batch(batch_scenarios * stride);
  for (std::size_t first = 0; first < count; first += batch_scenarios) {
    const std::size_t drawn = std::min(batch_scenarios, count - first);
    normals.next(batch.data(), drawn * stride);
    // Each scenario depends only on its own normals, so the threads' split
    // changes nothing in the result.
#pragma omp parallel
    {
      std::vector<double> moves(dimension);
#pragma omp for schedule(static)
      for (std::size_t s = 0; s < drawn; ++s) {
        const double* z = batch.data() + s * stride;
        const double scale = student_t ? student_t_scale(source.nu, z[dimension]) : 1.0;
        monte_carlo_factor_moves(root.data(), dimension, z, scale, moves.data());
        const std::size_t scenario = first + s;
        for (std::size_t u = 0; u < underlyings; ++u) {
          set.price_factor[u * count + scenario] = monte_carlo_price_factor(moves[u]);
          if (factors.vol_factor[u] != kNoVol) {
            set.vol_shift[u * count + scenario] = moves[factors.vol_factor[u]];
          }
          for (std::size_t k = 0; k < factors.tenor_factor[u].size(); ++k) {
            const auto row = static_cast<std::size_t>(set.tenor_offsets[u]) + k;
            set.tenor_shift[row * count + scenario] = moves[factors.tenor_factor[u][k]];
          }
        }
      }
    }
  }
  return set;
}

}  // namespace xm
