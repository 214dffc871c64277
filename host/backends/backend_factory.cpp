#include "xmargin/backend.hpp"
#include "xmargin/error.hpp"

namespace xm {

bool cuda_backend_built() {
#if defined(XM_HAVE_CUDA)
  return true;
#else
  return false;
#endif
}

int cuda_device_count() {
#if defined(XM_HAVE_CUDA)
  return cuda_runtime_device_count();
#else
  return 0;
#endif
}

CudaAvailability cuda_availability() {
#if defined(XM_HAVE_CUDA)
  return cuda_runtime_availability();
#else
  return {false,
          "the cuda backend is not built into this binary (nvcc was not found at build "
          "time)"};
#endif
}

std::unique_ptr<Backend> make_backend(BackendKind kind, const BackendOptions& options,
                                      std::string* note) {
  if (kind == BackendKind::cpu) return make_cpu_backend(options);
  const CudaAvailability cuda = cuda_availability();
  if (!cuda.usable) {
    if (kind == BackendKind::cuda) throw RunError("--backend cuda: " + cuda.reason);
    if (note != nullptr) *note = "using the cpu backend: " + cuda.reason;
    return make_cpu_backend(options);
  }
#if defined(XM_HAVE_CUDA)
  return make_cuda_backend(options);
#else
  return nullptr;
#endif
}

}  // namespace xm
