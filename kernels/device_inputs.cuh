#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cuda_check.cuh"
#include "device_pool.cuh"
#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm::cuda_detail {

// The book and the scenario shocks in device memory, resident for a whole run
// (carved from the run's pool in the order kernel::resident_device_bytes
// counts them), with the views the kernels take.
struct DeviceInputs {
  UnderlyingsView underlyings{};
  InstrumentsView instruments{};
  ScenariosView scenarios{};
  PortfoliosView portfolios{};
  const double* weight = nullptr;
  unsigned long long* first_non_finite = nullptr;  // [2]: unit P&L, portfolio P&L

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
    const double* price_factor = copy(pool, scenarios.price_factor, stream);
    const double* vol_shift = copy(pool, scenarios.vol_shift, stream);
    const std::uint8_t* vol_moves = copy(pool, scenarios.vol_moves, stream);
    const double* horizon_days = copy(pool, scenarios.horizon_days, stream);
    // An empty tenor_offsets carves nothing and stays null: no tenors.
    const std::int32_t* tenor_offsets = copy(pool, scenarios.tenor_offsets, stream);
    const double* tenor_days = copy(pool, scenarios.tenor_days, stream);
    const double* tenor_shift = copy(pool, scenarios.tenor_shift, stream);
    d.scenarios = {scenarios.count(), price_factor,  vol_shift,  vol_moves,
                   horizon_days,      tenor_offsets, tenor_days, tenor_shift};
    d.weight = copy(pool, scenarios.weight, stream);
    d.first_non_finite = pool.carve<unsigned long long>(2);
    // All bits set is kernel::kNoNonFinite: nothing seen yet.
    XM_CUDA_TRY(cudaMemsetAsync(d.first_non_finite, 0xff, 2 * sizeof(unsigned long long), stream));
    return d;
  }

 private:
  template <typename T>
  static const T* copy(DevicePool& pool, const std::vector<T>& host, cudaStream_t stream) {
    T* device = pool.carve<T>(host.size());
    if (!host.empty()) {
      XM_CUDA_TRY(cudaMemcpyAsync(device, host.data(), host.size() * sizeof(T),
                                  cudaMemcpyHostToDevice, stream));
    }
    return device;
  }
};

}  // namespace xm::cuda_detail
