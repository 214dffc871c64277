#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cuda_check.cuh"
#include "device_pool.cuh"
#include "xmargin/kernel/monte_carlo_tile.hpp"
#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm::cuda_detail {

// `host` copied into a buffer carved from `pool` (null when empty), ordered on
// `stream`: the host vector must stay unchanged until the stream is synchronised.
template <typename T>
T* upload_array(DevicePool& pool, const std::vector<T>& host, cudaStream_t stream) {
  T* device = pool.carve<T>(host.size());
  if (!host.empty()) {
    XM_CUDA_TRY(cudaMemcpyAsync(device, host.data(), host.size() * sizeof(T),
                                cudaMemcpyHostToDevice, stream));
  }
  return device;
}

// The book and the scenario shocks in device memory, resident for a whole run
// (carved from the run's pool in the order kernel::resident_device_bytes
// counts them), with the views the kernels take.
struct DeviceInputs {
  UnderlyingsView underlyings{};
  InstrumentsView instruments{};
  ScenariosView scenarios{};
  PortfoliosView portfolios{};
  const double* weight = nullptr;
  // [3]: unit P&L, portfolio P&L, Monte Carlo draw out of bounds
  unsigned long long* first_non_finite = nullptr;
  // The Monte Carlo draws the device makes itself (has_monte_carlo).
  bool has_monte_carlo = false;
  std::uint64_t monte_carlo_seed = 0;
  kernel::McScaleLaunch monte_carlo_scale{};
  kernel::McMovesLaunch monte_carlo_moves{};
  double* monte_carlo_normals = nullptr;

  // Copies ordered on stream: the host arrays must stay unchanged until the
  // stream is synchronised.
  static DeviceInputs upload(DevicePool& pool, const PackedBook& book, const ScenarioSet& scenarios,
                             cudaStream_t stream) {
    DeviceInputs d;
    d.underlyings = {
        copy(pool, book.spot, stream),
        copy(pool, book.rate, stream),
        copy(pool, book.dividend_yield, stream),
        {copy(pool, book.surface_shape, stream), copy(pool, book.surface_expiry_years, stream),
         copy(pool, book.surface_moneyness, stream), copy(pool, book.surface_vols, stream)}};
    d.instruments = {book.instrument_count(),
                     copy(pool, book.terms, stream),
                     copy(pool, book.underlying, stream),
                     copy(pool, book.years_to_expiry, stream),
                     copy(pool, book.vol_annual, stream),
                     copy(pool, book.base_value, stream),
                     copy(pool, book.vol_rule, stream),
                     copy(pool, book.days_to_expiry, stream),
                     copy(pool, book.moneyness_strike, stream)};
    d.portfolios = {book.portfolio_count(), copy(pool, book.row_offsets, stream),
                    copy(pool, book.entry_instrument, stream),
                    copy(pool, book.entry_weight, stream)};
    const std::size_t rows = scenarios.underlying_count();
    double* price_factor = copy_shocks(pool, scenarios, scenarios.price_factor, rows, stream);
    double* vol_shift = copy_shocks(pool, scenarios, scenarios.vol_shift, rows, stream);
    const std::uint8_t* vol_moves = copy(pool, scenarios.vol_moves, stream);
    const double* horizon_days = copy(pool, scenarios.horizon_days, stream);
    // An empty tenor_offsets carves nothing and stays null: no tenors.
    const std::int32_t* tenor_offsets = copy(pool, scenarios.tenor_offsets, stream);
    const double* tenor_days = copy(pool, scenarios.tenor_days, stream);
    double* tenor_shift =
        copy_shocks(pool, scenarios, scenarios.tenor_shift, scenarios.tenor_days.size(), stream);
    // Empty (no stress grid) carves nothing and stays null.
    const double* vol_term_power = copy(pool, scenarios.vol_term_power, stream);
    const double* vol_term_min_days = copy(pool, scenarios.vol_term_min_days, stream);
    d.scenarios = {scenarios.count(), price_factor, vol_shift,   vol_moves,      horizon_days,
                   tenor_offsets,     tenor_days,   tenor_shift, vol_term_power, vol_term_min_days};
    d.weight = copy(pool, scenarios.weight, stream);
    d.first_non_finite = pool.carve<unsigned long long>(3);
    // All bits set is kernel::kNoNonFinite: nothing seen yet.
    XM_CUDA_TRY(cudaMemsetAsync(d.first_non_finite, 0xff, 3 * sizeof(unsigned long long), stream));
    if (scenarios.monte_carlo) {
      d.describe_monte_carlo(pool, scenarios, price_factor, vol_shift, tenor_shift, stream);
    }
    return d;
  }

 private:
  // A shock array [U × N]. The columns of Monte Carlo draws are not copied:
  // the device draws them. Every underlying has a price factor, so those
  // columns are all drawn; vol shifts are zeroed first for underlyings whose
  // vol no factor moves.
  static double* copy_shocks(DevicePool& pool, const ScenarioSet& scenarios,
                             const std::vector<double>& host, std::size_t rows,
                             cudaStream_t stream) {
    double* device = pool.carve<double>(host.size());
    const std::size_t n = scenarios.count();
    const std::size_t first = scenarios.monte_carlo ? scenarios.monte_carlo->first : n;
    const std::size_t end = scenarios.monte_carlo ? first + scenarios.monte_carlo->count : n;
    const std::size_t pitch = n * sizeof(double);
    if (rows == 0 || n == 0) return device;
    if (first > 0) {
      XM_CUDA_TRY(cudaMemcpy2DAsync(device, pitch, host.data(), pitch, first * sizeof(double), rows,
                                    cudaMemcpyHostToDevice, stream));
    }
    if (end < n) {
      XM_CUDA_TRY(cudaMemcpy2DAsync(device + end, pitch, host.data() + end, pitch,
                                    (n - end) * sizeof(double), rows, cudaMemcpyHostToDevice,
                                    stream));
    }
    if (end > first) {
      XM_CUDA_TRY(cudaMemset2DAsync(device + first, pitch, 0, (end - first) * sizeof(double), rows,
                                    stream));
    }
    return device;
  }

  void describe_monte_carlo(DevicePool& pool, const ScenarioSet& scenarios, double* price_factor,
                            double* vol_shift, double* tenor_shift, cudaStream_t stream) {
    const MonteCarloDraws& mc = *scenarios.monte_carlo;
    has_monte_carlo = true;
    monte_carlo_seed = mc.seed;
    monte_carlo_normals = pool.carve<double>(mc.count * mc.normals_per_scenario);
    double* scale = mc.student_t ? pool.carve<double>(mc.count) : nullptr;
    monte_carlo_scale = {monte_carlo_normals,     mc.count, mc.factors,
                         mc.normals_per_scenario, mc.nu,    scale};
    const double* root = copy(pool, mc.root, stream);
    const std::int32_t* factor_underlying = copy(pool, mc.factor_underlying, stream);
    const std::int32_t* factor_target = copy(pool, mc.factor_target, stream);
    monte_carlo_moves = {root,
                         mc.factors,
                         mc.normals_per_scenario,
                         monte_carlo_normals,
                         scale,
                         factor_underlying,
                         factor_target,
                         mc.first,
                         mc.count,
                         scenarios.count(),
                         price_factor,
                         vol_shift,
                         this->scenarios.tenor_offsets,
                         tenor_shift,
                         first_non_finite + 2};
  }

  template <typename T>
  static const T* copy(DevicePool& pool, const std::vector<T>& host, cudaStream_t stream) {
    return upload_array(pool, host, stream);
  }
};

}  // namespace xm::cuda_detail
