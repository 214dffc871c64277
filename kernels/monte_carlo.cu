#include <curand_kernel.h>

#include <algorithm>
#include <vector>

#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"

#include "cuda_check.cuh"
#include "launches.cuh"
#include "xmargin/kernel/device_plan.hpp"
#include "xmargin/monte_carlo.hpp"

namespace xm::cuda_detail {
namespace {

// Normal pairs of the stream from `seed`: pair p is normals 2p and 2p + 1,
// one Box–Muller pair of one Philox block (philox_normal_slot). Each thread
// starts its own Philox state at that block, so no state is shared or stored.
// This and the two launches below are the device-only part of Monte Carlo:
// the host emulation takes its normals from the host's Philox stream instead.
__global__ void __launch_bounds__(kernel::kMonteCarloThreads)
    normals_kernel(unsigned long long seed, std::size_t pairs, double* normals) {
  for (std::size_t pair = XM_GRID_THREAD_INDEX; pair < pairs; pair += XM_GRID_THREAD_COUNT) {
    const PhiloxNormalSlot slot = philox_normal_slot(2 * pair);
    curandStatePhilox4_32_10_t state;
    curand_init(seed, slot.subsequence, 4 * slot.counter, &state);
    const double2 pair_of_normals = curand_normal2_double(&state);
    normals[2 * pair] = pair_of_normals.x;  // sin: the even normal
    normals[2 * pair + 1] = pair_of_normals.y;
  }
}

__global__ void __launch_bounds__(kernel::kMonteCarloThreads)
    scale_kernel(kernel::McScaleLaunch launch) {
  for (std::size_t draw = XM_GRID_THREAD_INDEX; draw < launch.count; draw += XM_GRID_THREAD_COUNT) {
    kernel::mc_scale_item(launch, draw);
  }
}

__global__ void __launch_bounds__(kernel::kMonteCarloThreads)
    moves_kernel(kernel::McMovesLaunch launch) {
  const std::size_t items = launch.items();
  for (std::size_t item = XM_GRID_THREAD_INDEX; item < items; item += XM_GRID_THREAD_COUNT) {
    kernel::mc_moves_item(launch, item);
  }
}

}  // namespace

void launch_monte_carlo(std::uint64_t seed, const kernel::McScaleLaunch* scale,
                        const kernel::McMovesLaunch& moves, double* normals, int max_blocks,
                        cudaStream_t stream) {
  const std::size_t pairs = moves.count * moves.normals_per_scenario / 2;
  if (pairs == 0) return;
  normals_kernel<<<grid_blocks(pairs, kernel::kMonteCarloThreads, max_blocks),
                   kernel::kMonteCarloThreads, 0, stream>>>(seed, pairs, normals);
  XM_CUDA_CHECK_LAUNCH();
  if (scale != nullptr) {
    scale_kernel<<<grid_blocks(scale->count, kernel::kMonteCarloThreads, max_blocks),
                   kernel::kMonteCarloThreads, 0, stream>>>(*scale);
    XM_CUDA_CHECK_LAUNCH();
  }
  moves_kernel<<<grid_blocks(moves.items(), kernel::kMonteCarloThreads, max_blocks),
                 kernel::kMonteCarloThreads, 0, stream>>>(moves);
  XM_CUDA_CHECK_LAUNCH();
}

}  // namespace xm::cuda_detail

