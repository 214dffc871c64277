#include "factor_model.hpp"

#include <algorithm>
#include <cmath>

#include "calendar.hpp"
#include "portable_math.hpp"
#include "rng.hpp"
#include "text.hpp"
#include "usage_error.hpp"

namespace make_book {

namespace {

constexpr std::size_t kBlockDays = 20;
constexpr double kPullPerDay = 0.00275;  // ln 2 / 252
constexpr std::int64_t kScaleLoPerMille = 750;
constexpr std::int64_t kScaleHiPerMille = 1250;
constexpr double kAnchorLow = 10.0;
constexpr double kAnchorRange = 25.0;  // anchors span [$10, $10 * 25]
constexpr std::int64_t kAnchorSteps = 10000;
constexpr std::uint64_t kFactorStream = 3;
constexpr std::uint64_t kUnderlyingStream = 1000;  // + the underlying's index
constexpr double kPriceUnits = 10000.0;            // 10^kPriceDecimals per currency unit
constexpr double kVolUnits = 10000.0;              // 10^kVolDecimals

// `count` indices into `days` real days, in runs of kBlockDays consecutive days, each run
// starting on a uniformly drawn day.
std::vector<std::size_t> block_bootstrap(Rng& rng, std::size_t days, std::size_t count) {
  const std::size_t block = std::min(kBlockDays, days);
  std::vector<std::size_t> out;
  out.reserve(count);
  while (out.size() < count) {
    const std::size_t start = rng.index(days - block + 1);
    for (std::size_t k = 0; k < block && out.size() < count; ++k) out.push_back(start + k);
  }
  return out;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double mean_square(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) {
    const double x2 = x * x;
    sum += x2;
  }
  return sum / static_cast<double>(v.size());
}

}  // namespace

FactorModel fit_factor_model(const History& h) {
  FactorModel model;
  model.ids = h.ids;
  const std::size_t stocks = h.ids.size();
  std::vector<std::vector<double>> returns;  // [series][day], day d = row d+1 over row d
  for (const auto& prices : h.prices) {
    std::vector<double> r = log_returns(prices);
    r.erase(r.begin());
    returns.push_back(std::move(r));
  }
  const std::size_t days = returns[0].size();
  std::vector<double> market(days, 0.0);
  for (std::size_t d = 0; d < days; ++d) {
    for (std::size_t i = 0; i < stocks; ++i) market[d] += returns[i][d];
    market[d] /= static_cast<double>(stocks);
  }
  const double market_mean = mean_of(market);
  model.factor.resize(days);
  for (std::size_t d = 0; d < days; ++d) model.factor[d] = market[d] - market_mean;
  const double factor_variance = mean_square(model.factor);
  if (!(factor_variance > 0.0)) throw UsageError("history: the prices never move");
  model.factor_vol = std::sqrt(factor_variance);

  for (std::size_t i = 0; i < stocks; ++i) {
    const double mean = mean_of(returns[i]);
    double covariance = 0.0;
    for (std::size_t d = 0; d < days; ++d) {
      const double centred = returns[i][d] - mean;
      const double product = centred * model.factor[d];
      covariance += product;
    }
    covariance /= static_cast<double>(days);
    const double beta = covariance / factor_variance;
    std::vector<double> e(days);
    for (std::size_t d = 0; d < days; ++d) {
      const double centred = returns[i][d] - mean;
      const double explained = beta * model.factor[d];
      e[d] = centred - explained;
    }
    model.beta.push_back(beta);
    model.idio_vol.push_back(std::sqrt(mean_square(e)));
    model.residual.push_back(std::move(e));
  }
  return model;
}

SyntheticHistory simulate_history(const FactorModel& model, std::size_t underlyings,
                                  std::size_t rows, std::int64_t last_date, std::uint64_t seed) {
  SyntheticHistory h;
  h.dates = weekdays_ending(last_date, rows);
  const std::size_t width = std::max<std::size_t>(3, decimal_width(underlyings));
  Rng factor_rng(stream_seed(seed, kFactorStream));
  const std::vector<std::size_t> market_days = block_bootstrap(factor_rng, model.days(), rows - 1);
  const double log_low = portable_log(kAnchorLow);
  const double log_range = portable_log(kAnchorRange);
  const auto to_units = [](double log_price) {
    const double price = portable_exp(log_price);
    const double units = price * kPriceUnits;
    return std::max<std::int64_t>(1, std::llround(units));
  };

  for (std::size_t j = 0; j < underlyings; ++j) {
    h.ids.push_back("U" + padded(j + 1, width));
    Rng rng(stream_seed(seed, kUnderlyingStream + j));
    const std::size_t k = rng.index(model.ids.size());
    const std::int64_t beta_per_mille = rng.between(kScaleLoPerMille, kScaleHiPerMille);
    const std::int64_t scale_per_mille = rng.between(kScaleLoPerMille, kScaleHiPerMille);
    const std::int64_t anchor_step = rng.between(0, kAnchorSteps - 1);
    const std::vector<std::size_t> own_days = block_bootstrap(rng, model.days(), rows - 1);

    const double beta = model.beta[k] * (static_cast<double>(beta_per_mille) / 1000.0);
    const double scale = static_cast<double>(scale_per_mille) / 1000.0;
    const double anchor_fraction =
        static_cast<double>(anchor_step) / static_cast<double>(kAnchorSteps);
    const double anchor_spread = anchor_fraction * log_range;
    const double anchor = log_low + anchor_spread;
    const std::vector<double>& residual = model.residual[k];

    std::vector<double> x(rows, 0.0);
    std::vector<std::int64_t> units(rows);
    double level = anchor;
    units[0] = to_units(level);
    for (std::size_t t = 1; t < rows; ++t) {
      const double market = beta * model.factor[market_days[t - 1]];
      const double own = scale * residual[own_days[t - 1]];
      const double gap = level - anchor;
      const double pull = kPullPerDay * gap;
      const double move = market + own;
      x[t] = move - pull;
      level += x[t];
      units[t] = to_units(level);
    }
    const std::vector<double> vol = ewma_vol(x);
    std::vector<std::int64_t> vol_bp(rows);
    for (std::size_t t = 0; t < rows; ++t) vol_bp[t] = std::llround(vol[t] * kVolUnits);

    h.price_units.push_back(std::move(units));
    h.vol_bp.push_back(std::move(vol_bp));
    h.templates.push_back(k);
    h.betas.push_back(beta);
  }
  return h;
}

std::string history_csv(const SyntheticHistory& h) {
  const std::size_t rows = h.dates.size();
  std::string s = "date";
  for (const std::string& id : h.ids) s += "," + id;
  for (const std::string& id : h.ids) s += "," + id + ".vol";
  s += "\n";
  s.reserve(s.size() + rows * (11 + h.ids.size() * 16));
  for (std::size_t r = 0; r < rows; ++r) {
    s += format_date(h.dates[r]);
    for (const auto& units : h.price_units) {
      s += ',';
      append_scaled(s, units[r], kPriceDecimals);
    }
    for (const auto& vol : h.vol_bp) {
      s += ',';
      append_scaled(s, vol[r], kVolDecimals);
    }
    s += '\n';
  }
  return s;
}

}  // namespace make_book
