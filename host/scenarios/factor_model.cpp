#include "xmargin/factor_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/number_format.hpp"
#include "xmargin/error.hpp"

namespace xm {

std::size_t monte_carlo_factor_count(const History& history, bool vol_factors) {
  std::size_t count = history.series.size();
  if (!vol_factors) return count;
  for (const HistorySeries& series : history.series) {
    count += series.tenor_vols.empty() ? (series.vols.empty() ? 0 : 1) : series.tenor_vols.size();
  }
  return count;
}

void check_monte_carlo_size(const History& history, const MonteCarloSource& source) {
  const std::size_t factors = monte_carlo_factor_count(history, source.vol_factors);
  if (factors <= kMaxMonteCarloFactors) return;
  const std::size_t prices = history.series.size();
  source.spot.fail("scenarios.monte_carlo: the book's " + std::to_string(prices) +
                   " underlyings give " + std::to_string(factors) + " factors (" +
                   std::to_string(prices) + " prices and " + std::to_string(factors - prices) +
                   " vols and tenor vols of " + history.path + "), more than the " +
                   std::to_string(kMaxMonteCarloFactors) +
                   " a Monte Carlo model takes: its covariance grows with the square of the "
                   "factors and its factorisation with the cube" +
                   (factors - prices > 0 ? "; \"vol_factors\": false leaves the vols out" : ""));
}

FactorMoves factor_moves(const History& history, int window_days, bool vol_factors) {
  const std::size_t rows = history.dates.size();
  const auto window = static_cast<std::size_t>(window_days);
  if (rows < window + 1) {
    throw InputError(history.path, 0, 0,
                     "history has " + std::to_string(rows) +
                         " rows; monte_carlo covariance window_days " + std::to_string(window) +
                         " needs at least " + std::to_string(window + 1));
  }
  FactorMoves factors;
  factors.window = window;
  factors.price_factors = history.series.size();
  factors.vol_factor.assign(history.series.size(), std::numeric_limits<std::size_t>::max());
  factors.tenor_factor.resize(history.series.size());
  const std::size_t first = rows - window;  // the row of the oldest return's end
  for (const HistorySeries& series : history.series) {
    factors.names.push_back(series.underlying);
    for (std::size_t t = first; t < rows; ++t) {
      factors.moves.push_back(std::log(series.levels[t] / series.levels[t - 1]));
    }
  }
  if (!vol_factors) return factors;
  for (std::size_t u = 0; u < history.series.size(); ++u) {
    const HistorySeries& series = history.series[u];
    // Tenor columns replace the .vol column (SPEC §6): they get their factors below.
    if (series.vols.empty() || !series.tenor_vols.empty()) continue;
    factors.vol_factor[u] = factors.names.size();
    factors.names.push_back(series.underlying + ".vol");
    for (std::size_t t = first; t < rows; ++t) {
      factors.moves.push_back(series.vols[t] - series.vols[t - 1]);
    }
  }
  for (std::size_t u = 0; u < history.series.size(); ++u) {
    for (const VolTenorSeries& tenor : history.series[u].tenor_vols) {
      factors.tenor_factor[u].push_back(factors.names.size());
      factors.names.push_back(history.series[u].underlying + ".vol@" + std::to_string(tenor.days) +
                              "d");
      for (std::size_t t = first; t < rows; ++t) {
        factors.moves.push_back(tenor.vols[t] - tenor.vols[t - 1]);
      }
    }
  }
  return factors;
}

std::vector<double> ewma_weights(double lambda, std::size_t window) {
  // 1 − λ^W as −expm1(W ln λ): for λ near 1 and a short window, 1 − pow()
  // would cancel most of its digits.
  const double norm =
      (1.0 - lambda) / -std::expm1(static_cast<double>(window) * std::log1p(-(1.0 - lambda)));
  std::vector<double> weights(window);
  for (std::size_t k = 0; k < window; ++k) {
    weights[k] = norm * std::pow(lambda, static_cast<double>(k));
  }
  return weights;
}

std::vector<double> sample_covariance(const FactorMoves& factors) {
  const std::size_t d = factors.count(), w = factors.window;
  std::vector<double> deviation(factors.moves);
  for (std::size_t f = 0; f < d; ++f) {
    double sum = 0.0;
    for (std::size_t k = 0; k < w; ++k) sum += factors.moves[f * w + k];
    const double mean = sum / static_cast<double>(w);
    for (std::size_t k = 0; k < w; ++k) deviation[f * w + k] -= mean;
  }
  std::vector<double> covariance(d * d);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = 0.0;
      for (std::size_t k = 0; k < w; ++k) sum += deviation[i * w + k] * deviation[j * w + k];
      covariance[i * d + j] = covariance[j * d + i] = sum / static_cast<double>(w - 1);
    }
  }
  return covariance;
}