namespace xm {
namespace {

// A device array for the checks below, freed on scope exit.
template <typename T>
struct Scratch {
  T* data = nullptr;
  explicit Scratch(std::size_t count) {
    if (count > 0) XM_CUDA_TRY(cudaMalloc(&data, count * sizeof(T)));
  }
  ~Scratch() {
    if (data != nullptr) static_cast<void>(cudaFree(data));
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

template <typename T>
T* upload(Scratch<T>& device, const std::vector<T>& host) {
  if (!host.empty()) {
    XM_CUDA_TRY(
        cudaMemcpy(device.data, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  return device.data;
}

}  // namespace

ScenarioSet cuda_draw_monte_carlo(const ScenarioSet& scenarios, std::vector<double>* normals) {
  XM_EXPECTS(scenarios.monte_carlo.has_value(), "a set without Monte Carlo draws");
  const MonteCarloDraws& mc = *scenarios.monte_carlo;
  ScenarioSet drawn = scenarios;
  Scratch<double> price_factor(drawn.price_factor.size()), vol_shift(drawn.vol_shift.size());
  Scratch<double> z(mc.count * mc.normals_per_scenario), scale(mc.student_t ? mc.count : 0);
  Scratch<double> root(mc.root.size());
  Scratch<std::int32_t> factor_underlying(mc.factors);
  Scratch<std::int32_t> factor_target(mc.factors);
  Scratch<std::int32_t> tenor_offsets(drawn.tenor_offsets.size());
  Scratch<double> tenor_shift(drawn.tenor_shift.size());
  Scratch<unsigned long long> first_out_of_bounds(1);
  XM_CUDA_TRY(cudaMemset(first_out_of_bounds.data, 0xff, sizeof(unsigned long long)));
  // The vol and tenor columns of the draws start at 0, as the backend's upload
  // leaves them.
  const auto zero_columns = [&](std::vector<double>& shocks, std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r) {
      std::fill_n(shocks.begin() + static_cast<std::ptrdiff_t>(r * drawn.count() + mc.first),
                  mc.count, 0.0);
    }
  };
  zero_columns(drawn.vol_shift, drawn.underlying_count());
  zero_columns(drawn.tenor_shift, drawn.tenor_days.size());
  upload(price_factor, drawn.price_factor);
  upload(vol_shift, drawn.vol_shift);
  upload(tenor_shift, drawn.tenor_shift);
  const kernel::McScaleLaunch scale_launch{z.data, mc.count,  mc.factors, mc.normals_per_scenario,
                                           mc.nu,  scale.data};
  const kernel::McMovesLaunch moves{upload(root, mc.root),
                                    mc.factors,
                                    mc.normals_per_scenario,
                                    z.data,
                                    scale.data,
                                    upload(factor_underlying, mc.factor_underlying),
                                    upload(factor_target, mc.factor_target),
                                    mc.first,
                                    mc.count,
                                    drawn.count(),
                                    price_factor.data,
                                    vol_shift.data,
                                    upload(tenor_offsets, drawn.tenor_offsets),
                                    tenor_shift.data,
                                    first_out_of_bounds.data};
  cuda_detail::launch_monte_carlo(mc.seed, mc.student_t ? &scale_launch : nullptr, moves, z.data,
                                  1024, nullptr);
  XM_CUDA_TRY(cudaDeviceSynchronize());
  unsigned long long out_of_bounds = 0;
  XM_CUDA_TRY(cudaMemcpy(&out_of_bounds, first_out_of_bounds.data, sizeof out_of_bounds,
                         cudaMemcpyDeviceToHost));
  if (out_of_bounds != kernel::kNoNonFinite) throw MonteCarloOutOfBounds(out_of_bounds);
  XM_CUDA_TRY(cudaMemcpy(drawn.price_factor.data(), price_factor.data,
                         drawn.price_factor.size() * sizeof(double), cudaMemcpyDeviceToHost));
  XM_CUDA_TRY(cudaMemcpy(drawn.vol_shift.data(), vol_shift.data,
                         drawn.vol_shift.size() * sizeof(double), cudaMemcpyDeviceToHost));
  if (!drawn.tenor_shift.empty()) {
    XM_CUDA_TRY(cudaMemcpy(drawn.tenor_shift.data(), tenor_shift.data,
                           drawn.tenor_shift.size() * sizeof(double), cudaMemcpyDeviceToHost));
  }
  if (normals != nullptr) {
    normals->resize(mc.count * mc.normals_per_scenario);
    XM_CUDA_TRY(cudaMemcpy(normals->data(), z.data, normals->size() * sizeof(double),
                           cudaMemcpyDeviceToHost));
  }
  drawn.monte_carlo.reset();
  return drawn;
}

}  // namespace xm
