#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "chunk_plan.cuh"
#include "device_buffer.cuh"
#include "xmargin/packed_book.hpp"
#include "xmargin/scenario_set.hpp"
#include "xmargin/views.hpp"

namespace xm::cuda_detail {

// The book and the scenario shocks in device memory, resident for a whole run,
// with the views the kernels take.
struct DeviceInputs {
  DeviceBuffer<double> spot, rate, dividend_yield;
  DeviceBuffer<ContractTerms> terms;
  DeviceBuffer<std::int32_t> underlying;
  DeviceBuffer<double> years_to_expiry, vol_annual, base_value;
  DeviceBuffer<std::int64_t> row_offsets;
  DeviceBuffer<std::int32_t> entry_instrument;
  DeviceBuffer<double> entry_weight;
  DeviceBuffer<double> price_factor, vol_shift;
  DeviceBuffer<std::uint8_t> vol_moves;
  DeviceBuffer<double> horizon_days, weight;
  std::size_t instrument_count = 0;
  std::size_t portfolio_count = 0;
  std::size_t scenario_count = 0;

  // Device bytes that upload() allocates, counting cudaMalloc's rounding.
  static std::size_t bytes_needed(const PackedBook& book, const ScenarioSet& scenarios) {
    std::size_t bytes = 0;
    const auto add = [&bytes](const auto& host) {
      using T = typename std::decay_t<decltype(host)>::value_type;
      if (!host.empty()) {
        bytes = plan_detail::sum(
            bytes, plan_detail::allocation(plan_detail::product(host.size(), sizeof(T))));
      }
    };
    add(book.spot);
    add(book.rate);
    add(book.dividend_yield);
    add(book.terms);
    add(book.underlying);
    add(book.years_to_expiry);
    add(book.vol_annual);
    add(book.base_value);
    add(book.row_offsets);
    add(book.entry_instrument);
    add(book.entry_weight);
    add(scenarios.price_factor);
    add(scenarios.vol_shift);
    add(scenarios.vol_moves);
    add(scenarios.horizon_days);
    add(scenarios.weight);
    return bytes;
  }

  // Copies ordered on stream: the host arrays must stay unchanged until the
  // stream is synchronised.
  static DeviceInputs upload(const PackedBook& book, const ScenarioSet& scenarios,
                             cudaStream_t stream) {
    DeviceInputs d;
    d.spot = upload_vector(book.spot, stream);
    d.rate = upload_vector(book.rate, stream);
    d.dividend_yield = upload_vector(book.dividend_yield, stream);
    d.terms = upload_vector(book.terms, stream);
    d.underlying = upload_vector(book.underlying, stream);
    d.years_to_expiry = upload_vector(book.years_to_expiry, stream);
    d.vol_annual = upload_vector(book.vol_annual, stream);
    d.base_value = upload_vector(book.base_value, stream);
    d.row_offsets = upload_vector(book.row_offsets, stream);
    d.entry_instrument = upload_vector(book.entry_instrument, stream);
    d.entry_weight = upload_vector(book.entry_weight, stream);
    d.price_factor = upload_vector(scenarios.price_factor, stream);
    d.vol_shift = upload_vector(scenarios.vol_shift, stream);
    d.vol_moves = upload_vector(scenarios.vol_moves, stream);
    d.horizon_days = upload_vector(scenarios.horizon_days, stream);
    d.weight = upload_vector(scenarios.weight, stream);
    d.instrument_count = book.instrument_count();
    d.portfolio_count = book.portfolio_count();
    d.scenario_count = scenarios.count();
    return d;
  }

  UnderlyingsView underlyings() const { return {spot.data(), rate.data(), dividend_yield.data()}; }
  InstrumentsView instruments() const {
    return {instrument_count,       terms.data(),      underlying.data(),
            years_to_expiry.data(), vol_annual.data(), base_value.data()};
  }
  ScenariosView scenarios() const {
    return {scenario_count, price_factor.data(), vol_shift.data(), vol_moves.data(),
            horizon_days.data()};
  }
  PortfoliosView portfolios() const {
    return {portfolio_count, row_offsets.data(), entry_instrument.data(), entry_weight.data()};
  }
};

}  // namespace xm::cuda_detail
