#pragma once
#include <cuda_runtime_api.h>

#include <string>

#include "xmargin/error.hpp"

namespace xm::cuda_detail {

// Errors that poison the CUDA context: after one, every later call in the
// process fails too, so the run cannot go on or fall back on this device.
inline bool is_sticky(cudaError_t error) {
  switch (error) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchTimeout:
    case cudaErrorLaunchFailure:
    case cudaErrorAssert:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorECCUncorrectable:
    case cudaErrorContextIsDestroyed:
      return true;
    default:
      return false;
  }
}

// A sticky CUDA error: the device context is lost for this process.
class DeviceFault : public RunError {
 public:
  using RunError::RunError;
};

// Throws for a failed CUDA call: DeviceFault for a sticky error, RunError
// otherwise (out of memory, a bad launch configuration, a missing kernel image),
// naming the file, the line, the call and the error. The runtime's last-error
// state is cleared first for a recoverable error, so that a later, unrelated
// launch check does not report it again.
[[noreturn]] inline void throw_cuda_error(cudaError_t error, const char* call, const char* file,
                                          int line) {
  const std::string where = std::string(file) + ":" + std::to_string(line) + ": " + call +
                            " failed: " + cudaGetErrorName(error) + ": " +
                            cudaGetErrorString(error);
  if (is_sticky(error)) {
    throw DeviceFault("CUDA device fault at " + where +
                      " (the device context is no longer usable in this process)");
  }
  static_cast<void>(cudaGetLastError());
  throw RunError("CUDA error at " + where);
}

}  // namespace xm::cuda_detail

// Runs a CUDA runtime call (or anything returning cudaError_t) and throws on
// failure (see throw_cuda_error).
#define XM_CUDA_TRY(call)                                                              \
  do {                                                                                 \
    const cudaError_t xm_cuda_status_ = (call);                                        \
    if (xm_cuda_status_ != cudaSuccess) {                                              \
      ::xm::cuda_detail::throw_cuda_error(xm_cuda_status_, #call, __FILE__, __LINE__); \
    }                                                                                  \
  } while (0)

// Checks the launch just made (bad configuration, missing kernel image).
#define XM_CUDA_CHECK_LAUNCH() XM_CUDA_TRY(cudaGetLastError())
