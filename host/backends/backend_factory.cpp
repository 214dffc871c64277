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

std::unique_ptr<Backend> make_backend(BackendKind kind, const BackendOptions& options) {
  if (kind == BackendKind::cpu) return make_cpu_backend(options);
  const bool usable = cuda_device_count() > 0;
  if (kind == BackendKind::automatic && !usable) return make_cpu_backend(options);
  if (!cuda_backend_built()) {
    throw RunError(
        "the cuda backend is not built into this binary (nvcc was not found at build time)");
  }
  if (!usable) throw RunError("no CUDA device is available (no GPU or no driver)");
#if defined(XM_HAVE_CUDA)
  return make_cuda_backend(options);
#else
  return nullptr;
#endif
}

}  // namespace xm
