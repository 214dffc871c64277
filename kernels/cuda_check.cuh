#pragma once
#include <cuda_runtime_api.h>

#include <string>

#include "xmargin/error.hpp"

namespace xm::cuda_detail {

// Throws the RunError of a failed CUDA call. The runtime's last-error state is
// cleared first, so that a later, unrelated launch check in the same process
// does not report this error again (sticky errors stay; nothing clears those).
[[noreturn]] inline void throw_cuda_error(cudaError_t error, const char* call, const char* file,
                                          int line) {
  static_cast<void>(cudaGetLastError());
  throw RunError(std::string("CUDA error at ") + file + ":" + std::to_string(line) + ": " + call +
                 " failed: " + cudaGetErrorName(error) + ": " + cudaGetErrorString(error));
}

}  // namespace xm::cuda_detail

// Runs a CUDA runtime call (or anything returning cudaError_t) and throws
// xm::RunError naming the file, the line, the call and the error on failure.
#define XM_CUDA_TRY(call)                                                              \
  do {                                                                                 \
    const cudaError_t xm_cuda_status_ = (call);                                        \
    if (xm_cuda_status_ != cudaSuccess) {                                              \
      ::xm::cuda_detail::throw_cuda_error(xm_cuda_status_, #call, __FILE__, __LINE__); \
    }                                                                                  \
  } while (0)

// Checks the launch just made (bad configuration, missing kernel image).
#define XM_CUDA_CHECK_LAUNCH() XM_CUDA_TRY(cudaGetLastError())