std::vector<double> ewma_covariance(const FactorMoves& factors, double lambda) {
  const std::size_t d = factors.count(), w = factors.window;
  const std::vector<double> weights = ewma_weights(lambda, w);  // newest first
  std::vector<double> covariance(d * d);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      // Oldest (smallest weight) first, so the small terms are not lost.
      double sum = 0.0;
      for (std::size_t k = 0; k < w; ++k) {
        sum += weights[w - 1 - k] * (factors.moves[i * w + k] * factors.moves[j * w + k]);
      }
      covariance[i * d + j] = covariance[j * d + i] = sum;
    }
  }
  return covariance;
}

std::vector<double> cholesky_lower(const std::vector<double>& covariance,
                                   const std::vector<std::string>& names, const ConfigSpot& spot,
                                   const std::string& cause) {
  const std::size_t d = names.size();
  auto not_psd = [&](std::size_t factor, const std::string& why) {
    spot.fail(
        "the covariance of the Monte Carlo factors is not positive semi-definite within "
        "rounding: factor '" +
        names[factor] + "' " + why + (cause.empty() ? "" : "; " + cause));
  };
  // Work on the correlation scale so that one tolerance fits factors of any
  // size (log returns and vol points); zero-variance factors stay zero.
  std::vector<double> scale(d);
  for (std::size_t i = 0; i < d; ++i) {
    const double variance = covariance[i * d + i];
    if (variance < 0.0) not_psd(i, "has variance " + format_double(variance));
    scale[i] = std::sqrt(variance);
  }
  std::vector<double> lower(d * d, 0.0);
  const double rounding =
      kPsdRoundingFactor * static_cast<double>(d) * std::numeric_limits<double>::epsilon();
  double smallest_pivot = 1.0;  // of the pivots kept so far
  for (std::size_t j = 0; j < d; ++j) {
    if (scale[j] == 0.0) {
      for (std::size_t i = 0; i < d; ++i) {
        if (covariance[i * d + j] != 0.0) {
          not_psd(j, "has zero variance but covariance " + format_double(covariance[i * d + j]) +
                         " with '" + names[i] + "'");
        }
      }
      continue;
    }
    const double tolerance = std::max(kPsdTolerance, rounding / smallest_pivot);
    double pivot = 1.0;
    for (std::size_t k = 0; k < j; ++k) pivot -= lower[j * d + k] * lower[j * d + k];
    if (pivot < -tolerance) {
      not_psd(j, "leaves a negative pivot " + format_double(pivot) +
                     " on the correlation scale (tolerance " + format_double(tolerance) + ")");
    }
    const bool spanned = pivot <= tolerance;
    const double diagonal = spanned ? 0.0 : std::sqrt(pivot);
    if (!spanned) smallest_pivot = std::min(smallest_pivot, pivot);
    lower[j * d + j] = diagonal;
    // For a PSD matrix a residual is at most √(pivot_i · pivot_j) ≤ √tolerance
    // when pivot_j is within the tolerance of zero.
    const double residual_limit = std::sqrt(tolerance);
    for (std::size_t i = j + 1; i < d; ++i) {
      if (scale[i] == 0.0) continue;
      double residual = covariance[i * d + j] / (scale[i] * scale[j]);
      for (std::size_t k = 0; k < j; ++k) residual -= lower[i * d + k] * lower[j * d + k];
      if (spanned) {
        if (std::fabs(residual) > residual_limit) {
          not_psd(j, "is spanned by the factors before it but keeps correlation " +
                         format_double(residual) + " with '" + names[i] + "'");
        }
        continue;
      }
      lower[i * d + j] = residual / diagonal;
    }
  }
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j <= i; ++j) lower[i * d + j] *= scale[i];
  }
  return lower;
}

}  // namespace xm
