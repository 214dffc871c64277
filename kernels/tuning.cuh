#pragma once

// Memory tuning of the CUDA backend. Block sizes are in
// include/xmargin/kernel/device_plan.hpp, shared with the host emulation.
namespace xm::cuda_tuning {

// Share of the free device memory a run plans to use when the caller sets no
// budget: the rest is headroom for the CUDA context and other processes.
inline constexpr double kFreeMemoryFraction = 0.85;

}  // namespace xm::cuda_tuning
